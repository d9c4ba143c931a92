/**
 * Group commit: callers submit one item each and await its own result. A flush starts on the
 * next turn of the event loop, so every request that arrived in the same I/O pass shares it;
 * items that arrive while a flush is running are flushed together next. An idle system flushes
 * at once (one turn), a busy one amortises one transaction — one disk flush — over many requests.
 */
export function createBatcher<T, R>(flush: (items: T[]) => Promise<R[]>, maxBatch = 500) {
  type Pending = { item: T; resolve: (r: R) => void; reject: (e: unknown) => void };
  let queue: Pending[] = [];
  let running = false;

  async function drain() {
    running = true;
    while (queue.length) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        const results = await flush(batch.map((p) => p.item));
        for (const [i, p] of batch.entries()) p.resolve(results[i] as R);
      } catch (e) {
        for (const p of batch) p.reject(e);
      }
    }
    running = false;
  }

  return {
    submit(item: T): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (!running) {
          running = true;
          setImmediate(() => void drain());
        }
      });
    },
    submitMany(items: T[]): Promise<R[]> {
      return Promise.all(items.map((i) => this.submit(i)));
    },
  };
}
