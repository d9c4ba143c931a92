/**
 * "These sessions changed": the pipeline says so after a commit, the console's live streams
 * listen. In-process and synchronous; a listener that throws is dropped, never the publisher.
 * With several instances on one database a relay carries what this one publishes to the others
 * and hands theirs to `deliver` (storage/live-relay.ts).
 */
export type LiveListener = (sessionIds: string[]) => void;

export interface LiveRelay {
  send(sessionIds: string[]): void;
  close(): Promise<void>;
}

export function createLiveHub() {
  const listeners = new Set<LiveListener>();
  let relay: LiveRelay | undefined;
  const deliver = (ids: string[]) => {
    for (const l of listeners) {
      try {
        l(ids);
      } catch {
        listeners.delete(l);
      }
    }
  };
  return {
    /** This instance's change: its listeners, and the other instances. */
    publish(sessionIds: Iterable<string>) {
      const ids = [...new Set(sessionIds)];
      if (!ids.length) return;
      deliver(ids);
      relay?.send(ids);
    },
    /** Another instance's change, as the relay heard it: this instance's listeners only. */
    deliver(sessionIds: string[]) {
      if (sessionIds.length) deliver(sessionIds);
    },
    subscribe(l: LiveListener): () => void {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    useRelay(r: LiveRelay) {
      relay = r;
    },
    async close() {
      await relay?.close();
    },
    get listeners() {
      return listeners.size;
    },
  };
}
export type LiveHub = ReturnType<typeof createLiveHub>;
