// The staff session and the calls to the gateway's API, shared by every page. No framework, no build step.
const tokenKey = 'portalplatform.staffToken';

export const statusTexts = {
  NotInvited: 'Invite to patient portal',
  Invited: 'Invitation sent',
  InviteExpired: 'Invitation expired',
  VerificationLocked: 'Locked: too many verification attempts',
  Enrolled: 'Enrolled',
  AccessRevoked: 'Access revoked',
};

export const session = {
  get token() { return sessionStorage.getItem(tokenKey); },
  set token(value) { value ? sessionStorage.setItem(tokenKey, value) : sessionStorage.removeItem(tokenKey); },
  get user() {
    const token = this.token;
    if (!token) return null;
    try {
      const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
      return { practiceId: payload.practice_id, userId: payload.sub, name: payload.name, role: payload.role };
    } catch {
      return null;
    }
  },
};

export class ApiError extends Error {
  constructor(status, problem) {
    super(describeProblem(status, problem));
    this.status = status;
    this.problem = problem;
  }
}

function describeProblem(status, problem) {
  if (!problem) return `The request failed (${status}).`;
  const fields = problem.errors ? Object.entries(problem.errors).map(([field, messages]) => `${field}: ${[].concat(messages).join(' ')}`) : [];
  return [problem.detail || problem.title || `The request failed (${status}).`, ...fields].join(' ');
}

export function requireSignIn() {
  if (!session.user) {
    location.assign(`/?returnUrl=${encodeURIComponent(location.pathname + location.search)}`);
    return false;
  }
  return true;
}

export async function api(path, { method = 'GET', body, headers = {} } = {}) {
  const response = await fetch(path, {
    method,
    headers: {
      Accept: 'application/json',
      Authorization: `Bearer ${session.token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    session.token = null;
    requireSignIn();
    throw new ApiError(401, null);
  }
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) throw new ApiError(response.status, data);
  return { data, etag: response.headers.get('ETag'), status: response.status };
}

export function wireHeader() {
  const user = session.user;
  const who = document.getElementById('signed-in-as');
  if (who && user) who.textContent = `${user.name} (${user.role})`;
  document.getElementById('sign-out')?.addEventListener('click', () => {
    session.token = null;
    location.assign('/');
  });
}

export function show(element, message) {
  element.textContent = message ?? '';
  element.hidden = !message;
}

export const formatTime = value => (value ? new Date(value).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' }) : '');

export const patientName = demographics =>
  demographics ? [demographics.firstName, demographics.lastName].filter(Boolean).join(' ') : '';
