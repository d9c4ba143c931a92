import { readSnapshot, type Database } from "./db.ts";

const sessionSelect = {
  id: true,
  channel: true,
  externalKey: true,
  status: true,
  stage: true,
  openedAt: true,
  lastMessageAt: true,
  lastCustomerAt: true,
  lastAgentAt: true,
  closedAt: true,
  closeReason: true,
  messageCount: true,
  qaScore: true,
  valenceAvg: true,
  valenceMin: true,
  valenceLast: true,
  negativeTurns: true,
  escalationKinds: true,
  empathyCount: true,
  ruleHitCount: true,
  firstResponseSecs: true,
  assignedTo: true,
  assignedAt: true,
  agentId: true,
} as const;

const messageSelect = {
  id: true,
  role: true,
  source: true,
  externalId: true,
  msgType: true,
  text: true,
  lang: true,
  sentAt: true,
  receivedAt: true,
  participant: { select: { externalId: true, name: true, role: true } },
  score: { select: { lang: true, valence: true, intensity: true, category: true, evidence: true, escalation: true, source: true } },
} as const;

/** Read side for dashboards and evaluation. */
export function createSessionQueries(db: Database) {
  const { prisma } = db;
  return {
    list: (opts: { since?: Date; status?: string; limit: number }) =>
      prisma.session.findMany({
        where: { ...(opts.since ? { lastMessageAt: { gte: opts.since } } : {}), ...(opts.status ? { status: opts.status } : {}) },
        orderBy: { lastMessageAt: "desc" },
        take: opts.limit,
        select: sessionSelect,
      }),
    /** By our id, or else the latest session carrying that platform id (chat, ticket, ingest sessionId). */
    get: (id: string) =>
      readSnapshot(db, async (tx) => {
        const where = (await tx.session.findUnique({ where: { id }, select: { id: true } }))
          ? { id }
          : ((await tx.session.findFirst({ where: { externalKey: id }, orderBy: { openedAt: "desc" }, select: { id: true } })) ?? undefined);
        if (!where) return undefined;
        const s = await tx.session.findUnique({
          where: { id: where.id },
          select: {
            ...sessionSelect,
            messages: { orderBy: [{ sentAt: "asc" }, { receivedAt: "asc" }], select: messageSelect },
            events: { orderBy: { at: "asc" }, select: { kind: true, at: true, data: true } },
            hits: { orderBy: { at: "asc" }, select: { id: true, ruleId: true, kind: true, severity: true, evidence: true, lesson: true, messageId: true, source: true, at: true } },
            findings: { orderBy: { id: "asc" }, select: { id: true, detector: true, severity: true, summary: true, evidence: true, facts: true, messageId: true, alertId: true, at: true } },
            alerts: {
              orderBy: { id: "asc" },
              select: {
                id: true,
                status: true,
                severity: true,
                summary: true,
                actedBy: true,
                actedAt: true,
                snoozedUntil: true,
                createdAt: true,
                updatedAt: true,
                feedback: { orderBy: { id: "asc" }, select: { action: true, operatorId: true, at: true } },
              },
            },
          },
        });
        if (!s) return undefined;
        // Hints are not a relation of Session in the schema (they outlive nothing): read them here.
        const hints = await tx.hint.findMany({
          where: { sessionId: s.id },
          orderBy: { id: "asc" },
          select: { id: true, kind: true, refId: true, title: true, content: true, status: true, reason: true, messageId: true, createdAt: true, feedback: { select: { useful: true, at: true } } },
        });
        return {
          ...s,
          findings: s.findings.map((f) => ({ ...f, evidence: JSON.parse(f.evidence) as string[], facts: f.facts ? (JSON.parse(f.facts) as unknown) : null })),
          hints: hints.map(({ content, ...h }) => {
            const c = JSON.parse(content) as { text: string; reply: string; source?: string; lang: string };
            return { ...h, text: c.text, reply: c.reply, source: c.source ?? null, lang: c.lang };
          }),
        };
      }),
  };
}

export type SessionQueries = ReturnType<typeof createSessionQueries>;

export interface Transcript {
  id: string;
  /** The platform's session, chat or ticket id. */
  externalKey: string;
  messages: Array<{ role: "customer" | "agent"; text: string; ts: number }>;
}

/**
 * Stored conversations as transcripts (customer and agent messages, seconds), oldest id first,
 * a page at a time so a long history never sits in memory whole. For the shadow test.
 */
export async function* transcripts(db: Database, since?: Date, page = 200): AsyncGenerator<Transcript> {
  for (let cursor: string | undefined; ; ) {
    const rows = await db.prisma.session.findMany({
      where: since ? { openedAt: { gte: since } } : {},
      orderBy: { id: "asc" },
      take: page,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      select: { id: true, externalKey: true, messages: { orderBy: [{ sentAt: "asc" }, { receivedAt: "asc" }], select: { role: true, text: true, sentAt: true } } },
    });
    if (!rows.length) return;
    cursor = rows[rows.length - 1]!.id;
    for (const s of rows) {
      const messages = s.messages.filter((m) => m.role === "customer" || m.role === "agent").map((m) => ({ role: m.role as "customer" | "agent", text: m.text, ts: m.sentAt.getTime() / 1000 }));
      if (messages.length) yield { id: s.id, externalKey: s.externalKey, messages };
    }
  }
}
