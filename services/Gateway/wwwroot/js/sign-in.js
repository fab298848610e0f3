import { session, show } from '/js/api.js';

const form = document.getElementById('sign-in');
const error = document.getElementById('sign-in-error');
const remembered = JSON.parse(localStorage.getItem('portalplatform.lastSignIn') || '{}');
for (const [name, value] of Object.entries(remembered)) {
  if (form.elements[name]) form.elements[name].value = value;
}

form.addEventListener('submit', async event => {
  event.preventDefault();
  show(error, '');
  const body = Object.fromEntries(new FormData(form));
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
});
