import type { Database } from "./db.ts";

const FIRST_STARTED = "first_started_at";

/**
 * When this installation first started, recorded once (the first start writes it, every later
 * start and every other instance reads the same row). The stand-up never reports on a day
 * before it: a new install has no history to summarise.
 */
export async function recordFirstStart(db: Database, now: Date): Promise<Date> {
  const read = () => db.prisma.appState.findUnique({ where: { key: FIRST_STARTED } });
  let row = await read();
  if (!row) {
    try {
      row = await db.prisma.appState.create({ data: { key: FIRST_STARTED, value: now.toISOString(), updatedAt: now } });
    } catch (e) {
      // Another instance starting at the same moment wrote it first: theirs stands.
      if ((e as { code?: string }).code !== "P2002") throw e;
      row = await read();
    }
  }
  return new Date(row!.value);
}
