import { AppError } from "../shared/errors.ts";
import type { InboxRecord, InboxRepo } from "../storage/inbox-repo.ts";

/** true: new; false: already recorded. Throws db_unavailable (503) so the sender retries later. */
export type RecordEvent = (r: InboxRecord) => Promise<boolean>;
export type RecordEvents = (r: InboxRecord[]) => Promise<boolean[]>;

/** The edge's single write: record durably, then wake the worker. */
export function createRecorder(inbox: InboxRepo, onRecorded: () => void) {
  const wrap = async <T>(p: Promise<T>): Promise<T> => {
    try {
      const r = await p;
      onRecorded();
      return r;
    } catch (e) {
      throw new AppError("db_unavailable", "could not record the event; the database is unavailable, retry later", { cause: String(e) });
    }
  };
  return {
    record: ((r) => wrap(inbox.accept(r))) as RecordEvent,
    recordMany: ((rs) => wrap(inbox.acceptMany(rs))) as RecordEvents,
  };
}
