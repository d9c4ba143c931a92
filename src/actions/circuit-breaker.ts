/**
 * A circuit breaker per destination (a channel webhook's URL): after `failures` failures in a
 * row the destination is left alone for a cooldown, then one probe is let through; its success
 * closes the circuit, its failure opens it again for twice as long (up to maxMs). Pure: the
 * time is passed in.
 */
export interface CircuitOptions {
  failures: number;
  baseMs: number;
  maxMs: number;
}

interface Circuit {
  fails: number;
  openUntil: number;
  cooldownMs: number;
  probing: boolean;
}

export function createCircuits(o: CircuitOptions) {
  const circuits = new Map<string, Circuit>();
  return {
    /** May a send to `key` start now? In the half-open state only one probe at a time. */
    allows(key: string, now: number): boolean {
      const c = circuits.get(key);
      if (!c || c.fails < o.failures) return true;
      if (now < c.openUntil || c.probing) return false;
      c.probing = true;
      return true;
    },
    /** When an open circuit lets its next probe through (undefined: closed). */
    openUntil(key: string): number | undefined {
      const c = circuits.get(key);
      return c && c.fails >= o.failures ? c.openUntil : undefined;
    },
    success(key: string) {
      circuits.delete(key);
    },
    /** Records a failure; true when it opened (or re-opened) the circuit. */
    failure(key: string, now: number): boolean {
      const c = circuits.get(key) ?? { fails: 0, openUntil: 0, cooldownMs: 0, probing: false };
      c.fails++;
      circuits.set(key, c);
      if (c.fails < o.failures) return false;
      c.cooldownMs = c.probing || c.cooldownMs ? Math.min(o.maxMs, Math.max(o.baseMs, c.cooldownMs * 2)) : o.baseMs;
      c.openUntil = now + c.cooldownMs;
      c.probing = false;
      return true;
    },
    /** Destinations whose circuit is open at `now` (their rows are not claimed). */
    open(now: number): string[] {
      return [...circuits].filter(([, c]) => c.fails >= o.failures && (now < c.openUntil || c.probing)).map(([k]) => k);
    },
  };
}

export type Circuits = ReturnType<typeof createCircuits>;
