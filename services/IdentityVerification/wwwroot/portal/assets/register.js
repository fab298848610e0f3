"use strict";
(() => {
  const forms = window.portalForms;
  const token = new URLSearchParams(location.search).get("token") || "";
  // Keep the token out of the address bar, the history and any later Referer header.
  if (token) { history.replaceState(null, "", location.pathname); }
  let registrationId = null;

  const verifyForm = document.getElementById("verify-form");
  const accountForm = document.getElementById("account-form");
  const sendCode = document.getElementById("send-code");

  if (!token) {
    forms.message("This page needs the link from your invitation. Open the link in the email or text message from your practice.");
    verifyForm.querySelectorAll("input, button").forEach(e => { e.disabled = true; });
  }

  // An expired or used link is not a dead end: explain what happened and offer to ask the practice.
  const ended = {
    Expired: {
      heading: "This link has expired",
      text: "Invitation links work for a limited time. Confirm your date of birth and we will ask your practice for a new link.",
      button: "Ask the practice for a new link",
    },
    Used: {
      heading: "This link has already been used",
      text: "Your account was set up with this link, so it cannot be used again. Sign in below, or if you can no longer get in, "
        + "confirm your date of birth and we will ask your practice to restore access.",
      button: "Ask the practice to restore access",
    },
  };
  const showEnded = state => {
    const words = ended[state];
    document.getElementById("verify-step").hidden = true;
    document.getElementById("ended-heading").textContent = words.heading;
    document.getElementById("ended-explanation").textContent = words.text;
    document.getElementById("request-submit").textContent = words.button;
    document.getElementById("ended-step").hidden = false;
    document.getElementById("ended-heading").focus();
  };
  if (token) {
    forms.post("/portal/api/registration/status", { token }).then(result => {
      if (result.ok && ended[result.data.state]) { showEnded(result.data.state); }
    });
  }

  const requestForm = document.getElementById("request-form");
  requestForm.addEventListener("submit", async event => {
    event.preventDefault();
    forms.clear(requestForm);
    const dateOfBirth = document.getElementById("request-dateOfBirth").value;
    if (!dateOfBirth) {
      forms.fieldError("request-dateOfBirth", "Enter your date of birth.");
      document.getElementById("request-dateOfBirth").focus();
      return;
    }
    const button = document.getElementById("request-submit");
    button.disabled = true;
    const result = await forms.post("/portal/api/access-requests", { token, dateOfBirth });
    if (result.status === 202) {
      requestForm.hidden = true;
      const sent = document.getElementById("request-sent");
      sent.textContent = result.data.message;
      sent.hidden = false;
      sent.focus();
      return;
    }
    button.disabled = false;
    forms.problem(result, "We could not send your request right now. Please try again in a few minutes.");
  });

  sendCode.addEventListener("click", async () => {
    sendCode.disabled = true;
    const result = await forms.post("/portal/api/registration/code", { token });
    document.getElementById("code-sent").textContent = result.status === 202
      ? "If we have a mobile number on file for you, a 6-digit code is on its way. It works for 10 minutes."
      : (result.data && result.data.detail) || "We could not send a code right now. Please try again in a minute.";
    setTimeout(() => { sendCode.disabled = false; }, 30000);
  });

  verifyForm.addEventListener("submit", async event => {
    event.preventDefault();
    forms.clear(verifyForm);
    const button = verifyForm.querySelector("button[type=submit]");
    button.disabled = true;
    const result = await forms.post("/portal/api/registration/verify", {
      token,
      dateOfBirth: document.getElementById("dateOfBirth").value,
      code: document.getElementById("code").value,
    });
    button.disabled = false;
    if (result.ok) {
      registrationId = result.data.registrationId;
      document.getElementById("verify-step").hidden = true;
      document.getElementById("account-step").hidden = false;
      document.getElementById("account-heading").focus();
      return;
    }
    forms.problem(result, "Something went wrong. Please try again in a few minutes.");
  });

  const passwordInput = document.getElementById("password");
  document.getElementById("show-password").addEventListener("change", e => {
    passwordInput.type = e.target.checked ? "text" : "password";
  });
  accountForm.querySelectorAll("input[name=mode]").forEach(radio => radio.addEventListener("change", () => {
    const link = document.getElementById("mode-link").checked;
    document.getElementById("account-submit").textContent = link ? "Add this practice to my account" : "Create account";
    passwordInput.autocomplete = link ? "current-password" : "new-password";
    document.getElementById("password-hint").hidden = link;
  }));

  accountForm.addEventListener("submit", async event => {
    event.preventDefault();
    forms.clear(accountForm);
    const link = document.getElementById("mode-link").checked;
    const button = document.getElementById("account-submit");
    button.disabled = true;
    const result = await forms.post(link ? "/portal/api/registration/link" : "/portal/api/registration/complete", {
      registrationId,
      username: document.getElementById("username").value,
      password: passwordInput.value,
    });
    button.disabled = false;
    if (result.ok) {
      document.getElementById("account-step").hidden = true;
      document.getElementById("done-step").hidden = false;
      document.getElementById("done-heading").focus();
      return;
    }
    forms.problem(result, "Something went wrong. Please try again.");
  });
})();
