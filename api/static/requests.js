// The requests page: an agent asks, a leader decides with the coverage impact in view, the colleague of a swap
// agrees. Plain JavaScript, no build step. One signs in with a login (a person's employee_id, or the name of a
// supervisor's, hr's or viewer's account) and password (the sign-in's token, which expires) or pastes an API
// token; the token stays in this tab's sessionStorage (shared with the roster page) and goes only to this API.
(() => {
  "use strict";
  const TOKEN_KEY = "shiftcast.token";
  const SIGNED_IN_KEY = "shiftcast.signedIn";  // set: the token is a sign-in's, which signing out revokes
  const $ = (id) => document.getElementById(id);
  const KINDS = { leave: "请假 Leave", rest: "休息 Rest day", work: "上班 Work", shift: "换班次 Shift", swap: "调班 Swap" };
  let me = null;

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "class") node.className = v; else node.setAttribute(k, v);
    }
    for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    return node;
  }

  function say(text, error = false) {
    const m = $("message");
    m.textContent = text;
    m.className = error ? "message error" : "message";
    m.hidden = !text;
  }

  async function api(path, options = {}) {
    const token = sessionStorage.getItem(TOKEN_KEY) || "";
    const headers = options.open ? {} : { Authorization: `Bearer ${token}` };
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    const r = await fetch(path, { method: options.method || "GET", headers,
                                  body: options.body !== undefined ? JSON.stringify(options.body) : undefined });
    if (r.status === 204) return null;
    const data = (r.headers.get("Content-Type") || "").includes("json") ? await r.json() : await r.blob();
    if (r.status === 401 && !options.open) signedOut();  // expired or revoked: back to the sign-in form
    if (!r.ok) throw new Error(data.detail || `${r.status}`);
    return data;
  }

  function signedOut() {
    me = null;
    for (const key of [TOKEN_KEY, SIGNED_IN_KEY]) sessionStorage.removeItem(key);
    $("token").value = "";
    $("signin").hidden = $("token-entry").hidden = false;
    $("who").hidden = $("signout").hidden = $("ask").hidden = true;
    $("count").textContent = "";
    $("requests").replaceChildren();
    $("versions").replaceChildren();
  }

  const pct = (x) => (x === null || x === undefined ? "–" : `${Math.round(x * 100)}%`);
  const num = (x) => (x === null || x === undefined ? "–" : x.toFixed(1));

  function impactTable(impact) {
    const head = el("tr", {}, el("th", { title: "Interval" }, "时段"), el("th", { title: "Agents on shift" }, "在岗"),
                    el("th", { title: "Expected service level" }, "SL"),
                    el("th", { title: "Expected abandoned calls" }, "呼损"));
    const table = el("table", { class: "impact" }, head);
    for (const i of impact.intervals) {
      const worse = i.service_level_after !== null && pct(i.service_level_after) !== pct(i.service_level_before);
      table.append(el("tr", {}, el("td", {}, i.interval_start.slice(5).replace("T", " ")),
                      el("td", {}, `${i.staffed_before} → ${i.staffed_after}`),
                      el("td", worse ? { class: "worse" } : {}, `${pct(i.service_level_before)} → ${pct(i.service_level_after)}`),
                      el("td", {}, `${num(i.abandoned_before)} → ${num(i.abandoned_after)}`)));
    }
    return el("div", { class: "impact-wrap" }, table);
  }

  function requestCard(r) {
    const days = r.days.join(", ");
    const what = r.kind === "swap" ? `${KINDS.swap} ↔ ${r.partner}` : KINDS[r.kind] + (r.shift ? ` ${r.shift}` : "");
    const card = el("div", { class: "request", "data-id": r.id },
      el("h3", {}, `${r.name} (${r.employee_id}) · ${what} · ${days} `, el("span", { class: `state ${r.state}` }, r.state)),
      el("div", {}, r.changes.map((c) => `${c.employee_id} ${c.date}: ${c.before} → ${c.after}`).join("; ")));
    if (r.routing.length) card.append(el("ul", { class: "reasons" }, ...r.routing.map((x) => el("li", {}, x))));
    if (r.decided_by) card.append(el("div", { class: "decision" }, `${r.decided_by}: ${r.decision_reason}`));
    card.append(impactTable(r.impact));
    const actions = el("div", { class: "actions" });
    if (r.may_decide) {
      const reason = el("input", { placeholder: "理由 Reason", class: "reason" });
      const approve = el("button", { class: "approve" }, "批准 Approve");
      const refuse = el("button", { class: "refuse" }, "拒绝 Refuse");
      approve.onclick = () => decide(r.id, "approve", reason.value);
      refuse.onclick = () => decide(r.id, "refuse", reason.value);
      actions.append(reason, approve, refuse);
    }
    if (r.state === "awaiting_partner" && r.partner === me.person) {
      const agree = el("button", { class: "agree" }, "同意调班 Agree");
      agree.onclick = () => act(`/api/v1/requests/${r.id}/agree`, undefined, "同意 Agreed");
      actions.append(agree);
    }
    if (actions.childNodes.length) card.append(actions);
    return card;
  }

  async function act(path, body, done) {
    try {
      await api(path, { method: "POST", body });
      say(done);
      await refresh();
    } catch (e) {
      say(e.message, true);
    }
  }

  const decide = (id, verb, reason) => act(`/api/v1/requests/${id}/${verb}`, { reason },
                                           verb === "approve" ? "已批准 Approved" : "已拒绝 Refused");

  async function download(version, employee) {
    try {
      const blob = await api(`/api/v1/versions/${version.id}/ics/${encodeURIComponent(employee)}`);
      const a = el("a", { href: URL.createObjectURL(blob), download: `roster-${version.month}-v${version.number}-${employee}.ics` });
      a.click();
    } catch (e) {
      say(e.message, true);
    }
  }

  async function refresh() {
    const [requests, versions] = await Promise.all([api("/api/v1/requests"), api("/api/v1/versions?state=published")]);
    $("count").textContent = requests.items.length;
    $("requests").replaceChildren(...requests.items.map(requestCard));
    $("versions").replaceChildren(...versions.items.map((v) => {
      const item = el("li", {}, `${v.month} · v${v.number} `);
      if (me.person) {
        const link = el("a", { href: "#", class: "ics" }, "我的日历 My calendar .ics");
        link.onclick = (ev) => { ev.preventDefault(); download(v, me.person); };
        item.append(link);
      }
      return item;
    }));
  }

  async function signIn() {
    try {
      me = await api("/api/v1/me");
    } catch (e) {
      say(e.message, true);
      return;
    }
    $("who").textContent = `${me.name} · ${me.role}` + (me.person ? ` · ${me.person}` : "") + ` · ${me.scope}`;
    $("who").hidden = $("signout").hidden = false;
    $("signin").hidden = $("token-entry").hidden = true;
    $("ask").hidden = !me.person && !me.supervises;
    say("");
    await refresh();
  }

  $("signin").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      const body = { login: $("login").value.trim(), password: $("password").value };
      const session = await api("/api/v1/session", { method: "POST", open: true, body });
      sessionStorage.setItem(TOKEN_KEY, session.token);
      sessionStorage.setItem(SIGNED_IN_KEY, "1");
    } catch (e) {
      say(e.message, true);
      return;
    } finally {
      $("password").value = "";
    }
    signIn();
  });
  $("token-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("token").value.trim());
    sessionStorage.removeItem(SIGNED_IN_KEY);
    signIn();
  });
  $("signout").addEventListener("click", async () => {
    if (sessionStorage.getItem(SIGNED_IN_KEY)) {
      try {
        await api("/api/v1/session", { method: "DELETE" });
      } catch (e) {
        // Already expired or revoked: signed out all the same.
      }
    }
    signedOut();
    say("已退出 Signed out");
  });
  $("kind").addEventListener("change", () => {
    $("shift-label").hidden = !["shift", "work"].includes($("kind").value);
    $("partner-label").hidden = $("kind").value !== "swap";
  });
  $("ask-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = { kind: $("kind").value, days: [$("day").value], note: $("note").value };
    if ($("shift").value && !$("shift-label").hidden) body.shift = $("shift").value;
    if (!$("partner-label").hidden) body.partner = $("partner").value;
    try {
      const r = await api("/api/v1/requests", { method: "POST", body });
      say(r.state === "approved" ? "已批准 Approved by the rules" : `已提交 Sent: ${r.state} (${r.level})`);
      await refresh();
    } catch (e) {
      say(e.message, true);
    }
  });
  if (sessionStorage.getItem(TOKEN_KEY)) signIn();
})();
