import { api, ApiError, formatTime, patientName, requireSignIn, session, show, statusTexts, wireHeader } from '/js/api.js';

const patientId = decodeURIComponent(location.pathname.split('/')[2] ?? '');
const base = `/api/patients/${encodeURIComponent(patientId)}`;
const $ = id => document.getElementById(id);
const state = { portal: null, etag: null, demographics: null, noticeFor: null };
const shortTime = value => (value ? new Date(value).toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'short' }) : '');

const reasonTexts = {
  PatientRequest: 'Patient request', PreventingHarm: 'Preventing harm', Privacy: 'Privacy',
  Security: 'Security', Deceased: 'Deceased', Other: 'Other',
  Credentials: 'old username and password', ExpiredInvitation: 'expired link', UsedInvitation: 'used link',
  Restore: 'access request', Review: 'review request', Renewal: 'new invitation request',
};
// Detail keys as staff read them; kindText repeats kind, which reads the same once translated.
const detailLabels = { kind: 'request', proof: 'proved with' };

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (className) node.className = className;
  return node;
}

const words = name => String(name).replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, c => c.toUpperCase()).replace(/ ([A-Z])/g, (_, c) => ` ${c.toLowerCase()}`);

// Ids and timestamps are for machines; staff read the rest.
const describe = value => {
  if (value === null || value === undefined || value === '') return '';
  if (typeof value !== 'object') return String(value);
  return Object.entries(value)
    .filter(([k, v]) => v !== null && v !== undefined && v !== '' && !/Id$/.test(k) && k !== 'expiresAt' && k !== 'kindText')
    .map(([k, v]) => `${detailLabels[k] ?? k}: ${typeof v === 'object' ? describe(v) : reasonTexts[v] ?? ({ Sms: 'text message', Email: 'email' }[v] ?? v)}`)
    .join(', ');
};

// ---- loading -------------------------------------------------------------------------------------------------------

async function loadPortal() {
  const { data, etag } = await api(`${base}/portal`);
  state.portal = data;
  state.etag = etag ?? (data.version !== undefined ? `"${data.version}"` : null);
  renderPortal();
  return data;
}

async function loadDemographics() {
  try {
    state.demographics = (await api(base)).data;
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
    state.demographics = null;
  }
  const name = patientName(state.demographics);
  $('patient-name').textContent = name || `Patient ${patientId}`;
  document.title = `${name || 'Chart'} · PortalPlatform`;
  const details = [];
  if (state.demographics?.dateOfBirth) details.push(`Born ${state.demographics.dateOfBirth}`);
  details.push(`Patient ID ${patientId}`);
  $('patient-details').textContent = details.join(' · ');
}

async function loadHistory() {
  const { data } = await api(`${base}/portal/history`);
  const entries = Array.isArray(data) ? data : data?.entries ?? data?.items ?? [];
  const list = $('history');
  list.replaceChildren(...entries.map(entry => {
    const item = element('li');
    item.append(element('time', formatTime(entry.time ?? entry.occurredAt ?? entry.at)));
    item.append(element('strong', words(entry.type)));
    const actor = typeof entry.actor === 'object' ? entry.actor?.name ?? entry.actor?.userId : entry.actor;
    if (actor) item.append(element('span', `by ${actor}`, 'actor'));
    const details = describe(entry.details);
    if (details) item.append(element('span', details, 'details'));
    return item;
  }));
  if (entries.length === 0) list.replaceChildren(element('li', 'No changes yet.', 'hint'));
}

async function loadDeliveries() {
  const body = $('deliveries');
  try {
    const { data } = await api(`${base}/portal/deliveries`);
    const deliveries = Array.isArray(data) ? data : data?.deliveries ?? data?.items ?? [];
    body.replaceChildren(...deliveries.map(d => {
      const row = element('tr');
      const channel = d.channel === 'Sms' || d.channel === 1 ? 'Text message' : 'Email';
      const attempts = d.attempts > 1 ? ` (${d.attempts} attempts)` : '';
      row.append(
        element('td', shortTime(d.sentAt ?? d.updatedAt ?? d.queuedAt)),
        element('td', d.kind ? `${channel}: ${words(d.kind).toLowerCase()}` : channel),
        element('td', d.address ?? d.recipient ?? d.to ?? ''),
        element('td', [d.state ?? d.status, d.lastError ?? d.error].filter(Boolean).join(': ') + attempts));
      return row;
    }));
    if (deliveries.length === 0) body.replaceChildren(emptyRow('Nothing sent yet.'));
  } catch (error) {
    body.replaceChildren(emptyRow(error.message));
  }
}

function emptyRow(text) {
  const row = element('tr');
  const cell = element('td', text, 'hint');
  cell.colSpan = 4;
  row.append(cell);
  return row;
}

async function refreshAll() {
  await Promise.all([loadPortal(), loadHistory(), loadDeliveries()]);
}

// After a change the read model catches up within moments; wait for the new version.
async function refreshUntilChanged(previousVersion) {
  for (let attempt = 0; attempt < 40; attempt++) {
    const portal = await loadPortal();
    if (portal.version !== previousVersion) break;
    await new Promise(resolve => setTimeout(resolve, 250));
  }
  await Promise.all([loadHistory(), loadDeliveries()]);
}

// ---- rendering -----------------------------------------------------------------------------------------------------

function renderPortal() {
  const portal = state.portal;
  $('portal-status-text').textContent = portal.statusText ?? statusTexts[portal.status] ?? portal.status;
  $('portal-status').dataset.status = portal.status;
  $('portal-status-hint').textContent = portal.status === 'Enrolled' ? 'Shows the portal history' : 'Opens the invitation dialog';
  // A notice about the last action goes once the status moves on (say, the patient enrolled).
  if (state.noticeFor && state.noticeFor !== portal.status) {
    show($('chart-notice'), '');
    state.noticeFor = null;
  }

  renderAccessRequest(portal.accessRequest);
  const invitation = portal.invitation;
  const area = $('invitation');
  if (!invitation) {
    area.replaceChildren(element('p', 'No invitation.', 'hint'));
    $('access-code-area').hidden = true;
    return;
  }
  const pendingInvitation = portal.status === 'Invited';
  $('invitation-heading').textContent = pendingInvitation ? 'Invitation' : 'Last invitation';
  const list = element('dl', undefined, 'facts');
  const fact = (term, value) => { if (value) list.append(element('dt', term), element('dd', value)); };
  fact('Status', portal.statusText ?? statusTexts[portal.status]);
  fact('Sent to', [invitation.email, invitation.phone].filter(Boolean).join(', '));
  fact('Issued', formatTime(invitation.issuedAt));
  fact('Expires', formatTime(invitation.expiresAt));
  const delivery = pendingInvitation ? invitation.delivery : null;
  fact('Delivery', typeof delivery === 'object' && delivery
    ? [delivery.email && invitation.email ? `email ${delivery.email}` : null, delivery.sms && invitation.phone ? `text message ${delivery.sms}` : null].filter(Boolean).join(', ')
    : delivery);
  area.replaceChildren(list);
  const pending = portal.status === 'Invited' && invitation.invitationId;
  $('access-code-area').hidden = !pending;
  if (!pending) $('access-code').textContent = '';
}

// The patient's open request, in the header: re-inviting answers it, declining needs a reason.
function renderAccessRequest(request) {
  $('access-request').hidden = !request;
  disableItem($('action-invite'), null);
  if (!request) return;
  $('access-request-heading').textContent = request.kindText ?? 'Access request';
  // How the patient proved who they are: their sign-in was refused, so they did not sign in.
  const how = {
    Credentials: 'gave their old username and password',
    ExpiredInvitation: 'opened an expired invitation link and gave their date of birth',
    UsedInvitation: 'opened a link that was already used and gave their date of birth',
  }[request.proof];
  // A review is decided by a provider other than those who revoked: the others see why they cannot answer it.
  const review = request.kind === 'Review';
  const tookPart = review && (request.notDecidableBy ?? []).includes(session.user.userId);
  const notProvider = review && session.user.role !== 'provider';
  $('access-request-text').textContent = `The patient asked on ${formatTime(request.requestedAt)}${how ? ` (they ${how})` : ''}.`
    + (review ? ' Access was revoked to prevent harm: a provider other than the one who revoked decides.' : '')
    + (tookPart ? ' You took part in the revocation, so another provider answers this request.' : notProvider ? ' A provider answers this request.' : '');
  for (const id of ['access-request-reinvite', 'access-request-decline']) $(id).disabled = tookPart || notProvider;
  // An invitation would answer the review, so the Actions menu does not offer one either.
  if (tookPart || notProvider) disableItem($('action-invite'), tookPart ? 'You took part in the revocation, so another provider answers the review request.' : 'A provider answers the review request.');
}

// A menu item this user cannot use says why (null: they can) instead of failing on confirm.
function disableItem(item, reason) {
  if (reason) {
    item.setAttribute('aria-disabled', 'true');
    item.title = reason;
  } else {
    item.removeAttribute('aria-disabled');
    item.removeAttribute('title');
  }
}

const isDisabled = item => item.getAttribute('aria-disabled') === 'true';

// ---- actions menu --------------------------------------------------------------------------------------------------

const menuButton = $('actions');
const menu = $('actions-menu');
const menuItems = () => [...menu.querySelectorAll('[role="menuitem"]')].filter(item => !isDisabled(item));

function openMenu(focusLast = false) {
  menu.hidden = false;
  menuButton.setAttribute('aria-expanded', 'true');
  const items = menuItems();
  items[focusLast ? items.length - 1 : 0]?.focus();
}

function closeMenu(returnFocus = true) {
  menu.hidden = true;
  menuButton.setAttribute('aria-expanded', 'false');
  if (returnFocus) menuButton.focus();
}

menuButton.addEventListener('click', () => (menu.hidden ? openMenu() : closeMenu()));
menuButton.addEventListener('keydown', event => {
  if (event.key === 'ArrowDown') { event.preventDefault(); openMenu(); }
  if (event.key === 'ArrowUp') { event.preventDefault(); openMenu(true); }
});
menu.addEventListener('keydown', event => {
  const items = menuItems();
  const index = items.indexOf(document.activeElement);
  if (event.key === 'Escape') { event.preventDefault(); closeMenu(); }
  if (event.key === 'ArrowDown') { event.preventDefault(); items[(index + 1) % items.length]?.focus(); }
  if (event.key === 'ArrowUp') { event.preventDefault(); items[(index - 1 + items.length) % items.length]?.focus(); }
  if (event.key === 'Home') { event.preventDefault(); items[0]?.focus(); }
  if (event.key === 'End') { event.preventDefault(); items[items.length - 1]?.focus(); }
  if (event.key === 'Tab') closeMenu(false);
});
document.addEventListener('click', event => {
  if (!menu.hidden && !menu.contains(event.target) && event.target !== menuButton && !menuButton.contains(event.target)) closeMenu(false);
});

// ---- invitation dialog ---------------------------------------------------------------------------------------------

const inviteDialog = $('invite-dialog');
const inviteForm = $('invite-form');

function openInvite() {
  const portal = state.portal ?? {};
  $('invite-email').value = portal.email ?? state.demographics?.email ?? '';
  $('invite-phone').value = portal.phone ?? state.demographics?.phone ?? '';
  $('invite-edit-step').hidden = false;
  $('invite-confirm-step').hidden = true;
  show($('invite-error'), '');
  inviteDialog.showModal();
  $('invite-email').focus();
}

inviteForm.addEventListener('submit', event => {
  event.preventDefault();
  const email = $('invite-email').value.trim();
  const phone = $('invite-phone').value.trim();
  if (!email && !phone) {
    show($('invite-error'), 'Enter an email address or a mobile phone number.');
    return;
  }
  if (email && !$('invite-email').checkValidity()) {
    show($('invite-error'), 'Enter a valid email address.');
    $('invite-email').focus();
    return;
  }
  show($('invite-error'), '');
  const summary = $('invite-summary');
  summary.replaceChildren();
  if (email) summary.append(element('li', `An email with the registration link to ${email}`));
  if (phone) summary.append(element('li', `A text message with the registration link to ${phone}`));
  if (state.portal && state.portal.status !== 'NotInvited') {
    summary.append(element('li', 'Any earlier invitation stops working; the patient verifies their identity and sets up the account again.'));
  }
  $('invite-edit-step').hidden = true;
  $('invite-confirm-step').hidden = false;
  $('invite-confirm').focus();
});

$('invite-back').addEventListener('click', () => {
  $('invite-confirm-step').hidden = true;
  $('invite-edit-step').hidden = false;
  $('invite-email').focus();
});

$('invite-confirm').addEventListener('click', async () => {
  const button = $('invite-confirm');
  button.disabled = true;
  const previousVersion = state.portal?.version;
  try {
    const body = { email: $('invite-email').value.trim() || null, phone: $('invite-phone').value.trim() || null };
    await api(`${base}/portal/invitations`, { method: 'POST', body, headers: state.etag ? { 'If-Match': state.etag } : {} });
    inviteDialog.close();
    show($('chart-notice'), `Invitation sent to ${[body.email, body.phone].filter(Boolean).join(' and ')}.`);
    await refreshUntilChanged(previousVersion);
    state.noticeFor = state.portal?.status;
  } catch (error) {
    if (error instanceof ApiError && error.status === 412) {
      await loadPortal();
      show($('invite-error'), 'Someone changed this patient\'s portal access meanwhile. The chart is up to date now; check and invite again.');
    } else {
      show($('invite-error'), error.message);
    }
  } finally {
    button.disabled = false;
  }
});

// ---- revocation dialog ---------------------------------------------------------------------------------------------

const revokeDialog = $('revoke-dialog');

function showHarmFields() {
  $('revoke-harm').hidden = $('revoke-reason').value !== 'PreventingHarm';
}

function openRevoke() {
  $('revoke-form').reset();
  // A provider revoking for harm is usually the deciding clinician; editable when someone else decided.
  const user = session.user;
  $('revoke-clinician-id').value = user?.role === 'provider' ? user.userId : '';
  $('revoke-clinician-name').value = user?.role === 'provider' ? user.name : '';
  showHarmFields();
  show($('revoke-error'), '');
  revokeDialog.showModal();
  $('revoke-reason').focus();
}

$('revoke-form').addEventListener('submit', async event => {
  event.preventDefault();
  const reason = $('revoke-reason').value;
  if (!reason) {
    show($('revoke-error'), 'Choose a reason.');
    $('revoke-reason').focus();
    return;
  }
  const button = $('revoke-confirm');
  button.disabled = true;
  const previousVersion = state.portal?.version;
  try {
    const body = { reason, note: $('revoke-note').value.trim() || null };
    if (reason === 'PreventingHarm') {
      Object.assign(body, {
        decidingClinicianId: $('revoke-clinician-id').value.trim(), decidingClinicianName: $('revoke-clinician-name').value.trim(),
        basis: $('revoke-basis').value, scope: $('revoke-scope').value,
      });
    }
    await api(`${base}/portal/revocation`, { method: 'POST', body });
    revokeDialog.close();
    show($('chart-notice'), 'Portal access revoked.');
    await refreshUntilChanged(previousVersion);
    state.noticeFor = state.portal?.status;
  } catch (error) {
    show($('revoke-error'), error.message);
  } finally {
    button.disabled = false;
  }
});

$('revoke-reason').addEventListener('change', showHarmFields);

// ---- declining an access request -----------------------------------------------------------------------------------

const declineDialog = $('decline-dialog');

$('access-request-decline').addEventListener('click', () => {
  $('decline-form').reset();
  show($('decline-error'), '');
  declineDialog.showModal();
  $('decline-reason').focus();
});
$('access-request-reinvite').addEventListener('click', () => openInvite());

$('decline-form').addEventListener('submit', async event => {
  event.preventDefault();
  const reason = $('decline-reason').value.trim();
  const requestId = state.portal?.accessRequest?.requestId;
  if (!reason) {
    show($('decline-error'), 'Enter the reason for declining.');
    $('decline-reason').focus();
    return;
  }
  const button = $('decline-confirm');
  button.disabled = true;
  const previousVersion = state.portal?.version;
  try {
    await api(`/api/practice/access-requests/${encodeURIComponent(requestId)}/decline`, { method: 'POST', body: { reason } });
    declineDialog.close();
    show($('chart-notice'), 'Request declined; the patient is told by email.');
    await refreshUntilChanged(previousVersion);
  } catch (error) {
    show($('decline-error'), error.message);
  } finally {
    button.disabled = false;
  }
});

for (const close of document.querySelectorAll('[data-close]')) {
  close.addEventListener('click', () => close.closest('dialog').close());
}

// ---- access code ---------------------------------------------------------------------------------------------------

$('show-access-code').addEventListener('click', async () => {
  const invitationId = state.portal?.invitation?.invitationId;
  try {
    const { data } = await api(`${base}/portal/invitations/${encodeURIComponent(invitationId)}/access-code`);
    $('access-code').textContent = data.accessCode ?? data.code;
  } catch (error) {
    $('access-code').textContent = error.message;
  }
});

// ---- start ---------------------------------------------------------------------------------------------------------

$('portal-status').addEventListener('click', () => {
  if (state.portal?.status === 'Enrolled') {
    $('history-heading').scrollIntoView();
    return;
  }
  if (!isDisabled($('action-invite'))) openInvite();
});
$('action-invite').addEventListener('click', () => {
  if (isDisabled($('action-invite'))) return;
  closeMenu(false);
  openInvite();
});
$('action-revoke').addEventListener('click', () => {
  if (isDisabled($('action-revoke'))) return;
  closeMenu(false);
  openRevoke();
});

if (requireSignIn()) {
  wireHeader();
  if (!['admin', 'provider'].includes(session.user.role)) disableItem($('action-revoke'), 'Only admins and providers can revoke portal access.');
  try {
    await Promise.all([loadDemographics(), refreshAll()]);
  } catch (error) {
    show($('chart-error'), error instanceof ApiError && error.status === 404 ? 'No such patient in your practice.' : error.message);
  }
  // Patients finish registering elsewhere; keep the chart current while it is on screen.
  setInterval(() => {
    if (document.visibilityState === 'visible' && !inviteDialog.open && !revokeDialog.open && !declineDialog.open) refreshAll().catch(() => {});
  }, 5000);
}
