// The supervisor's roster page: fetch a month's latest roster with the pasted token and draw it.
// Plain JavaScript, no build step. The token stays in this tab's sessionStorage and goes only to this API.
"use strict";
(() => {
  const API = "/api/v1";
  const TOKEN_KEY = "shiftcast.token";
  const MONTH_KEY = "shiftcast.month";
  const SITE_KEY = "shiftcast.site";
  const SVG = "http://www.w3.org/2000/svg";
  // Labels and weekdays (leader roles come with each roster); nothing of any site comes without a token.
  const PAGE = JSON.parse(document.getElementById("page-labels").textContent);
  const PERCENT = new Set(["service_level", "expected_service_level", "abandon_rate", "occupancy",
    "coverage_ratio", "gap", "rest_requests_honoured", "shift_requests_honoured"]);
  const TOTALS = ["shifts_worked", "late_shifts", "paid_hours", "overtime_hours"]; // the grid's right-hand columns
  const $ = (id) => document.getElementById(id);
  let current = null; // the roster document on show

  // ------------------------------------------------------------ small helpers

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "style") node.style.cssText = v;
      else node.setAttribute(k, v === true ? "" : v);
    }
    node.append(...children.flat().filter((c) => c !== null && c !== undefined).map(
      (c) => (c instanceof Node ? c : document.createTextNode(String(c)))));
    return node;
  }

  function svg(tag, attrs = {}) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    return node;
  }

  function label(key) {
    const l = PAGE.labels[key];
    if (!l) { const words = key.replace(/_/g, " "); return words.charAt(0).toUpperCase() + words.slice(1); }
    return l.zh === l.en ? l.zh : `${l.zh} ${l.en}`;
  }

  // How the roster on show draws a code: its own rules' marks, names, hours and colour (doc.shifts).
  function code(c) {
    return current.shifts[c] || { zh: c, en: c, name_zh: c, name_en: c, colour: "#FFFFFF", worked: true };
  }

  function number(value, key = "") {
    if (value === null || value === undefined || value === "") return "–";
    if (typeof value !== "number") return String(value);
    if (PERCENT.has(key) && value >= 0 && value <= 1) return `${(value * 100).toFixed(1)} %`;
    return Number.isInteger(value) ? value.toLocaleString("en") : value.toLocaleString("en", { maximumFractionDigits: 2 });
  }

  function weekdayOf(day) { // "2026-12-05" -> 0 = Monday … 6 = Sunday
    const [y, m, d] = day.split("-").map(Number);
    return (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
  }

  function say(text, kind = "info") {
    const box = $("message");
    box.textContent = text;
    box.className = `message ${kind}`;
    box.hidden = !text;
  }

  async function api(path, raw = false) {
    const token = sessionStorage.getItem(TOKEN_KEY) || "";
    const r = await fetch(path, { headers: { Authorization: `Bearer ${token}` } });
    if (!r.ok) {
      let detail = r.statusText;
      try { const p = await r.json(); detail = p.detail || p.title || detail; } catch (_) { /* not JSON */ }
      const hint = r.status === 401 ? "令牌无效 — check the token. " : r.status === 403 ? "无权限 — " : "";
      throw new Error(`${hint}${detail} (HTTP ${r.status})`);
    }
    return raw ? r : r.json();
  }

  // ------------------------------------------------------------ loading

  async function load(event) {
    if (event) event.preventDefault();
    const token = $("token").value.trim();
    if (!token) { say("请输入令牌 — paste a token.", "warn"); return; }
    sessionStorage.setItem(TOKEN_KEY, token);
    say("载入中 Loading…");
    try {
      const site = await pickSite();
      // The month picked, else the latest one with a roster in the site, else next month (a site without rosters).
      const month = $("month").value || site.latest_roster_month || nextMonth();
      $("month").value = month;
      sessionStorage.setItem(MONTH_KEY, month);
      const list = await api(`${API}/rosters?month=${encodeURIComponent(month)}&site_id=${site.id}`);
      if (!list.items.length) {
        $("roster").hidden = true;
        say(`${site.name}: ${month} 还没有排班 — there is no roster for ${month} yet.`, "warn");
        return;
      }
      const latest = list.items[0]; // newest first
      const doc = await api(latest.url);
      render(doc, latest, list.items.length);
      say("");
    } catch (err) {
      $("roster").hidden = true;
      say(err.message, "error");
    }
  }

  // The token's sites (an admin's: every site) in the picker, shown when there is a choice; the one picked.
  async function pickSite() {
    const sites = (await api(`${API}/sites`)).items;
    if (!sites.length) throw new Error("这个令牌没有站点 — this token sees no site.");
    const picker = $("site");
    const wanted = picker.value || sessionStorage.getItem(SITE_KEY);
    picker.replaceChildren(...sites.map((s) => el("option", { value: s.id }, s.name)));
    if (sites.some((s) => String(s.id) === wanted)) picker.value = wanted;
    $("site-label").hidden = sites.length < 2;
    sessionStorage.setItem(SITE_KEY, picker.value);
    return sites.find((s) => String(s.id) === picker.value);
  }

  function render(doc, summary, versions) {
    current = doc;
    $("roster").hidden = false;
    $("title").textContent = `${doc.month} 排班表 · Roster #${doc.id}`;
    const created = summary.created_at ? new Date(summary.created_at).toLocaleString() : "";
    const gap = doc.gap === null ? "" : ` · ${label("gap")} ${number(doc.gap, "gap")}`;
    $("status").replaceChildren(
      el("span", { class: `badge s-${String(doc.status).toLowerCase()}` }, doc.status),
      ` ${doc.employees.length} 人 people · ${doc.days.length} 天 days${gap}`,
      doc.seconds !== null ? ` · ${number(doc.seconds)} s` : "",
      created ? ` · ${created}` : "",
      versions > 1 ? ` · 最新版本 latest of ${versions}` : "");
    renderKpis(doc);
    renderDownloads(doc);
    renderChartDays(doc);
    drawChart();
    renderLegend(doc);
    renderGrid(doc);
    renderShort(doc);
    renderConflicts(doc);
    renderRequests(doc);
    document.dispatchEvent(new CustomEvent("roster-shown", { detail: doc })); // for the views in their own files
  }

  // ------------------------------------------------------------ KPIs and downloads

  function renderKpis(doc) {
    // The solver's objective terms go in a fold: a supervisor reads the measures, an analyst the terms.
    const entries = Object.entries(doc.kpis);
    const cards = entries.filter(([k]) => !k.startsWith("objective_")).map(([k, v]) =>
      el("div", { class: "kpi", "data-kpi": k },
        el("span", { class: "kpi-value" }, number(v, k)), el("span", { class: "kpi-name" }, label(k))));
    const terms = entries.filter(([k]) => k.startsWith("objective_"));
    if (terms.length) {
      cards.push(el("details", { class: "kpi terms" }, el("summary", {}, `目标分项 Objective terms (${terms.length})`),
        el("dl", {}, terms.map(([k, v]) => [el("dt", {}, label(k.slice("objective_".length))), el("dd", {}, number(v, k))]))));
    }
    $("kpis").replaceChildren(...cards);
  }

  // The roster's download path for a format: xlsx, csv, ics (everyone) or ics-one (the employee picked).
  function downloadPath(doc, fmt) {
    const base = `${API}/rosters/${doc.id}`;
    return fmt === "ics-one" ? `${base}/ics/${encodeURIComponent($("ics-employee").value)}` : `${base}/${fmt}`;
  }

  function renderDownloads(doc) {
    $("ics-employee").replaceChildren(...doc.employees.map((e) =>
      el("option", { value: e.employee_id }, `${e.employee_id} ${e.name}`)));
    for (const fmt of ["xlsx", "csv", "ics", "ics-one"]) $(`dl-${fmt}`).href = downloadPath(doc, fmt);
  }

  async function download(event) {
    event.preventDefault();
    if (!current) return;
    const lang = $("lang").value;
    const link = event.currentTarget;
    const fmt = link.dataset.format;
    link.classList.add("busy");
    try {
      const r = await api(`${downloadPath(current, fmt)}?lang=${lang}`, true);
      const blob = await r.blob();
      const found = /filename="?([^";]+)"?/.exec(r.headers.get("Content-Disposition") || "");
      const url = URL.createObjectURL(blob);
      const save = el("a", { href: url, download: found ? found[1] : `roster-${current.id}.${fmt}` });
      document.body.append(save);
      save.click();
      save.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60000);
    } catch (err) {
      say(err.message, "error");
    } finally {
      link.classList.remove("busy");
    }
  }

  // ------------------------------------------------------------ coverage chart (inline SVG)

  function renderChartDays(doc) {
    const select = $("chart-day");
    select.replaceChildren(el("option", { value: "" }, "全月 Whole month"), ...doc.days.map((d) =>
      el("option", { value: d }, `${d} ${PAGE.weekdays.zh[weekdayOf(d)]} ${PAGE.weekdays.en[weekdayOf(d)]}`)));
  }

  // The document's coverage grids (days × times) as one row per interval: all days, or one.
  function coverageRows(doc, day) {
    const { required, staffed, airing } = doc.coverage;
    const rows = [];
    doc.days.forEach((d, i) => {
      if (day && d !== day) return;
      doc.times.forEach((t, j) => {
        if (required[i][j] === null && staffed[i][j] === null) return;
        const need = required[i][j] ?? 0, have = staffed[i][j] ?? 0;
        rows.push({ interval_start: `${d}T${t}`, required: need, staffed: have, short: Math.max(need - have, 0),
          airing: Boolean(airing[i][j]) });
      });
    });
    return rows;
  }

  function drawChart() {
    const day = $("chart-day").value;
    const rows = coverageRows(current, day);
    const W = 1200, H = 280, left = 44, right = 8, top = 14, bottom = 36;
    const pw = W - left - right, ph = H - top - bottom;
    const chart = svg("svg", { id: "coverage-chart", viewBox: `0 0 ${W} ${H}`, role: "img",
      "aria-label": `Coverage vs requirement ${day || current.month}` });
    const n = Math.max(rows.length, 1);
    const peak = Math.max(1, ...rows.map((c) => Math.max(c.required, c.staffed)));
    const step = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500].find((s) => peak / s <= 6) || 1000;
    const yMax = Math.ceil(peak / step) * step;
    const bw = pw / n;
    const x = (i) => left + i * bw;
    const y = (v) => top + ph - (v / yMax) * ph;

    for (let v = 0; v <= yMax; v += step) { // horizontal grid and axis numbers
      chart.append(svg("line", { class: "gridline", x1: left, x2: W - right, y1: y(v), y2: y(v) }));
      const t = svg("text", { class: "tick", x: left - 6, y: y(v) + 4, "text-anchor": "end" });
      t.textContent = v;
      chart.append(t);
    }
    rows.forEach((c, i) => { // airing windows behind the bars, with a strip along the top
      if (!c.airing) return;
      chart.append(svg("rect", { class: "airing", x: x(i), y: top, width: bw, height: ph }));
      chart.append(svg("rect", { class: "airing-strip", x: x(i), y: top - 8, width: bw, height: 6 }));
    });
    rows.forEach((c, i) => {
      const bar = svg("rect", { class: "staffed", x: x(i), y: y(c.staffed), width: Math.max(bw - (day ? 1 : 0), 0.5),
        height: Math.max(y(0) - y(c.staffed), 0), "data-interval": c.interval_start });
      const tip = svg("title");
      tip.textContent = `${c.interval_start.replace("T", " ")}  staffed ${c.staffed} / required ${c.required}` +
        (c.short > 0 ? `  short ${c.short}` : "") + (c.airing ? "  (airing)" : "");
      bar.append(tip);
      chart.append(bar);
      if (c.short > 0) {
        chart.append(svg("rect", { class: "short", x: x(i), y: y(c.required), width: bw,
          height: Math.max(y(c.staffed) - y(c.required), 1), "data-interval": c.interval_start }));
      }
    });
    let d = ""; // the requirement as a step line
    rows.forEach((c, i) => { d += `${i ? "L" : "M"}${x(i).toFixed(1)},${y(c.required).toFixed(1)}H${x(i + 1).toFixed(1)}`; });
    if (d) chart.append(svg("path", { class: "required", d }));

    const perDay = rows.length ? rows.filter((c) => c.interval_start.startsWith(rows[0].interval_start.slice(0, 10))).length : 1;
    let previous = ""; // day separators (month) or hour marks (one day)
    rows.forEach((c, i) => {
      const [date, time] = c.interval_start.split("T");
      const mark = day ? (time.endsWith(":00") ? time : "") : (date !== previous ? date : "");
      previous = date;
      if (!mark) return;
      chart.append(svg("line", { class: day ? "tickline" : "dayline", x1: x(i), x2: x(i), y1: top, y2: top + ph + 4 }));
      const showLabel = day || n <= 400 || Number(date.slice(8)) % 2 === 1;
      if (!showLabel) return;
      const t = svg("text", { class: "tick", x: x(i) + (day ? 0 : (bw * perDay) / 2), y: H - bottom + 16, "text-anchor": "middle" });
      t.textContent = day ? mark : String(Number(date.slice(8)));
      chart.append(t);
    });
    const caption = svg("text", { class: "axis-title", x: left + pw / 2, y: H - 4, "text-anchor": "middle" });
    caption.textContent = day ? "时间 Time" : "日期 Day of month";
    chart.append(caption);
    const yTitle = svg("text", { class: "axis-title", x: 12, y: top + ph / 2, transform: `rotate(-90 12 ${top + ph / 2})`,
      "text-anchor": "middle" });
    yTitle.textContent = "人数 Agents";
    chart.append(yTitle);
    $("chart").replaceChildren(chart);
  }

  // ------------------------------------------------------------ roster grid

  // "22:00–06:00(+1)": a shift whose end is at or before its start ends the next day
  function shiftHours(info) {
    if (!info.start) return "";
    return ` ${info.start}–${info.end}${info.end <= info.start ? "(+1)" : ""}`;
  }

  function renderLegend(doc) {
    const chips = Object.entries(doc.shifts).map(([c, info]) => {
      const hours = shiftHours(info);
      return el("span", { class: "chip", style: `background:${info.colour}` },
        el("b", {}, info.zh), ` ${info.en === info.zh ? "" : info.en}${hours}`);
    });
    chips.push(el("span", { class: "chip plain" }, el("b", {}, "★"), " 组长/队长 leader"));
    $("legend").replaceChildren(...chips);
  }

  function renderGrid(doc) {
    const leaders = new Set(doc.leader_roles);
    const weekdays = doc.days.map(weekdayOf);
    const head = el("tr", {}, el("th", { class: "corner" }, "员工 Employee"),
      doc.days.map((d, j) => el("th", { class: `day${weekdays[j] >= 5 ? " weekend" : ""}`, "data-date": d,
        title: d }, el("b", {}, String(Number(d.slice(8)))),
        el("small", {}, PAGE.weekdays.zh[weekdays[j]]), el("small", { class: "en" }, PAGE.weekdays.en[weekdays[j]]))),
      TOTALS.map((k) => el("th", { class: "total", title: label(k) }, label(k))));
    const body = [];
    const onDuty = doc.days.map(() => 0);
    let band = null;
    for (const e of doc.employees) {
      const group = [e.team, e.group].filter(Boolean).join(" · ");
      if (group !== band) {
        band = group;
        body.push(el("tr", { class: "band" }, el("th", { class: "band-name" }, group || "—"),
          el("td", { colspan: doc.days.length + TOTALS.length })));
      }
      const leader = leaders.has(e.role);
      const cells = [...e.shifts].map((symbol, j) => { // one character per day, standing for doc.codes[symbol]
        const c = doc.codes[symbol];
        const info = code(c);
        if (info.worked) onDuty[j] += 1;
        const lunch = e.lunches[j] !== null ? ` · 午餐 lunch ${doc.times[e.lunches[j]]}` : "";
        const hours = shiftHours(info);
        return el("td", { class: `shift c-${c}${weekdays[j] >= 5 ? " weekend" : ""}`, style: `background:${info.colour}`,
          "data-employee": e.employee_id, "data-date": doc.days[j], "data-shift": c,
          title: `${e.name} (${e.employee_id}) · ${doc.days[j]} ${PAGE.weekdays.en[weekdays[j]]} · ` +
            `${info.name_zh} ${info.name_en}${hours}${lunch}` }, info.zh);
      });
      const t = e.totals || {};
      body.push(el("tr", { "data-employee": e.employee_id, class: leader ? "leader" : null },
        el("th", { class: "person", title: `${e.employee_id} · ${label(e.role)}` },
          leader ? el("span", { class: "star", title: label(e.role) }, "★") : null,
          el("span", { class: "name" }, e.name), el("small", {}, e.employee_id)),
        cells,
        TOTALS.map((k) =>
          el("td", { class: `total${k === "overtime_hours" && t[k] > 0 ? " warn" : ""}` }, number(t[k], k)))));
    }
    const foot = el("tr", { class: "on-duty" }, el("th", { class: "person" }, "出勤 On duty"),
      onDuty.map((v) => el("td", {}, String(v))), el("td", { colspan: TOTALS.length }));
    $("grid").replaceChildren(el("thead", {}, head), el("tbody", {}, body), el("tfoot", {}, foot));
  }

  // ------------------------------------------------------------ short intervals and conflicts

  const SHORT_LIMIT = 300;

  function renderShort(doc) {
    const { columns = [], rows: cells = [] } = doc.unmet || {};
    const rows = cells.map((r) => Object.fromEntries(columns.map((c, k) => [c, r[k]])));
    $("short-count").textContent = rows.length ? `(${rows.length})` : "";
    if (!rows.length) {
      $("short").replaceChildren(el("tbody", {}, el("tr", {}, el("td", { class: "none" }, "没有缺员时段 — no short intervals"))));
      return;
    }
    const preferred = ["interval_start", "required", "staffed", "missing", "airing", "expected_service_level"];
    // Columns in a useful order; a column with no value in any row (a measure this roster lacks) is left out.
    const known = (k) => rows.some((r) => r[k] !== null && r[k] !== undefined);
    const keys = [...preferred.filter((k) => k in rows[0]), ...Object.keys(rows[0]).filter((k) => !preferred.includes(k))]
      .filter(known);
    const head = el("tr", {}, keys.map((k) => el("th", {}, label(k))));
    const body = rows.slice(0, SHORT_LIMIT).map((r) => el("tr", { class: r.airing ? "on-air" : null,
      "data-interval": r.interval_start, title: "点击在图中查看这一天 — show this day in the chart" },
      keys.map((k) => el("td", {}, k === "interval_start" ? String(r[k]).replace("T", " ")
        : k === "airing" ? (r[k] ? el("span", { class: "tag-airing" }, "广告 Airing") : "") : number(r[k], k)))));
    if (rows.length > SHORT_LIMIT) {
      body.push(el("tr", {}, el("td", { colspan: keys.length, class: "none" },
        `… ${rows.length - SHORT_LIMIT} more in the Excel workbook`)));
    }
    $("short").replaceChildren(el("thead", {}, head), el("tbody", {}, body));
  }

  function showDayOf(event) {
    const row = event.target.closest("tr[data-interval]");
    if (!row) return;
    $("chart-day").value = row.dataset.interval.slice(0, 10);
    drawChart();
    $("chart").scrollIntoView({ behavior: "smooth", block: "center" });
  }

  function renderConflicts(doc) {
    const items = doc.conflicts || [];
    $("conflict-count").textContent = items.length ? `(${items.length})` : "";
    if (!items.length) {
      $("conflicts").replaceChildren(el("li", { class: "none" }, "所有规则都满足 — every rule holds"));
      return;
    }
    $("conflicts").replaceChildren(...items.map((c) => {
      const who = Array.isArray(c.employees) ? c.employees : [];
      return el("li", {}, el("b", {}, c.rule || "rule"), c.date ? el("span", { class: "date" }, ` ${c.date}`) : null,
        el("div", {}, c.message || ""),
        who.length ? el("small", {}, `${who.slice(0, 12).join(", ")}${who.length > 12 ? ` … +${who.length - 12}` : ""}`) : null);
    }));
  }

  // Requests not granted: soft goals, listed apart from the conflicts in a card made here after theirs.
  function requestsCard() {
    let list = $("requests-refused");
    if (list) return list;
    const conflicts = $("conflicts").closest("section");
    list = el("ul", { id: "requests-refused", class: "conflicts" });
    const card = el("section", { class: "card requests" },
      el("h3", {}, "未满足的申请 Requests not granted ", el("span", { id: "requests-count", class: "count" })),
      el("div", { class: "list-wrap" }, list));
    conflicts.parentNode.after(card);
    return list;
  }

  function renderRequests(doc) {
    const list = requestsCard();
    const made = doc.requests_made || {};
    const refused = doc.refused_requests || [];
    const asked = Object.values(made).reduce((a, b) => a + b, 0);
    $("requests-count").textContent = asked ? `(${asked - refused.length} / ${asked} granted)` : "";
    if (!refused.length) {
      list.replaceChildren(el("li", { class: "none" },
        asked ? "所有申请都已满足 — every request granted" : "没有申请 — no requests"));
      return;
    }
    list.replaceChildren(...refused.map((c) => {
      const who = Array.isArray(c.employees) ? c.employees.join(", ") : "";
      const what = {shift_request: `班次 shift ${c.asked}`, work_request: "上班 work (rest refused)",
        shift_refusal: `拒班 shift refused: ${String(c.asked).replace(/^not /, "")}`}[c.kind] || "休息 rest";
      return el("li", {}, el("b", {}, `${who} · ${what}`), c.date ? el("span", { class: "date" }, ` ${c.date}`) : null,
        el("div", {}, c.reason || c.message || ""));
    }));
  }

  // ------------------------------------------------------------ start

  function nextMonth() {
    const now = new Date();
    const d = new Date(now.getFullYear(), now.getMonth() + 1, 1);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`;
  }

  $("controls").addEventListener("submit", load);
  $("forget").addEventListener("click", () => {
    // What the token showed goes with it: its roster, its sites and the month picked.
    for (const key of [TOKEN_KEY, MONTH_KEY, SITE_KEY]) sessionStorage.removeItem(key);
    $("token").value = "";
    $("month").value = "";
    $("site").replaceChildren();
    $("site-label").hidden = true;
    $("roster").hidden = true;
    current = null;
    say("令牌已从本标签页删除 — the token is gone from this tab.");
  });
  $("site").addEventListener("change", load);
  $("chart-day").addEventListener("change", drawChart);
  $("short").addEventListener("click", showDayOf);
  $("ics-employee").addEventListener("change", () => {
    if (current) $("dl-ics-one").href = downloadPath(current, "ics-one");
  });
  for (const id of ["dl-xlsx", "dl-csv", "dl-ics", "dl-ics-one"]) $(id).addEventListener("click", download);

  $("token").value = sessionStorage.getItem(TOKEN_KEY) || "";
  $("month").value = sessionStorage.getItem(MONTH_KEY) || ""; // the month this tab last showed
  if ($("token").value) load();
})();
