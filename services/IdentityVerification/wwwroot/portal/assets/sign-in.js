"use strict";
(() => {
  const forms = window.portalForms;
  const form = document.getElementById("sign-in-form");
  const revoked = document.getElementById("revoked");
  const ask = document.getElementById("ask-access");
  const sent = document.getElementById("ask-access-sent");
  const credentials = () => ({
    username: document.getElementById("username").value,
    password: document.getElementById("password").value,
  });

  form.addEventListener("submit", async event => {
    event.preventDefault();
    forms.clear(form);
    revoked.hidden = true;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    const result = await forms.post("/portal/api/sign-in", credentials());
    button.disabled = false;
    if (result.ok) {
      sessionStorage.setItem("portal.accessToken", result.data.accessToken);
      form.hidden = true;
      document.getElementById("signed-in").hidden = false;
      document.getElementById("signed-in-heading").focus();
      return;
    }
    // 403 for revoked access carries the exact wording the practice expects the patient to see; under it, the way back.
    // Only a 401 means wrong credentials: a failure without a detail (a 5xx, a proxy error) must not blame the password.
    forms.problem(result, result.status === 401
      ? "The username or password is incorrect."
      : "We could not sign you in right now. Please try again in a few minutes.");
    if (result.status === 403) {
      ask.hidden = false;
      ask.disabled = false;
      sent.hidden = true;
      revoked.hidden = false;
    }
  });

  // The same username and password prove who is asking; the answer is the same whatever is true.
  ask.addEventListener("click", async () => {
    ask.disabled = true;
    const result = await forms.post("/portal/api/access-requests", credentials());
    if (result.status === 202) {
      ask.hidden = true;
      sent.textContent = result.data.message;
      sent.hidden = false;
      sent.focus();
      return;
    }
    ask.disabled = false;
    forms.problem(result, "We could not send your request right now. Please try again in a few minutes.");
  });
})();
