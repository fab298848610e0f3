import { api, formatTime, requireSignIn, session, show, statusTexts, wireHeader } from '/js/api.js';

const $ = id => document.getElementById(id);
const statuses = Object.keys(statusTexts);
// On the dashboard a status is a list's name, not a button's call to action.
const listNames = { ...statusTexts, NotInvited: 'Not invited' };
const query = new URLSearchParams(location.search);
const selected = query.get('status') ?? 'AccessRevoked';
const after = query.get('after');

$('open-chart').addEventListener('submit', event => {
  event.preventDefault();
  location.assign(`/chart/${encodeURIComponent($('open-patient-id').value.trim())}`);
});

function renderFilters(counts) {
  $('status-filter').replaceChildren(...statuses.map(status => {
    const item = document.createElement('li');
    const link = document.createElement('a');
    link.href = `/dashboard?status=${status}`;
    link.textContent = `${listNames[status]} (${counts[status] ?? 0})`;
    if (status === selected) link.setAttribute('aria-current', 'page');
    item.append(link);
    return item;
  }));
}

function renderPatients(patients) {
  $('patients-caption').textContent = `Patients: ${listNames[selected] ?? selected}`;
  const rows = patients.map(patient => {
    const row = document.createElement('tr');
    const name = document.createElement('td');
    const link = document.createElement('a');
    link.href = `/chart/${encodeURIComponent(patient.patientId)}`;
    link.textContent = patient.name ?? ([patient.firstName, patient.lastName].filter(Boolean).join(' ') || patient.patientId);
    name.append(link);
    const status = document.createElement('td');
    status.textContent = patient.statusText ?? statusTexts[patient.status] ?? patient.status;
    const changed = document.createElement('td');
    changed.textContent = formatTime(patient.since ?? patient.updatedAt);
    row.append(name, status, changed);
    return row;
  });
  if (rows.length === 0) {
    const row = document.createElement('tr');
    const cell = document.createElement('td');
    cell.colSpan = 3;
    cell.className = 'hint';
    cell.textContent = 'No patients with this status.';
    row.append(cell);
    rows.push(row);
  }
  $('patients').replaceChildren(...rows);
}

// The list comes a page at a time (the practice may have many thousands of patients in one status): the next page
// starts after the cursor the last one ended with.
function renderPages(data) {
  const nav = $('patients-pages');
  nav.hidden = !after && !data?.next;
  const link = (cursor, text) => {
    const a = document.createElement('a');
    a.href = `/dashboard?status=${encodeURIComponent(selected)}${cursor ? `&after=${encodeURIComponent(cursor)}` : ''}`;
    a.textContent = text;
    return a;
  };
  const parts = [];
  if (after) parts.push(link(null, 'First page'));
  parts.push(document.createTextNode(` Showing ${data?.patients?.length ?? 0} of ${data?.total ?? 0} `));
  if (data?.next) parts.push(link(data.next, 'Next page'));
  nav.replaceChildren(...parts);
}

// Patients who asked for access back, oldest first: approving is the chart's re-invite, declining needs a reason.
function renderRequests(requests, failure) {
  $('requests-heading').textContent = failure ? 'Open access requests' : `Open access requests (${requests.length})`;
  const rows = requests.map(request => {
    const row = document.createElement('tr');
    const name = document.createElement('td');
    const link = document.createElement('a');
    link.href = `/chart/${encodeURIComponent(request.patientId)}`;
    link.textContent = [request.firstName, request.lastName].filter(Boolean).join(' ') || request.patientId;
    name.append(link);
    const cells = [request.kindText, request.statusText, formatTime(request.requestedAt)].map(text => {
      const cell = document.createElement('td');
      cell.textContent = text;
      return cell;
    });
    row.append(name, ...cells);
    return row;
  });
  if (rows.length === 0) {
    const row = document.createElement('tr');
    const cell = document.createElement('td');
    cell.colSpan = 4;
    cell.className = 'hint';
    cell.textContent = failure ?? 'No open requests.';
    row.append(cell);
    rows.push(row);
  }
  $('access-requests').replaceChildren(...rows);
}

// Integrator endpoints the Webhooks service gave up on (admins only: they manage webhooks). Enabling one resumes its
// pending deliveries; a failure here never hides the rest of the dashboard.
async function showStoppedWebhooks() {
  const subscriptions = await api('/api/practice/webhooks').then(({ data }) => data ?? [], () => []);
  const stopped = subscriptions.filter(subscription => !subscription.enabled && subscription.disabledAutomatically);
  $('webhook-notices').hidden = stopped.length === 0;
  $('stopped-webhooks').replaceChildren(...stopped.map(subscription => {
    const item = document.createElement('li');
    const url = document.createElement('code');
    url.textContent = subscription.url;
    const reason = document.createElement('p');
    reason.textContent = subscription.disabledReason;
    const enable = document.createElement('button');
    enable.type = 'button';
    enable.textContent = 'Enable again';
    enable.setAttribute('aria-label', `Enable ${subscription.url} again`);
    const outcome = document.createElement('p');
    outcome.setAttribute('role', 'status');
    enable.addEventListener('click', async () => {
      enable.disabled = true;
      try {
        await api(`/api/practice/webhooks/${encodeURIComponent(subscription.id)}/enable`, { method: 'POST' });
        reason.remove();
        enable.remove();
        outcome.textContent = 'Enabled again: its pending deliveries resume.';
      } catch (error) {
        enable.disabled = false;
        outcome.textContent = error.message;
      }
    });
    item.append(url, reason, enable, outcome);
    return item;
  }));
}

if (requireSignIn()) {
  wireHeader();
  if (session.user?.role === 'admin') showStoppedWebhooks();
  try {
    const [{ data: settings }, { data }, { data: requests }] = await Promise.all([
      api('/api/practice/portal-settings').catch(() => ({ data: null })),
      api(`/api/practice/portal-statuses?status=${encodeURIComponent(selected)}${after ? `&after=${encodeURIComponent(after)}` : ''}`),
      // A failure here must not hide the patient lists below.
      api('/api/practice/access-requests?state=Open').catch(error => ({ data: { requests: [], failure: error.message } })),
    ]);
    renderRequests(requests?.requests ?? [], requests?.failure);
    if (settings?.practiceName) $('practice-name').textContent = `${settings.practiceName}: patient portal`;
    const counts = data?.counts ?? {};
    renderFilters(counts);
    renderPatients(data?.patients ?? []);
    renderPages(data);
  } catch (error) {
    renderFilters({});
    show($('dashboard-error'), error.message);
  }
}
