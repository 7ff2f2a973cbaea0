/**
 * Evaluation metrics (pure, inputs never mutated): ROC AUC by Mann–Whitney with midranks, balanced
 * accuracy, Jaccard similarity, and ring matching at K (each true ring matched at most once). Used by
 * `bidwatch eval` (pipelines/eval.ts); checked against hand-computed values in test/eval/metrics.test.ts.
 */

/**
 * Area under the ROC curve of `scores` for the binary `labels` (true = positive), ties counted as ½:
 *
 *   AUC = (R₊ − n₊(n₊ + 1)/2) / (n₊ · n₋),
 *
 * R₊ the sum of the positives' midranks among all scores (Mann & Whitney, 1947; Hanley & McNeil, 1982,
 * *Radiology* 143: "the area under the ROC curve equals the Mann–Whitney U statistic over n₊n₋").
 * Equals P(score of a random positive > score of a random negative) + ½ P(tie).
 * Returns null when either class is empty. Scores must be finite numbers (callers drop undefined ones).
 */
export function auc(scores: readonly number[], labels: readonly boolean[]): number | null {
  if (scores.length !== labels.length) {
    throw new RangeError(`metrics: auc: ${scores.length} scores but ${labels.length} labels`);
  }
  const n = scores.length;
  const order = [...scores.keys()].sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let rankSumPos = 0;
  let nPos = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    const v = scores[order[i] as number] as number;
    if (!Number.isFinite(v)) throw new RangeError(`metrics: auc: score ${v} is not finite`);
    while (j + 1 < n && scores[order[j + 1] as number] === v) j++;
    const midrank = (i + j) / 2 + 1; // ranks i+1 … j+1
    for (let k = i; k <= j; k++) {
      if (labels[order[k] as number]) {
        rankSumPos += midrank;
        nPos++;
      }
    }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) return null;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * `auc` over the items where `value` gives a finite number (the others are left out), with n = how many
 * those are. Larger values are taken as more likely positive.
 */
export function aucWhereDefined<T>(
  items: readonly T[],
  label: (item: T) => boolean,
  value: (item: T) => number | null,
): { n: number; auc: number | null } {
  const scores: number[] = [];
  const labels: boolean[] = [];
  for (const item of items) {
    const v = value(item);
    if (v === null || !Number.isFinite(v)) continue;
    scores.push(v);
    labels.push(label(item));
  }
  return { n: scores.length, auc: auc(scores, labels) };
}

/**
 * Balanced accuracy = (TPR + TNR) / 2 = ½ (TP/(TP+FN) + TN/(TN+FP)) (Brodersen et al., 2010, ICPR).
 * Null when either class is empty.
 */
export function balancedAccuracy(predicted: readonly boolean[], labels: readonly boolean[]): number | null {
  if (predicted.length !== labels.length) {
    throw new RangeError(
      `metrics: balancedAccuracy: ${predicted.length} predictions but ${labels.length} labels`,
    );
  }
  let tp = 0;
  let fn = 0;
  let tn = 0;
  let fp = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i]) {
      if (predicted[i]) tp++;
      else fn++;
    } else if (predicted[i]) fp++;
    else tn++;
  }
  if (tp + fn === 0 || tn + fp === 0) return null;
  return (tp / (tp + fn) + tn / (tn + fp)) / 2;
}

/** Jaccard similarity |A ∩ B| / |A ∪ B| of two sets given as lists (duplicates ignored); 1 for two empty sets. */
export function jaccard(a: readonly string[], b: readonly string[]): number {
  const sa = new Set(a);
  const sb = new Set(b);
  let inter = 0;
  for (const x of sa) if (sb.has(x)) inter++;
  const union = sa.size + sb.size - inter;
  return union === 0 ? 1 : inter / union;
}

export interface RingMatch {
  /** Index into the truth list. */
  readonly truth: number;
  /** Index into the predicted (ranked) list. */
  readonly predicted: number;
  readonly jaccard: number;
}

export interface MatchAtK {
  readonly k: number;
  /** Predictions considered: the first min(k, predicted.length). */
  readonly considered: number;
  readonly matches: readonly RingMatch[];
  /** Matched true sets / number of true sets (null when there are none). */
  readonly recall: number | null;
  /** Matched predictions / predictions considered (null when none were considered). */
  readonly precision: number | null;
}

/**
 * Matches the top `k` predicted firm sets (in rank order) to the true sets: a pair may match when its
 * Jaccard similarity is ≥ `minJaccard`; each true set and each prediction is used at most once, and the
 * number of matches is maximal (Kuhn's augmenting paths on the bipartite graph of admissible pairs;
 * predictions are visited in rank order and candidates by Jaccard descending, so ties resolve
 * deterministically). recall = matches / true sets, precision = matches / predictions considered.
 */
export function matchAtK(
  predicted: readonly (readonly string[])[],
  truth: readonly (readonly string[])[],
  k: number,
  minJaccard = 0.5,
): MatchAtK {
  if (!Number.isInteger(k) || k < 0)
    throw new RangeError(`metrics: matchAtK: k must be an integer ≥ 0, got ${k}`);
  const top = predicted.slice(0, k);
  const candidates = top.map((p) =>
    truth
      .map((t, ti) => ({ ti, j: jaccard(p, t) }))
      .filter((c) => c.j >= minJaccard)
      .sort((a, b) => b.j - a.j || a.ti - b.ti),
  );
  const ownerOfTruth = new Array<number>(truth.length).fill(-1);
  const tryAssign = (pi: number, seen: boolean[]): boolean => {
    for (const { ti } of candidates[pi] ?? []) {
      if (seen[ti]) continue;
      seen[ti] = true;
      const owner = ownerOfTruth[ti] as number;
      if (owner < 0 || tryAssign(owner, seen)) {
        ownerOfTruth[ti] = pi;
        return true;
      }
    }
    return false;
  };
  for (let pi = 0; pi < top.length; pi++) tryAssign(pi, new Array<boolean>(truth.length).fill(false));
  const matches: RingMatch[] = [];
  ownerOfTruth.forEach((pi, ti) => {
    if (pi >= 0) matches.push({ truth: ti, predicted: pi, jaccard: jaccard(top[pi] ?? [], truth[ti] ?? []) });
  });
  matches.sort((a, b) => a.predicted - b.predicted);
  return {
    k,
    considered: top.length,
    matches,
    recall: truth.length === 0 ? null : matches.length / truth.length,
    precision: top.length === 0 ? null : matches.length / top.length,
  };
}
