/**
 * Held-out check of "the best single screen" (pure). The evaluation's best single screen is the one with the
 * highest AUC on the whole labelled dataset: it is chosen with the labels it is then scored on, which favours
 * it over a score fixed in advance. Here the choice is made on the training folds only and the chosen
 * screen is scored on the held-out fold, next to a fixed comparator (the unsupervised score) on the same
 * fold, so the two are compared on tenders neither was chosen or tuned on.
 */
import { aucWhereDefined } from "./metrics.ts";

/** A candidate (a screen in its collusive direction): larger values are more collusive; null = undefined. */
export interface HeldOutCandidate<T> {
  readonly name: string;
  readonly value: (item: T) => number | null;
}

export interface HeldOutFold {
  readonly fold: number;
  /** The candidate with the highest AUC on the other folds (the first in candidate order on a tie). */
  readonly chosen: string;
  /** Its AUC on the training folds, where it was chosen. */
  readonly train_auc: number;
  /** Its AUC on this fold. */
  readonly held_out_auc: number | null;
  /** The comparator's AUC on this fold. */
  readonly comparator_auc: number | null;
}

export interface HeldOutSelection {
  readonly folds: readonly HeldOutFold[];
  /** Means over the folds where the value is defined (null when it is nowhere). */
  readonly mean_held_out_auc: number | null;
  readonly mean_comparator_auc: number | null;
}

function mean(xs: readonly (number | null)[]): number | null {
  const defined = xs.filter((x): x is number => x !== null);
  return defined.length === 0 ? null : defined.reduce((s, x) => s + x, 0) / defined.length;
}

/**
 * For each fold k of `foldOf` (one fold number per item, 0..folds−1): the candidate with the highest AUC on
 * the items outside fold k, its AUC on fold k, and the comparator's AUC on fold k. Folds without a
 * candidate defined on their training items are left out.
 */
export function heldOutSelection<T>(
  items: readonly T[],
  label: (item: T) => boolean,
  foldOf: readonly number[],
  candidates: readonly HeldOutCandidate<T>[],
  comparator: (item: T) => number | null,
): HeldOutSelection {
  if (foldOf.length !== items.length) {
    throw new RangeError(`heldOutSelection: ${foldOf.length} fold numbers for ${items.length} items`);
  }
  const nFolds = foldOf.reduce((m, f) => Math.max(m, f + 1), 0);
  const folds: HeldOutFold[] = [];
  for (let k = 0; k < nFolds; k++) {
    const train = items.filter((_, i) => foldOf[i] !== k);
    const test = items.filter((_, i) => foldOf[i] === k);
    let best: { c: HeldOutCandidate<T>; auc: number } | null = null;
    for (const c of candidates) {
      const a = aucWhereDefined(train, label, c.value).auc;
      if (a !== null && (best === null || a > best.auc)) best = { c, auc: a };
    }
    if (best === null) continue;
    folds.push({
      fold: k,
      chosen: best.c.name,
      train_auc: best.auc,
      held_out_auc: aucWhereDefined(test, label, best.c.value).auc,
      comparator_auc: aucWhereDefined(test, label, comparator).auc,
    });
  }
  return {
    folds,
    mean_held_out_auc: mean(folds.map((f) => f.held_out_auc)),
    mean_comparator_auc: mean(folds.map((f) => f.comparator_auc)),
  };
}
