/**
 * "These sessions changed": the pipeline says so after a commit, the console's live streams
 * listen. In-process and synchronous; a listener that throws is dropped, never the publisher.
 */
export type LiveListener = (sessionIds: string[]) => void;

export function createLiveHub() {
  const listeners = new Set<LiveListener>();
  return {
    publish(sessionIds: Iterable<string>) {
      const ids = [...new Set(sessionIds)];
      if (!ids.length) return;
      for (const l of listeners) {
        try {
          l(ids);
        } catch {
          listeners.delete(l);
        }
      }
    },
    subscribe(l: LiveListener): () => void {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    get listeners() {
      return listeners.size;
    },
  };
}
export type LiveHub = ReturnType<typeof createLiveHub>;
