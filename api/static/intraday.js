// The roster page's intraday card: a day of the shown roster at a time of day, from the site's stored actuals
// and clock records (GET /api/v1/rosters/{id}/intraday): the report in words and the actions ranked by calls saved.
// Plain JavaScript; the token is the one roster.js keeps in this tab's sessionStorage.
(function () {
  "use strict";
  const TOKEN_KEY = "shiftcast.token";
  let roster = null;
  const $ = (id) => document.getElementById(id);

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    node.append(...children);
    return node;
  }

  function say(text, kind = "info") {
    const box = $("intraday-message");
    box.textContent = text;
    box.className = `message ${kind}`;
    box.hidden = !text;
  }

  function today() {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  }

  document.addEventListener("roster-shown", (event) => {
    roster = event.detail;
    const days = roster.days || [];
    const select = $("intraday-day");
    select.replaceChildren(...days.map((d) => el("option", { value: d }, d)));
    const now = today();
    // Today when the roster holds it, else its last day already lived, else its first.
    select.value = days.includes(now) ? now : (days.filter((d) => d < now).pop() || days[0] || "");
    $("intraday-summary").replaceChildren();
    $("intraday-actions").replaceChildren();
    say("");
  });

  async function show(event) {
    event.preventDefault();
    if (!roster) return;
    const day = $("intraday-day").value, at = $("intraday-at").value;
    say("载入中 Loading… (the first look at a day fits its forecast: a few seconds)");
    const token = sessionStorage.getItem(TOKEN_KEY) || "";
    const query = new URLSearchParams({ day, at });
    const r = await fetch(`/api/v1/rosters/${roster.id}/intraday?${query}`,
                          { headers: { Authorization: `Bearer ${token}` } });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) {
      $("intraday-summary").replaceChildren();
      $("intraday-actions").replaceChildren();
      say(body.detail || `${r.status} ${r.statusText}`, "error");
      return;
    }
    say("");
    render(body);
  }

  function render(body) {
    $("intraday-summary").replaceChildren(...body.summary.filter((line) => !/^\s+\d+\. /.test(line))
      .map((line) => el("li", {}, line)));
    const head = el("tr", {}, ...["#", "做什么 What", "谁 Who", "时间 When", "少失来电 Calls saved", "工时 Paid hours"]
      .map((h) => el("th", {}, h)));
    const rows = body.actions.map((a) => el("tr", { "data-kind": a.kind, "data-employee": a.employee_id },
      el("td", {}, String(a.rank)), el("td", {}, a.what),
      el("td", {}, `${a.employee_id} ${a.name}`.trim()), el("td", {}, `${a.start}–${a.end}`),
      el("td", { class: "num" }, a.calls_saved.toFixed(1)), el("td", { class: "num" }, a.paid_hours.toFixed(2))));
    $("intraday-actions").replaceChildren(el("thead", {}, head), el("tbody", {}, ...rows));
  }

  $("intraday-controls").addEventListener("submit", show);
})();
