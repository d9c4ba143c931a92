import { randomBytes } from "node:crypto";
import type { Database } from "./db.ts";

const FIRST_STARTED = "first_started_at";
const INSTALLATION_ID = "installation_id";

/**
 * When this installation first started, and its own id, recorded once (the first start writes it, every later
 * start and every other instance reads the same row). The stand-up never reports on a day
 * before it: a new install has no history to summarise.
 */
export async function recordFirstStart(db: Database, now: Date): Promise<{ installedAt: Date; installationId: string }> {
  const installedAt = new Date(await once(db, FIRST_STARTED, now.toISOString(), now));
  const installationId = await once(db, INSTALLATION_ID, randomBytes(8).toString("hex"), now);
  return { installedAt, installationId };
}

/** The stored value for key, writing `value` if there is none yet (the first writer wins). */
async function once(db: Database, key: string, value: string, now: Date): Promise<string> {
  const read = () => db.prisma.appState.findUnique({ where: { key } });
  let row = await read();
  if (!row) {
    try {
      row = await db.prisma.appState.create({ data: { key, value, updatedAt: now } });
    } catch (e) {
      // Another instance starting at the same moment wrote it first: theirs stands.
      if ((e as { code?: string }).code !== "P2002") throw e;
      row = await read();
    }
  }
  return row!.value;
}
