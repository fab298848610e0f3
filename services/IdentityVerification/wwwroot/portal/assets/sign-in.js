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
    // Every refusal (401 wrong credentials, 403 revoked with the practice's exact wording, 429) carries its own text;
    // anything without one is the platform's fault and must not blame the patient's password.
    forms.problem(result, "We could not sign you in right now. Please try again in a few minutes.");
    // Under the revocation text, the way back.
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
