/**
 * Group commit: callers submit one item each and await its own result; items that arrive while
 * a flush is running are flushed together next. No timer: an idle system flushes at once, a
 * busy one amortises one transaction over many requests.
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
        if (!running) void drain();
      });
    },
    submitMany(items: T[]): Promise<R[]> {
      return Promise.all(items.map((i) => this.submit(i)));
    },
  };
}
