import { session, show } from '/js/api.js';

const form = document.getElementById('sign-in');
const error = document.getElementById('sign-in-error');
const remembered = JSON.parse(localStorage.getItem('portalplatform.lastSignIn') || '{}');
for (const [name, value] of Object.entries(remembered)) {
  if (form.elements[name]) form.elements[name].value = value;
}

async function signIn(body) {
  show(error, '');
  const response = await fetch('/dev/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  if (response.status === 404) {
    show(error, 'Development sign-in is switched off here. Sign in through your practice\'s identity provider.');
    return;
  }
  const data = await response.json();
  if (!response.ok) {
    const fields = data.errors ? Object.values(data.errors).flat().join(' ') : '';
    show(error, `${data.title ?? 'Sign-in failed.'} ${fields}`.trim());
    return;
  }
  session.token = data.accessToken;
  localStorage.setItem('portalplatform.lastSignIn', JSON.stringify({ practiceId: body.practiceId, userId: body.userId, name: body.name, role: body.role }));
  const returnUrl = new URLSearchParams(location.search).get('returnUrl');
  location.assign(returnUrl && returnUrl.startsWith('/') && !returnUrl.startsWith('//') ? returnUrl : '/dashboard');
}

form.addEventListener('submit', event => {
  event.preventDefault();
  signIn(Object.fromEntries(new FormData(form)));
});

// Development: the demo practice's staff, one click each (the gateway lists them only where it issues tokens).
async function showDemoStaff() {
  const response = await fetch('/dev/staff', { headers: { Accept: 'application/json' } });
  if (!response.ok) return;
  const staff = await response.json();
  if (staff.length === 0) return;
  const list = document.getElementById('demo-staff-list');
  for (const member of staff) {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = `${member.name} (${member.role})`;
    button.addEventListener('click', () => signIn({ practiceId: member.practiceId, userId: member.userId, name: member.name, role: member.role }));
    item.append(button);
    list.append(item);
  }
  document.getElementById('demo-practice').textContent = [...new Set(staff.map(m => m.practiceName))].join(', ');
  document.getElementById('demo-staff').hidden = false;
}

showDemoStaff();
