/** Classification metrics, pure. */
export interface ClassStats {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export function classStats(gold: string[], pred: string[], cls: string): ClassStats {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < gold.length; i++) {
    if (pred[i] === cls && gold[i] === cls) tp++;
    else if (pred[i] === cls) fp++;
    else if (gold[i] === cls) fn++;
  }
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  return { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, support: tp + fn };
}

/**
 * Accuracy and macro-F1 over the classes present in the gold labels: a prediction of a class
 * the set does not have (neutral on a two-class set) is simply a miss.
 */
export function classification(gold: string[], pred: string[], labels: string[]) {
  const present = labels.filter((l) => gold.includes(l));
  const perClass = Object.fromEntries(present.map((c) => [c, classStats(gold, pred, c)]));
  const macroF1 = present.length ? present.reduce((s, c) => s + perClass[c]!.f1, 0) / present.length : 0;
  const accuracy = gold.length ? gold.filter((g, i) => g === pred[i]).length / gold.length : 0;
  const confusion: Record<string, Record<string, number>> = {};
  for (const g of labels) confusion[g] = Object.fromEntries(labels.map((p) => [p, 0]));
  gold.forEach((g, i) => {
    const row = confusion[g];
    if (row && pred[i]! in row) row[pred[i]!]!++;
  });
  return { n: gold.length, accuracy, macroF1, perClass, confusion };
}

export const pct = (v: number) => (v * 100).toFixed(1).padStart(5);
