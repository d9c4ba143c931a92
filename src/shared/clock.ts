/** Time is a capability, so timers and timeouts can be driven by tests. */
export interface Clock {
  now(): number;
}
export const systemClock: Clock = { now: () => Date.now() };
