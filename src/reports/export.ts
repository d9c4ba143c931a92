import { redactText } from "../shared/redact.ts";
import type { Database } from "../storage/db.ts";
import { exportRows } from "../storage/report-queries.ts";
import { detectLang } from "../scoring/text.ts";

export interface ExportOptions {
  from: Date;
  to: Date;
  includePii: boolean;
}

/**
 * Sessions with messages, scores, rule hits, findings, alerts and feedback. One object per
 * session in the shape `npm run eval -- sessions` reads (id, lang, messages with ts in seconds
 * from the session's start, label.abnormal = an alert was raised), so logged traffic can be
 * replayed and evaluated. Customer PII is redacted unless includePii.
 */
export async function exportSessions(db: Database, o: ExportOptions) {
  const clean = (s: string) => (o.includePii ? s : redactText(s));
  const { sessions, hints } = await exportRows(db, o.from, o.to);
  return sessions.map((s) => {
    const t0 = s.messages[0]?.sentAt.getTime() ?? s.openedAt.getTime();
    const text = s.messages.map((m) => m.text).join(" ");
    return {
      id: s.id,
      lang: detectLang(text),
      channel: s.channel,
      externalKey: s.externalKey,
      status: s.status,
      qaScore: s.qaScore,
      messages: s.messages.map((m) => ({
        role: m.role,
        text: clean(m.text),
        ts: Math.round((m.sentAt.getTime() - t0) / 100) / 10,
        messageId: m.id,
        score: m.score
          ? { valence: m.score.valence, intensity: m.score.intensity, category: m.score.category, source: m.score.source, escalation: m.score.escalation ? JSON.parse(m.score.escalation) : [] }
          : null,
        hits: s.hits.filter((h) => h.messageId === m.id).map((h) => h.kind),
      })),
      label: { abnormal: s.alerts.some((a) => a.kind === "session") },
      hits: s.hits.map((h) => ({ ruleId: h.ruleId, kind: h.kind, severity: h.severity, evidence: clean(h.evidence), source: h.source, messageId: h.messageId })),
      findings: s.findings.map((f) => ({ detector: f.detector, severity: f.severity, summary: clean(f.summary), evidence: (JSON.parse(f.evidence) as string[]).map(clean), messageId: f.messageId })),
      alerts: s.alerts.map((a) => ({
        id: a.id,
        status: a.status,
        severity: a.severity,
        summary: clean(a.summary),
        createdAt: a.createdAt,
        feedback: a.feedback.map((f) => ({ action: f.action, operatorId: f.operatorId, at: f.at })),
      })),
      hints: hints
        .filter((h) => h.sessionId === s.id)
        .map((h) => ({
          kind: h.kind,
          refId: h.refId,
          title: h.title,
          status: h.status,
          messageId: h.messageId,
          createdAt: h.createdAt,
          feedback: h.feedback.map((f) => ({ useful: f.useful, operatorId: f.operatorId, at: f.at })),
        })),
    };
  });
}

/**
 * One CSV cell. A customer's "=HYPERLINK(…)" or "+cmd|…" must stay text in a spreadsheet: a cell
 * starting with = + - @ (or a tab or carriage return) gets a leading apostrophe (OWASP's advice).
 */
const csvCell = (v: unknown) => {
  const raw = v === null || v === undefined ? "" : String(v);
  const s = typeof v === "string" && /^[=+\-@\t\r]/.test(raw) ? `'${raw}` : raw;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One row per message, for spreadsheets. */
export function toCsv(rows: Awaited<ReturnType<typeof exportSessions>>): string {
  const head = ["session_id", "channel", "session_qa", "alerted", "message_id", "ts", "role", "text", "valence", "category", "rule_hits"];
  const lines = [head.join(",")];
  for (const s of rows) {
    for (const m of s.messages) {
      lines.push([s.id, s.channel, s.qaScore, s.label.abnormal, m.messageId, m.ts, m.role, m.text, m.score?.valence, m.score?.category, m.hits.join("|")].map(csvCell).join(","));
    }
  }
  return `${lines.join("\n")}\n`;
}
