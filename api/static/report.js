// The report view of the roster page: a day lived against its plan (GET /api/v1/reports/day/{day}), in words,
// lost calls by cause and by hour, and the workbook. Plain JavaScript; it reads the token the page keeps in this
// tab and the site picked in the page's header.
(() => {
  "use strict";
  const API = "/api/v1";
  const TOKEN_KEY = "shiftcast.token";
  const $ = (id) => document.getElementById(id);
  // The datasets a report reads, by query field: the kind listed and how the default is chosen for the day.
  const INPUTS = [
    ["calls_id", "calls", "latest"],
    ["ads_history_id", "ads", "before"],
    ["ads_plan_id", "ads", "covers"],
    ["staff_id", "staff", "latest"],
    ["rules_id", "rules", "latest"],
    ["clock_id", "clock", "covers"],
  ];

  function el(tag, text) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function say(text, kind = "info") {
    const box = $("report-message");
    box.textContent = text;
    box.className = `message ${kind}`;
    box.hidden = !text;
  }

  async function api(path, raw = false) {
    const r = await fetch(path, { headers: { Authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY) || ""}` } });
    if (!r.ok) {
      let detail = r.statusText;
      try { const p = await r.json(); detail = p.detail || p.title || detail; } catch (_) { /* not JSON */ }
      throw new Error(`${detail} (HTTP ${r.status})`);
    }
    return raw ? r : r.json();
  }

  function siteQuery() {
    const site = $("site") && $("site").value;
    return site ? { site_id: site } : {};
  }

  // The dataset of `kind` a report of `day` most likely means: the newest; for "before", the newest ending
  // before the day (the history); for "covers", the newest whose first..last holds the day (the plan, the clock).
  function pick(items, rule, day) {
    const first = (d) => String((d.summary || {}).first || "").slice(0, 10);
    const last = (d) => String((d.summary || {}).last || "").slice(0, 10);
    const fits = items.filter((d) => rule === "latest" || (rule === "before" ? last(d) < day : first(d) <= day && day <= last(d)));
    return fits.length ? fits[0] : null;
  }

  async function choices(day) {
    const q = new URLSearchParams(siteQuery());
    const datasets = (await api(`${API}/datasets?${q}`)).items.sort((a, b) => b.id - a.id);
    for (const [field, kind, rule] of INPUTS) {
      const select = $(`report-${field}`);
      const ofKind = datasets.filter((d) => d.kind === kind);
      select.replaceChildren(el("option", "—"), ...ofKind.map((d) => {
        const option = el("option", `${d.id} · ${d.name}`);
        option.value = d.id;
        return option;
      }));
      select.firstChild.value = "";
      const chosen = pick(ofKind, rule, day);
      select.value = chosen ? String(chosen.id) : "";
    }
    q.set("month", day.slice(0, 7));
    const rosters = (await api(`${API}/rosters?${q}`)).items;
    const select = $("report-roster_id");
    select.replaceChildren(el("option", "—"), ...rosters.map((r) => {
      const option = el("option", `${r.id} · ${r.month}`);
      option.value = r.id;
      return option;
    }));
    select.firstChild.value = "";
    select.value = rosters.length ? String(rosters[0].id) : "";
  }

  function query() {
    const q = new URLSearchParams(siteQuery());
    for (const [field] of [...INPUTS, ["roster_id"]]) {
      const value = $(`report-${field}`).value;
      if (value) q.set(field, value);
    }
    return q;
  }

  function table(target, doc, pickRows = (rows) => rows) {
    const head = el("tr");
    doc.columns.forEach((c) => head.append(el("th", c)));
    const body = pickRows(doc.rows).map((row) => {
      const tr = el("tr");
      row.forEach((v) => tr.append(el("td", typeof v === "number" ? (Number.isInteger(v) ? v : v.toFixed(1)) : v ?? "")));
      return tr;
    });
    target.replaceChildren(head, ...body);
  }

  function render(doc) {
    $("report-lines").replaceChildren(...doc.lines.map((line) => el("li", line)));
    const causes = $("report-causes");
    causes.hidden = !doc.causes;
    if (doc.causes) {
      $("report-cause-list").replaceChildren(...doc.causes.filter((c) => c.calls >= 0.5).map((c) => {
        const li = el("li", `${Math.round(c.calls)} · ${c.words}`);
        li.dataset.cause = c.key;
        return li;
      }));
      table($("report-hours"), doc.lost_by_hour, (rows) => rows.filter((r) => r[1] >= 0.5));
    }
    $("report-body").hidden = false;
  }

  // The day's report, or with `kind` "morning" the morning meeting's sheet of that day (its words only).
  async function show(event, kind = "day") {
    event.preventDefault();
    const day = $("report-day").value;
    if (!day) { say("选择日期 — pick a day.", "warn"); return; }
    say("计算中… computing", "info");
    $("report-body").hidden = true;
    try {
      if ($("report-day").dataset.listed !== day) {
        await choices(day);
        $("report-day").dataset.listed = day;
      }
      const doc = await api(`${API}/reports/${kind}/${day}?${query()}`);
      if (kind === "morning") doc.causes = null;
      render(doc);
      $("report-body").dataset.kind = kind;
      say("");
    } catch (err) {
      say(String(err.message || err), "error");
    }
  }

  // The workbook of what is shown: the day's report, or the morning sheet.
  async function download(event) {
    event.preventDefault();
    const day = $("report-day").value;
    const kind = $("report-body").dataset.kind || "day";
    try {
      const r = await api(`${API}/reports/${kind}/${day}/xlsx?${query()}&lang=${$("lang").value || "zh"}`, true);
      const link = el("a");
      link.href = URL.createObjectURL(await r.blob());
      link.download = `${kind === "morning" ? "morning" : "report"}-${day}.xlsx`;
      link.click();
      URL.revokeObjectURL(link.href);
    } catch (err) {
      say(String(err.message || err), "error");
    }
  }

  function open() {
    $("report-view").hidden = !$("report-view").hidden;
  }

  $("report-open").addEventListener("click", open);
  $("report-form").addEventListener("submit", (event) => show(event));
  $("report-morning").addEventListener("click", (event) => show(event, "morning"));
  $("report-day").addEventListener("change", () => { delete $("report-day").dataset.listed; });
  $("report-xlsx").addEventListener("click", download);
})();
