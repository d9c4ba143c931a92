import { own } from "../shared/own.ts";
import { channelName, sparkline } from "../actions/alert-card.ts";
import { BOARD_LIMIT, type BoardFilter, type BoardRow } from "./board.ts";
import type { Words } from "./i18n.ts";
import type { ConsoleUser } from "./console-session.ts";

/** Everything shown passes through here: customer text never becomes markup. */
export const h = (v: unknown): string => String(v ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const duration = (secs: number) =>
  secs <= 0 ? "—" : secs < 60 ? `${secs}s` : secs < 3600 ? `${Math.floor(secs / 60)}m${String(secs % 60).padStart(2, "0")}s` : `${Math.floor(secs / 3600)}h${Math.floor((secs % 3600) / 60)}m`;

export interface Shell {
  lang: "zh" | "en";
  w: Words;
  user: ConsoleUser;
  csrf: string;
  page: "board" | "team" | "rules" | "session";
  /** The server's clock when the page was drawn (the page ticks waiting times from it). */
  now: number;
}

/** The page around every console view: nav, the CSRF token for the script, our own script only. */
export function shell(s: Shell, title: string, body: string, scripts: string[] = ["/console/assets/console.js"]): string {
  const wide = s.user.role !== "agent";
  const nav = [
    `<a href="/console"${s.page === "board" ? ' class="on"' : ""}>${h(s.w.board)}</a>`,
    ...(wide ? [`<a href="/console/team"${s.page === "team" ? ' class="on"' : ""}>${h(s.w.team)}</a>`, `<a href="/console/rules"${s.page === "rules" ? ' class="on"' : ""}>${h(s.w.rules)}</a>`] : []),
  ].join("");
  return `<!doctype html>
<html lang="${s.lang === "zh" ? "zh-CN" : "en"}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="csrf-token" content="${h(s.csrf)}">
<title>${h(title)} · ${h(s.w.title)}</title>
<link rel="stylesheet" href="/console/assets/console.css">
</head>
<body data-page="${s.page}" data-lang="${s.lang}" data-now="${s.now}">
<header><strong>${h(s.w.title)}</strong><nav>${nav}</nav><span class="who">${h(s.user.name)} · ${h(s.user.role)}</span>
<form method="post" action="/console/logout" class="inline"><input type="hidden" name="csrf" value="${h(s.csrf)}"><button type="submit">${h(s.w.signOut)}</button></form></header>
<main>${body}</main>
${scripts.map((src) => `<script src="${h(src)}"></script>`).join("\n")}
</body>
</html>`;
}

/** One board row; the live stream sends rows drawn by this same function. */
export function boardRowHtml(r: BoardRow, w: Words, lang: "zh" | "en"): string {
  const findings = r.findings.map((f) => `<span class="tag ${h(f.severity)}" title="${h(f.detector)}">${h(own(w.detectors, f.detector) ?? f.detector)}${f.n > 1 ? ` ×${f.n}` : ""}</span>`).join(" ");
  const alert = r.alert
    ? `<span class="tag ${h(r.alert.severity)}">${h(own(w.alertStatus, r.alert.status) ?? r.alert.status)}</span>${r.alert.actedBy ? ` <small>${h(w.by)} ${h(r.alert.actedByName ?? r.alert.actedBy)}</small>` : ""}`
    : "—";
  const last = r.trajectory[r.trajectory.length - 1];
  return `<tr id="s-${h(r.id)}" data-id="${h(r.id)}" data-risk="${r.risk}" data-severity="${r.severity}" data-agent="${h(r.agentId ?? "")}" data-channel="${h(r.channel)}" class="${r.severity}">
<td><span class="dot ${r.severity}" title="${h(w.sev[r.severity])}"></span> <a href="/console/sessions/${encodeURIComponent(r.id)}">${h(r.externalKey)}</a></td>
<td>${h(r.customer ?? "—")}</td><td>${h(r.agent ?? "—")}</td><td>${h(channelName(r.channel, lang))}</td>
<td class="num"${r.waitingSince === null ? "" : ` data-since="${r.waitingSince}"`}>${h(duration(r.waitingSecs))}</td>
<td class="spark" title="${h(r.trajectory.map((v) => v.toFixed(2)).join(" → "))}">${h(sparkline(r.trajectory))}${last === undefined ? "" : ` <small>${last.toFixed(1)}</small>`}</td>
<td class="num">${r.qa ?? "—"}</td><td>${findings || "—"}</td><td>${alert}</td></tr>`;
}

export interface AgentLoad {
  name: string;
  open: number;
  hostile: number;
  wellbeing: number;
}

/** What the board shows: the top rows of those matching the filter, ranked, and what to filter by. */
export interface BoardView {
  rows: BoardRow[];
  /** Open sessions matching the filter (rows is the first BOARD_LIMIT of them unless `all`). */
  matching: number;
  filter: BoardFilter;
  all: boolean;
  agents: Array<{ id: string; name: string }>;
  channels: string[];
}

export function boardPage(s: Shell, v: BoardView, agents: AgentLoad[]): string {
  const w = s.w;
  const opts = (values: Array<[string, string]>, on?: string) =>
    [`<option value="">${h(w.filters.all)}</option>`, ...values.map(([value, label]) => `<option value="${h(value)}"${value === on ? " selected" : ""}>${h(label)}</option>`)].join("");
  const f = v.filter;
  const capped = !v.all && v.matching > v.rows.length;
  const allLink = `/console?${new URLSearchParams({ ...Object.fromEntries(Object.entries(f).filter(([, x]) => x)), all: "1" })}`;
  // A GET form: filters live in the URL (ids and codes only, never customer data) and the server
  // filters every open session, not just the rows drawn. The script submits it on change.
  const filters = `<form class="filters" id="filters" method="get" action="/console">
<label>${h(w.filters.agent)} <select name="agent">${opts(
    v.agents.map((a) => [a.id, a.name]),
    f.agent,
  )}</select></label>
<label>${h(w.filters.channel)} <select name="channel">${opts(
    v.channels.map((c) => [c, channelName(c, s.lang)]),
    f.channel,
  )}</select></label>
<label>${h(w.filters.severity)} <select name="severity">${opts(
    ["critical", "warning", "ok"].map((x) => [x, w.sev[x]!]),
    f.severity,
  )}</select></label>${v.all ? '<input type="hidden" name="all" value="1">' : ""}
<noscript><button type="submit">${h(w.apply)}</button></noscript>
<span id="live" class="live">● ${h(w.live)}</span> <span id="count">${v.rows.length}</span>${capped ? ` <span class="capped">${h(w.capped(v.rows.length, v.matching))} · <a href="${h(allLink)}">${h(w.showAll)}</a></span>` : ""}</form>`;
  const c = w.cols;
  const table = `<table id="board"><thead><tr><th>${h(c.session)}</th><th>${h(c.customer)}</th><th>${h(c.agent)}</th><th>${h(c.channel)}</th><th>${h(c.waiting)}</th><th>${h(c.emotion)}</th><th>${h(c.qa)}</th><th>${h(c.findings)}</th><th>${h(c.alert)}</th></tr></thead>
<tbody>${v.rows.map((r) => boardRowHtml(r, w, s.lang)).join("\n")}</tbody></table>${v.rows.length ? "" : `<p class="empty">${h(w.none)}</p>`}`;
  const a = w.agentCols;
  const panel = agents.length
    ? `<aside><h2>${h(w.agents)}</h2><table><thead><tr><th>${h(a.agent)}</th><th>${h(a.open)}</th><th>${h(a.hostile)}</th><th>${h(a.wellbeing)}</th></tr></thead><tbody>${agents
        .map((g) => `<tr${g.wellbeing ? ' class="warning"' : ""}><td>${h(g.name)}</td><td class="num">${g.open}</td><td class="num">${g.hostile}</td><td class="num">${g.wellbeing || "—"}</td></tr>`)
        .join("")}</tbody></table></aside>`
    : "";
  return shell(s, w.board, `<div class="board" data-limit="${v.all ? 0 : BOARD_LIMIT}"><section>${filters}${table}</section>${panel}</div>`);
}
