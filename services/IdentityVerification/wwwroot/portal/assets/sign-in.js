"use strict";
(() => {
  const forms = window.portalForms;
  const form = document.getElementById("sign-in-form");
  form.addEventListener("submit", async event => {
    event.preventDefault();
    forms.clear(form);
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    const result = await forms.post("/portal/api/sign-in", {
      username: document.getElementById("username").value,
      password: document.getElementById("password").value,
    });
    button.disabled = false;
    if (result.ok) {
      sessionStorage.setItem("portal.accessToken", result.data.accessToken);
      form.hidden = true;
      document.getElementById("signed-in").hidden = false;
      document.getElementById("signed-in-heading").focus();
      return;
    }
    // 403 for revoked access carries the exact wording the practice expects the patient to see.
    forms.problem(result, "The username or password is incorrect.");
  });
})();
