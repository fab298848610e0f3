// PortalPlatform ops dashboard: each page draws itself from the JSON API (/api/...). No framework, no build step.
"use strict";

const $ = (selector) => document.querySelector(selector);
const params = new URLSearchParams(location.search);
const api = async (path, options) => {
  const response = await fetch(path, options);
  if (!response.ok) throw new Error(`${path}: ${response.status}`);
  return response.json();
};
const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "style") node.style.cssText = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) node.append(child instanceof Node ? child : document.createTextNode(child ?? ""));
  return node;
};
const row = (...cells) => el("tr", {}, cells.map((c) => el("td", {}, c)));
const time = (value) => (value ? new Date(value).toLocaleTimeString() : "");
const ms = (value) => (value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${value.toFixed(1)} ms`);
const palette = ["#0969da", "#8250df", "#1a7f37", "#bf3989", "#9a6700", "#cf222e", "#0a7ea4", "#6e7781"];
const colours = new Map();
const colour = (name) => {
  if (!colours.has(name)) colours.set(name, palette[[...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % palette.length]);
  return colours.get(name);
};
const badge = (name) => el("span", { class: "badge", style: `--c:${colour(name)}` }, name);
const fill = (tbody, rows, empty) => {
  tbody.replaceChildren(...(rows.length ? rows : [el("tr", {}, el("td", { colspan: 9 }, empty))]));
};
const fillFormFromQuery = (form) => {
  for (const [key, value] of params) if (form.elements[key]) {
    const field = form.elements[key];
    if (field.type === "checkbox") field.checked = value === "true"; else field.value = value;
  }
};
const resourceOptions = async (select, projectsOnly) => {
  const resources = await api("/api/resources");
  for (const r of resources.filter((r) => !projectsOnly || r.type === "project")) select.append(el("option", { value: r.name }, r.name));
};

const pages = {
  async resources() {
    const tbody = $("#resources tbody");
    const status = $("#status");
    const draw = async () => {
      const resources = await api("/api/resources");
      fill(tbody, resources.map((r) => el("tr", { "data-resource": r.name },
        el("th", { scope: "row" }, r.name),
        el("td", {}, r.type),
        el("td", { class: `state-${r.state}` }, r.state, r.stateDetail ? ` (${r.stateDetail})` : ""),
        el("td", { class: `health-${r.health}` }, r.health),
        el("td", {}, r.endpoints.map((e) => el("div", {}, e.url.startsWith("http")
          ? el("a", { href: e.url, target: "_blank", rel: "noopener" }, `${e.name}: ${e.url}`) : `${e.name}: ${e.url}`))),
        el("td", {}, r.pid ?? ""),
        el("td", {}, time(r.startedAt)),
        el("td", {}, r.restarts),
        el("td", {},
          el("a", { href: `console.html?resource=${encodeURIComponent(r.name)}` }, "Console"), " ",
          r.canRestart ? el("button", {
            type: "button", "aria-label": `Restart ${r.name}`,
            onclick: async (event) => {
              event.target.disabled = true;
              status.textContent = `Restarting ${r.name}…`;
              try { await api(`/api/resources/${encodeURIComponent(r.name)}/restart`, { method: "POST" }); status.textContent = `${r.name} restarted.`; }
              catch (e) { status.textContent = `Restart of ${r.name} failed: ${e.message}`; }
              await draw();
            },
          }, "Restart") : ""))), "No resources.");
    };
    await draw();
    setInterval(() => draw().catch(() => {}), 2000);
  },

  async console() {
    const form = $("form");
    await resourceOptions($("#resource"));
    fillFormFromQuery(form);
    const out = $("#console");
    const draw = async () => {
      const query = new URLSearchParams({ q: $("#q").value });
      const lines = await api(`/api/resources/${encodeURIComponent($("#resource").value)}/console?${query}`);
      const atBottom = out.scrollTop + out.clientHeight >= out.scrollHeight - 4;
      out.replaceChildren(...lines.map((l) => el("span", { class: l.isError ? "err" : "" }, `${time(l.time)}  ${l.text}\n`)));
      if (atBottom) out.scrollTop = out.scrollHeight;
    };
    form.addEventListener("submit", (e) => { e.preventDefault(); history.replaceState(null, "", `?${new URLSearchParams(new FormData(form))}`); draw(); });
    await draw();
    setInterval(() => draw().catch(() => {}), 2000);
  },

  async logs() {
    const form = $("form");
    await resourceOptions($("#resource"), true);
    fillFormFromQuery(form);
    const draw = async () => {
      const query = new URLSearchParams([...new FormData(form)].filter(([, v]) => v));
      if (params.get("traceId")) query.set("traceId", params.get("traceId"));
      const logs = await api(`/api/logs?${query}`);
      fill($("#logs tbody"), logs.map((l) => row(
        time(l.time), badge(l.service), el("span", { class: l.severityNumber >= 17 ? "error" : "" }, l.severity), l.category, l.message,
        l.traceId ? el("a", { href: `trace.html?id=${l.traceId}` }, l.traceId.slice(0, 8)) : "")), "No log records match.");
    };
    form.addEventListener("submit", (e) => { e.preventDefault(); history.replaceState(null, "", `?${new URLSearchParams(new FormData(form))}`); draw(); });
    await draw();
  },

  async traces() {
    const form = $("form");
    const select = $("#service");
    for (const r of (await api("/api/resources")).filter((r) => ["project", "postgres", "rabbitmq"].includes(r.type))) select.append(el("option", { value: r.name }, r.name));
    fillFormFromQuery(form);
    const draw = async () => {
      const query = new URLSearchParams([...new FormData(form)].filter(([, v]) => v));
      const traces = await api(`/api/traces?${query}`);
      fill($("#traces tbody"), traces.map((t) => el("tr", { "data-trace": t.traceId },
        el("td", {}, time(t.start)),
        el("td", {}, el("a", { href: `trace.html?id=${t.traceId}` }, `${t.rootService}: ${t.name}`), t.path && t.path !== t.name ? el("div", { class: "hint" }, t.path) : ""),
        el("td", {}, t.resources.map(badge)),
        el("td", {}, t.spanCount),
        el("td", {}, ms(t.durationMs)),
        el("td", { class: t.errorCount ? "error" : "" }, t.errorCount))), "No traces received yet.");
    };
    form.addEventListener("submit", (e) => { e.preventDefault(); history.replaceState(null, "", `?${new URLSearchParams(new FormData(form))}`); draw(); });
    await draw();
  },

  async trace() {
    const trace = await api(`/api/traces/${encodeURIComponent(params.get("id"))}`);
    document.title = `${trace.name} · Trace · PortalPlatform dashboard`;
    $("#page-title").textContent = `Trace: ${trace.rootService}: ${trace.name}`;
    $("#trace-summary").replaceChildren(
      trace.path ? `${trace.path} · ` : "",
      `${new Date(trace.start).toLocaleString()} · ${ms(trace.durationMs)} · ${trace.spanCount} spans · ${trace.errorCount} errors · `,
      ...trace.resources.map(badge), " · ", el("a", { href: `logs.html?traceId=${trace.traceId}` }, "logs of this trace"));
    const total = Math.max(trace.durationMs, 0.001);
    const detail = $("#span-detail");
    const rows = trace.spans.map((s) => {
      const who = s.peer ? `${s.service} → ${s.peer}` : s.service;
      const left = (s.offsetMs / total) * 100;
      const width = Math.max((s.durationMs / total) * 100, 0.2);
      const button = el("button", {
        type: "button", class: "span-row", "aria-expanded": "false", "data-span": s.spanId,
        "aria-label": `${who}: ${s.name}, ${s.kind}, starts at ${ms(s.offsetMs)}, lasts ${ms(s.durationMs)}${s.status === "Error" ? ", error" : ""}`,
      },
      el("span", { class: "span-label", style: `padding-left:${s.depth * 14}px` }, badge(s.peer ?? s.service), ` ${s.name}`),
      el("span", { class: "span-track", "aria-hidden": "true" },
        el("span", { class: `span-bar${s.status === "Error" ? " error" : ""}`, style: `left:${left}%;width:${width}%;--c:${colour(s.peer ?? s.service)}` }),
        el("span", { class: "span-time", style: `left:${Math.min(left + width, 88)}%` }, ` ${ms(s.durationMs)}`)));
      button.addEventListener("click", () => {
        for (const other of document.querySelectorAll(".span-row")) other.setAttribute("aria-expanded", "false");
        button.setAttribute("aria-expanded", "true");
        detail.hidden = false;
        $("#span-title").textContent = `${who}: ${s.name} (${s.kind}, ${ms(s.durationMs)}, status ${s.status}${s.statusMessage ? ": " + s.statusMessage : ""})`;
        const attributes = { "span.id": s.spanId, "parent.id": s.parentSpanId ?? "", scope: s.scope, ...s.attributes };
        fill($("#span-attributes tbody"), Object.entries(attributes).map(([k, v]) => row(k, v)), "No attributes.");
        $("#span-events").replaceChildren(...s.events.map((e) => el("li", {}, `${ms(e.offsetMs)} ${e.name} ${Object.entries(e.attributes).map(([k, v]) => `${k}=${v}`).join(" ")}`)));
      });
      return button;
    });
    $("#waterfall").replaceChildren(...rows);
  },

  async metrics() {
    const draw = async () => {
      const m = await api("/api/metrics");
      fill($("#requests tbody"), m.requests.map((r) => row(badge(r.service), r.requestsPerSecond, el("span", { class: r.errorsPerSecond ? "error" : "" }, r.errorsPerSecond),
        r.averageLatencyMs == null ? "" : ms(r.averageLatencyMs), r.totalRequests, r.totalErrors)), "No request metrics yet.");
      fill($("#queues tbody"), m.queues.map((q) => q.error ? row(q.error) : row(q.name, q.messages, q.ready, q.unacknowledged, q.consumers)), "No queues.");
      fill($("#latest tbody"), m.latest.map((v) => row(v.service, v.name, v.kind, v.value, v.unit)), "No metrics yet.");
    };
    await draw();
    setInterval(() => draw().catch(() => {}), 5000);
  },

  async mail() {
    const messages = (await api("/api/mail")).sort((a, b) => new Date(b.receivedAt) - new Date(a.receivedAt));
    const show = (m) => {
      $("#message").hidden = false;
      $("#message-subject").textContent = m.subject;
      $("#message-text").textContent = `From: ${m.from}\nTo: ${[].concat(m.to).join(", ")}\n\n${m.text ?? ""}`;
      $("#message-html").srcdoc = m.html ?? "";
      $("#message-html").hidden = !m.html;
    };
    fill($("#mail tbody"), messages.map((m) => row(time(m.receivedAt), m.from, [].concat(m.to).join(", "),
      el("a", { href: `#${m.id}`, onclick: (e) => { e.preventDefault(); show(m); } }, m.subject || "(no subject)"))), "No email captured yet.");
    if (messages.length) show(messages[0]);
  },

  async sms() {
    const messages = (await api("/api/sms")).sort((a, b) => new Date(b.receivedAt) - new Date(a.receivedAt));
    fill($("#sms tbody"), messages.map((m) => row(time(m.receivedAt), m.to, m.from, m.body, m.reference ?? "")), "No text messages captured yet.");
  },
};

pages[document.body.dataset.page]?.().catch((error) => {
  $("main").append(el("p", { role: "alert", class: "error" }, `Could not load: ${error.message}`));
});
