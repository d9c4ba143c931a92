import { own } from "../shared/own.ts";
import { channelName } from "../actions/alert-card.ts";
import { describeFinding } from "../detection/describe-finding.ts";
import { sayEvidence } from "../scoring/compliance/hit-evidence.ts";
import { clockFormatter } from "../reports/time-zone.ts";
import type { SessionQueries } from "../storage/session-queries.ts";
import type { LabelRow } from "../storage/console-queries.ts";
import { redactText } from "../shared/redact.ts";
import { h, shell, type Shell } from "./pages.ts";

type Detail = NonNullable<Awaited<ReturnType<SessionQueries["get"]>>>;

export interface SessionPageOptions {
  /** The team's time zone (TZ): times on the page are on its clock. */
  tz: string;
  /** Rule kind → the policy's name for it, in UI_LANG. */
  ruleName: (kind: string) => string;
  /** A Lark open_id → the person's name where known (else the id). */
  nameOf: (openId: string) => string;
}
const evidenceOf = (raw: unknown): string => {
  if (Array.isArray(raw)) return raw.join(" · ");
  if (typeof raw !== "string") return "";
  try {
    const v = JSON.parse(raw) as unknown;
    return Array.isArray(v) ? v.join(" · ") : String(v);
  } catch {
    return raw;
  }
};

/**
 * One session in full: every message with its emotion and why, rule hits, findings, alerts with
 * every action, hints. Buttons carry data-* only; the page script posts them with the CSRF token.
 */
export function sessionPage(s: Shell, d: Detail, labels: LabelRow[], o: SessionPageOptions): string {
  const w = s.w;
  const time = clockFormatter(o.tz);
  // Findings and alerts in the reader's language, from the facts the card reads too; the stored
  // summary (English) only where a finding has no facts.
  const said = (f: Detail["findings"][number]) =>
    describeFinding({ detector: f.detector, summary: f.summary, facts: (f.facts ?? undefined) as Record<string, unknown> | undefined }, s.lang, o.ruleName);
  const supervisor = s.user.role === "supervisor";
  const agent = s.user.role === "agent";
  const labelFor = (target: string, id: number) => labels.filter((l) => l.target === target && l.targetId === id);
  const labelTags = (target: string, id: number) =>
    labelFor(target, id)
      .map(
        (l) =>
          `<span class="tag label" title="${h(l.note ? redactText(l.note) : "")}">${h(own(w.labelled, l.status) ?? l.status)}</span> <small>${h(o.nameOf(l.byOpenId))}${l.note ? `: ${h(redactText(l.note))}` : ""}</small>${supervisor && l.status === "open" ? ` <button data-resolve="${l.id}" data-outcome="upheld">${h(w.uphold)}</button> <button data-resolve="${l.id}" data-outcome="overturned">${h(w.overturn)}</button>` : ""}`,
      )
      .join(" ");
  const hitsByMessage = new Map<string, Detail["hits"]>();
  for (const x of d.hits) if (x.messageId) hitsByMessage.set(x.messageId, [...(hitsByMessage.get(x.messageId) ?? []), x]);

  const timeline = d.messages
    .map((m) => {
      const sc = m.score;
      const v = sc?.valence;
      const mood =
        v === undefined || v === null
          ? ""
          : `<span class="val ${v <= -0.3 ? "neg" : v >= 0.3 ? "pos" : ""}">${v.toFixed(2)}${sc?.category ? ` ${h(own(w.mood, sc.category) ?? sc.category)}` : ""}</span>`;
      const ev = sc ? evidenceOf(sc.evidence) : "";
      const hits = (hitsByMessage.get(m.id) ?? []).map((x) => `<span class="tag warning" title="${h(x.kind)}">${h(o.ruleName(x.kind))}</span>`).join(" ");
      return `<li class="${h(m.role)}"><div class="meta">${time(m.sentAt)} · ${h(m.participant?.name ? redactText(m.participant.name) : (own(w.roles, m.role) ?? m.role))} ${mood} ${hits}</div><div class="text">${h(redactText(m.text))}</div>${ev ? `<div class="why">${h(redactText(ev))}</div>` : ""}</li>`;
    })
    .join("\n");

  const hitRows = d.hits
    .map((x) => {
      const done = labelFor("hit", x.id).length > 0;
      const btn = done
        ? ""
        : supervisor
          ? `<input class="note" maxlength="500" placeholder="${h(w.askWhy)}"> <button data-label="hit" data-id="${x.id}">${h(w.markWrong)}</button>`
          : agent
            ? `<input class="note" maxlength="500" placeholder="${h(w.askDispute)}"> <button data-label="hit" data-id="${x.id}">${h(w.dispute)}</button>`
            : "";
      return `<tr id="hit-${x.id}"><td>${time(x.at)}</td><td title="${h(x.kind)}">${h(o.ruleName(x.kind))}</td><td>${h(own(w.sev, x.severity) ?? x.severity)}</td><td>${h(redactText(sayEvidence(evidenceOf(x.evidence), s.lang)))}</td><td>${labelTags("hit", x.id)} ${btn}</td></tr>`;
    })
    .join("");

  const findingRows = d.findings
    .map((f) => {
      const done = labelFor("finding", f.id).length > 0;
      const btn = supervisor && !done ? `<input class="note" maxlength="500" placeholder="${h(w.askWhy)}"> <button data-label="finding" data-id="${f.id}">${h(w.markWrong)}</button>` : "";
      return `<tr id="finding-${f.id}" class="${h(f.severity)}"><td>${time(f.at)}</td><td title="${h(f.detector)}">${h(own(w.detectors, f.detector) ?? f.detector)}</td><td>${h(own(w.sev, f.severity) ?? f.severity)}</td><td>${h(redactText(said(f)))}<br><small>${h(redactText(f.evidence.join(" · ")))}</small></td><td>${labelTags("finding", f.id)} ${btn}</td></tr>`;
    })
    .join("");

  const alertRows = d.alerts
    .map((a) => {
      const actionable = a.status === "open" || a.status === "snoozed";
      const buttons =
        supervisor && actionable ? ["take_over", "acknowledge", "false_alarm", "snooze"].map((act) => `<button data-alert="${a.id}" data-action="${act}">${h(w.actions[act])}</button>`).join(" ") : "";
      const mine = d.findings.filter((f) => f.alertId === a.id);
      const summary = mine.length ? [...new Set(mine.map(said))].join(s.lang === "zh" ? "；" : "; ") : a.summary;
      const history = a.feedback.map((f) => `${time(f.at)} ${h(own(w.actions, f.action) ?? f.action)} · ${h(o.nameOf(f.operatorId))}`).join("<br>");
      return `<tr id="alert-${a.id}" class="${h(a.severity)}"><td>#${a.id}</td><td>${h(own(w.sev, a.severity) ?? a.severity)}</td><td>${h(redactText(summary))}</td><td class="status">${h(own(w.alertStatus, a.status) ?? a.status)}${a.actedBy ? ` · ${h(o.nameOf(a.actedBy))}` : ""}<br><small>${history}</small></td><td>${buttons}</td></tr>`;
    })
    .join("");

  const hintRows = d.hints
    .map((x) => {
      const fb = x.feedback.length ? (x.feedback[x.feedback.length - 1]!.useful ? w.useful : w.notUseful) : "";
      return `<tr><td>${time(x.createdAt)}</td><td>${h(own(w.hintKinds, x.kind) ?? x.kind)}</td><td>${h(x.title)}</td><td>${h(own(w.hintStatus, x.status) ?? x.status)}${x.reason && s.lang === "en" ? `<br><small>${h(x.reason)}</small>` : "" /* the status says it in zh; the reason is the log's English */}</td><td>${h(fb)}</td></tr>`;
    })
    .join("");

  const table = (title: string, rows: string, empty = "—") => `<section><h2>${h(title)}</h2>${rows ? `<table>${rows}</table>` : `<p class="empty">${empty}</p>`}</section>`;
  const fresh = `<p id="fresh" class="fresh" hidden><a href="">${h(w.fresh)}</a></p>`;
  const head = `${fresh}<h1 data-session="${h(d.id)}">${h(redactText(d.externalKey))} <small>${h(channelName(d.channel, s.lang))} · ${h(own(w.sessionStatus, d.status) ?? d.status)} · ${h(w.cols.qa)} ${d.qaScore === null ? "—" : Math.round(d.qaScore)}${d.assignedTo ? ` · ${h(w.alertStatus.taken_over)} · ${h(o.nameOf(d.assignedTo))}` : ""} · ${h(w.timesIn(o.tz))}</small></h1>`;
  return shell(
    { ...s, page: "session" },
    redactText(d.externalKey),
    `${head}<div class="session"><section><h2>${h(w.timeline)}</h2><ol class="timeline">${timeline}</ol></section><div>${table(w.alerts, alertRows)}${table(w.findings, findingRows)}${table(w.hits, hitRows)}${table(w.hints, hintRows)}</div></div>`,
  );
}
