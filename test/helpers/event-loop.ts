/** Counts event-loop turns while fn runs: work that holds the loop lets none through. */
export async function turnsDuring<T>(fn: () => Promise<T>): Promise<{ value: T; turns: number }> {
  let turns = 0;
  let on = true;
  const spin = () => {
    if (!on) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  const value = await fn();
  on = false;
  return { value, turns };
}
