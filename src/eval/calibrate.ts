/**
 * Supervised calibration of the price screens under cross-validation (pure, seeded): a balanced random
 * forest of CART trees (mljs `ml-random-forest`) learns from labelled tenders which screen values mark a
 * collusive tender; stratified k-fold cross-validation at tender level scores it on tenders it never saw.
 *
 * Features: the tender's number of bids and its screens (`CALIBRATION_FEATURES`) — never the tender id
 * or a date, which leak the cartel period. An undefined screen (too few bids, zero spread) becomes a
 * sentinel value below every real one, so a tree can split "undefined" off. Each tree:
 *
 * 1. **Balanced subsample** (Chen, Liaw & Breiman, 2004, "Using random forest to learn imbalanced
 *    data"): m tenders drawn with replacement from each class, m = the smaller class's training count
 *    capped at `maxPerClass` (128), rows shuffled. Balancing keeps the trees from learning the majority
 *    class and makes a ½ vote threshold suit balanced accuracy; the cap keeps training affordable on the
 *    larger files (the library's CART tries a threshold at every change of label in sorted order, which
 *    is quadratic in the rows) — small bootstrap samples with many trees, as in Breiman (1999),
 *    "Pasting small votes for classification in large databases and on-line", *Machine Learning* 36.
 * 2. **Tree**: `RandomForestClassifier` of `ml-random-forest` with one estimator trained on that sample,
 *    on a random half of the features (the library's seeded feature bagging — the random subspace
 *    method, Ho, 1998, *IEEE TPAMI* 20(8)), CART with Gini gain and the library's default stopping rules.
 *
 * The forest's score for a tender is the share of trees voting "collusive"; predicted collusive when
 * the share is ≥ ½. Outputs: out-of-fold scores for every tender, their AUC, and the balanced accuracy
 * of the predictions. Every random draw comes from mulberry32 seeded by `seed`, fold and tree.
 */
import { RandomForestClassifier } from "ml-random-forest";
import { mulberry32 } from "../domain/seeded.ts";
import { SUBSET_SCREEN_COLUMNS, TENDER_SCREEN_COLUMNS, type TenderScreens } from "../features/screens.ts";
import { auc, balancedAccuracy } from "./metrics.ts";

/** Features the calibration learns from: number of bids, whole-tender screens and subset screens. */
export const CALIBRATION_FEATURES = ["n_bids", ...TENDER_SCREEN_COLUMNS, ...SUBSET_SCREEN_COLUMNS] as const;
export type CalibrationFeature = (typeof CALIBRATION_FEATURES)[number];

export interface CalibrationSettings {
  readonly folds: number;
  readonly trees: number;
  /** Largest number of tenders drawn per class for one tree. */
  readonly maxPerClass: number;
  /** Share of the features each tree sees. */
  readonly featureShare: number;
  readonly seed: number;
}

export const CALIBRATION_DEFAULTS: CalibrationSettings = {
  folds: 5,
  trees: 200,
  maxPerClass: 128,
  featureShare: 0.5,
  seed: 20250524,
};

export interface LabelledTender {
  readonly tender_id: string;
  readonly label: boolean;
  readonly screens: TenderScreens;
}

export interface CrossValidation {
  readonly settings: CalibrationSettings;
  readonly tenders: number;
  readonly positives: number;
  /** Out-of-fold score (share of trees voting collusive) per tender, in input order. */
  readonly scores: readonly number[];
  /** Fold (0-based) each tender was tested in, in input order. */
  readonly foldOf: readonly number[];
  /** AUC of the pooled out-of-fold scores. */
  readonly auc: number | null;
  /** Balanced accuracy of the pooled out-of-fold predictions (score ≥ ½). */
  readonly balancedAccuracy: number | null;
  /** Balanced accuracy within each fold, fold order. */
  readonly foldBalancedAccuracy: readonly (number | null)[];
}

/**
 * The feature vector of one tender; undefined screens are null. Values are rounded to 12 significant
 * digits: DuckDB's parallel sums may differ in the last bits between runs, and a tree threshold must not
 * depend on that.
 */
export function featureVector(s: TenderScreens): (number | null)[] {
  return CALIBRATION_FEATURES.map((f) => {
    const v = (s as unknown as Record<string, number | null | undefined>)[f];
    return v === undefined || v === null || !Number.isFinite(v) ? null : Number(v.toPrecision(12));
  });
}

/**
 * Stratified fold assignment: the tenders of each class are shuffled (seeded Fisher–Yates) and dealt to
 * the folds in turn, so every fold holds about the same share of collusive tenders. Returns the fold of
 * each tender in input order.
 */
export function stratifiedFolds(labels: readonly boolean[], folds: number, seed: number): number[] {
  if (!Number.isInteger(folds) || folds < 2)
    throw new RangeError(`calibrate: folds must be ≥ 2, got ${folds}`);
  const rng = mulberry32(seed);
  const out = new Array<number>(labels.length).fill(0);
  let next = 0;
  for (const cls of [true, false]) {
    const idx = labels.flatMap((l, i) => (l === cls ? [i] : []));
    shuffleInPlace(idx, rng);
    for (const i of idx) {
      out[i] = next % folds;
      next++;
    }
  }
  return out;
}

function shuffleInPlace<T>(xs: T[], rng: () => number): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = xs[i] as T;
    xs[i] = xs[j] as T;
    xs[j] = t;
  }
}

/** Stands for an undefined screen: below every real value, so trees can split it off. */
export const UNDEFINED_FEATURE = -1e9;

/** Trains a balanced forest on the training rows and returns the share of trees voting collusive per test row. */
export function forestScores(
  train: readonly (readonly (number | null)[])[],
  trainLabels: readonly boolean[],
  test: readonly (readonly (number | null)[])[],
  settings: Pick<CalibrationSettings, "trees" | "maxPerClass" | "featureShare">,
  seed: number,
): number[] {
  const dense = (r: readonly (number | null)[]) => r.map((v) => v ?? UNDEFINED_FEATURE);
  const X = train.map(dense);
  const Xtest = test.map(dense);
  const pos = trainLabels.flatMap((l, i) => (l ? [i] : []));
  const neg = trainLabels.flatMap((l, i) => (l ? [] : [i]));
  if (pos.length === 0 || neg.length === 0) return test.map(() => (pos.length > 0 ? 1 : 0));
  const perClass = Math.min(pos.length, neg.length, settings.maxPerClass);
  const rng = mulberry32(seed);
  const votes = new Array<number>(test.length).fill(0);
  for (let t = 0; t < settings.trees; t++) {
    const rows: number[] = [];
    for (const cls of [neg, pos]) {
      for (let k = 0; k < perClass; k++) rows.push(cls[Math.floor(rng() * cls.length)] as number);
    }
    shuffleInPlace(rows, rng);
    const tree = new RandomForestClassifier({
      nEstimators: 1,
      maxFeatures: settings.featureShare,
      replacement: false,
      useSampleBagging: false,
      noOOB: true,
      seed: Math.floor(rng() * 0x7fffffff),
    });
    tree.train(
      rows.map((i) => X[i] as number[]),
      rows.map((i) => (trainLabels[i] ? 1 : 0)),
    );
    const pred = tree.predict(Xtest);
    for (let i = 0; i < pred.length; i++) votes[i] = (votes[i] as number) + (pred[i] === 1 ? 1 : 0);
  }
  return votes.map((v) => v / settings.trees);
}

/**
 * Stratified k-fold cross-validation of the balanced forest over labelled tenders (one row per tender,
 * so a tender's bids never straddle training and test).
 */
export function crossValidate(
  tenders: readonly LabelledTender[],
  settings: CalibrationSettings = CALIBRATION_DEFAULTS,
): CrossValidation {
  const labels = tenders.map((t) => t.label);
  const features = tenders.map((t) => featureVector(t.screens));
  const foldOf = stratifiedFolds(labels, settings.folds, settings.seed);
  const scores = new Array<number>(tenders.length).fill(0);
  for (let fold = 0; fold < settings.folds; fold++) {
    const trainIdx = foldOf.flatMap((f, i) => (f === fold ? [] : [i]));
    const testIdx = foldOf.flatMap((f, i) => (f === fold ? [i] : []));
    if (testIdx.length === 0) continue;
    const s = forestScores(
      trainIdx.map((i) => features[i] as (number | null)[]),
      trainIdx.map((i) => labels[i] as boolean),
      testIdx.map((i) => features[i] as (number | null)[]),
      settings,
      (settings.seed ^ Math.imul(fold + 1, 0x9e3779b1)) >>> 0,
    );
    testIdx.forEach((i, k) => {
      scores[i] = s[k] as number;
    });
  }
  const predicted = scores.map((s) => s >= 0.5);
  const foldBalancedAccuracy = Array.from({ length: settings.folds }, (_, fold) => {
    const idx = foldOf.flatMap((f, i) => (f === fold ? [i] : []));
    return balancedAccuracy(
      idx.map((i) => predicted[i] as boolean),
      idx.map((i) => labels[i] as boolean),
    );
  });
  return {
    settings,
    tenders: tenders.length,
    positives: labels.filter(Boolean).length,
    scores,
    foldOf,
    auc: auc(scores, labels),
    balancedAccuracy: balancedAccuracy(predicted, labels),
    foldBalancedAccuracy,
  };
}
