// Shared by the patient pages: post JSON, show problem details next to their fields or at the top.
"use strict";
window.portalForms = {
  // A network failure answers status 0 with no problem detail, so the page shows its own fallback.
  async post(path, body) {
    let response;
    try {
      response = await fetch(path, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json, application/problem+json" },
        body: JSON.stringify(body),
      });
    } catch {
      return { status: 0, ok: false, data: null };
    }
    let data = null;
    try { data = await response.json(); } catch { data = null; }
    return { status: response.status, ok: response.ok, data };
  },
  clear(form) {
    document.getElementById("status").hidden = true;
    form.querySelectorAll(".field-error").forEach(p => { p.hidden = true; p.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(i => i.removeAttribute("aria-invalid"));
  },
  message(text, ok) {
    const status = document.getElementById("status");
    status.textContent = text;
    status.className = ok ? "message ok" : "message";
    status.hidden = false;
    status.focus?.();
  },
  fieldError(name, text) {
    const input = document.getElementById(name);
    const error = document.getElementById(name + "-error");
    if (!input || !error) { return false; }
    input.setAttribute("aria-invalid", "true");
    error.textContent = text;
    error.hidden = false;
    return true;
  },
  // Shows a problem detail: field errors beside their fields, anything else at the top.
  problem(result, fallback) {
    const problem = result.data || {};
    let shown = false;
    if (problem.errors) {
      for (const [name, messages] of Object.entries(problem.errors)) {
        shown = this.fieldError(name, messages.join(" ")) || shown;
      }
    }
    if (!shown) { this.message(problem.detail || fallback); }
    const first = document.querySelector("[aria-invalid=true]");
    if (first) { first.focus(); }
  },
};
