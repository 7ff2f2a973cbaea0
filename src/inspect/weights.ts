/**
 * Selection weights and inclusion probabilities for risk-weighted random inspection (双随机一公开, 分级分类)
 * (pure).
 *
 * Weight of a tender (every term documented in docs/inspect.md §2):
 *
 *   w = 1 + α·r + β·s + γ·v
 *
 * - r ∈ [0, 1]: the tender's risk score — the largest score of the open or confirmed alerts naming it, else
 *   its `risk_score` from a run's tender_risk.csv, else 0;
 * - s ∈ {0, 1}: a bidder (the firm, its legal representative or a person behind it) has a sanction
 *   (失信/行政处罚/禁入) in force at some time during the plan's period;
 * - v ∈ {0, 1}: a bidder is on the watch list (重点关注对象), directly or through a watched person;
 * - α = 4, β = 2, γ = 1 by default (settings `risk`, `sanction`, `watch`).
 *
 * The constant 1 is the floor: every tender weighs at least 1, so it keeps a chance.
 *
 * Inclusion probabilities (πps, "probability proportional to size" without replacement):
 *
 *   n = ⌈ratio · N⌉,   π_i = min(1, c · w_i),   c chosen so that Σ π_i = n
 *
 * (items whose c·w_i reaches 1 are taken with certainty and c is recomputed over the rest). Effect: for two
 * tenders that are not certain, π_i / π_j = w_i / w_j exactly — a tender with risk 1 is 1 + α = 5 times
 * as likely to be drawn as a clean tender with risk 0; a sanctioned one 1 + β = 3 times; all three at
 * once 1 + α + β + γ = 8 times. Floor: c ≥ n / Σw ≥ ratio / w_max, so every tender has
 * π_i ≥ ratio / (1 + α + β + γ) (0.625 % at ratio 5 % with the defaults).
 */
import { BidwatchError } from "../errors.ts";

export interface WeightSettings {
  /** α: added weight per unit of risk score (risk 1 → +α). */
  readonly risk: number;
  /** β: added weight when a bidder has a sanction in force during the period. */
  readonly sanction: number;
  /** γ: added weight when a bidder is on the watch list. */
  readonly watch: number;
}

export const WEIGHT_DEFAULTS: WeightSettings = { risk: 4, sanction: 2, watch: 1 };

/** What the weight of one tender is computed from (frozen into the plan). */
export interface WeightInputs {
  /** Risk score 0..1. */
  readonly risk: number;
  readonly sanctioned: boolean;
  readonly watched: boolean;
}

export class WeightError extends BidwatchError {
  constructor(message: string) {
    super("E_INSPECT_INPUT", `inspect: ${message}`);
    this.name = "WeightError";
  }
}

/** Settings with defaults filled in; unknown keys and negative or non-finite values are errors. */
export function weightSettings(partial: Partial<WeightSettings> = {}): WeightSettings {
  for (const k of Object.keys(partial)) {
    if (!(k in WEIGHT_DEFAULTS)) throw new WeightError(`unknown weight setting "${k}"`);
  }
  const s = { ...WEIGHT_DEFAULTS, ...partial };
  for (const [k, v] of Object.entries(s)) {
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
      throw new WeightError(`weight setting "${k}" must be a number ≥ 0, not ${String(v)}`);
    }
  }
  return s;
}

/** w = 1 + α·r + β·s + γ·v (r clamped to 0..1). */
export function tenderWeight(inputs: WeightInputs, settings: WeightSettings = WEIGHT_DEFAULTS): number {
  if (!Number.isFinite(inputs.risk)) throw new WeightError(`risk score must be a number, not ${inputs.risk}`);
  const r = Math.min(1, Math.max(0, inputs.risk));
  return (
    1 +
    settings.risk * r +
    (inputs.sanctioned ? settings.sanction : 0) +
    (inputs.watched ? settings.watch : 0)
  );
}

/** The largest possible weight, 1 + α + β + γ. */
export function maxWeight(settings: WeightSettings = WEIGHT_DEFAULTS): number {
  return 1 + settings.risk + settings.sanction + settings.watch;
}

/**
 * The expected effect factor: how many times as likely tender a is drawn as tender b, w_a / w_b (exact
 * while neither is certain, π < 1).
 */
export function effectFactor(
  a: WeightInputs,
  b: WeightInputs,
  settings: WeightSettings = WEIGHT_DEFAULTS,
): number {
  return tenderWeight(a, settings) / tenderWeight(b, settings);
}

/**
 * n = ⌈ratio · N⌉ items to draw, so the realised share n / N is never below the ratio. A tolerance of 1e-9
 * absorbs binary rounding (0.05 · 200 = 10.000000000000002 in floating point gives 10, not 11).
 */
export function sampleSize(ratio: number, population: number): number {
  if (!Number.isFinite(ratio) || ratio <= 0 || ratio > 1) {
    throw new WeightError(`ratio must be in (0, 1], not ${ratio}`);
  }
  if (!Number.isInteger(population) || population < 0) {
    throw new WeightError(`population must be an integer ≥ 0, not ${population}`);
  }
  return Math.min(population, Math.max(0, Math.ceil(ratio * population - 1e-9)));
}

/** The guaranteed lower bound of every tender's inclusion probability: ratio / (1 + α + β + γ). */
export function probabilityFloor(ratio: number, settings: WeightSettings = WEIGHT_DEFAULTS): number {
  return Math.min(1, ratio / maxWeight(settings));
}

export interface Inclusion {
  /** π_i per item, in input order; Σ π_i = n. */
  readonly probabilities: number[];
  /** The final scale c (the probability of a weight-1 item when it is not certain). */
  readonly scale: number;
  /** Items taken with certainty (π = 1). */
  readonly certain: number;
}

/**
 * π_i = min(1, c·w_i) with Σ π_i = n: repeatedly give π = 1 to items with c·w_i ≥ 1 and recompute
 * c = (n − #certain) / Σ w over the others. Input is not mutated.
 */
export function inclusionProbabilities(weights: readonly number[], n: number): Inclusion {
  const N = weights.length;
  if (!Number.isInteger(n) || n < 0 || n > N) throw new WeightError(`cannot draw ${n} of ${N}`);
  for (const w of weights) {
    if (!Number.isFinite(w) || w < 1) throw new WeightError(`weights must be ≥ 1, not ${w}`);
  }
  const certain = new Array<boolean>(N).fill(false);
  let k = 0;
  let c = 0;
  for (;;) {
    let rest = 0;
    for (let i = 0; i < N; i++) if (!certain[i]) rest += weights[i] as number;
    c = rest > 0 ? (n - k) / rest : 0;
    let added = 0;
    for (let i = 0; i < N; i++) {
      if (!certain[i] && c * (weights[i] as number) >= 1) {
        certain[i] = true;
        added++;
      }
    }
    k += added;
    if (added === 0) break;
  }
  const probabilities = weights.map((w, i) => (certain[i] ? 1 : c * w));
  return { probabilities, scale: k === N ? 1 : c, certain: k };
}

export interface WeightGroup {
  /** risk_high (r ≥ 0.7), risk_medium (0.3 ≤ r < 0.7), risk_low (r < 0.3), sanctioned, watched, clean. */
  readonly group: string;
  readonly n: number;
  /** Σ π over the group: the expected number drawn. */
  readonly expected: number;
  readonly drawn: number;
  readonly mean_weight: number;
  readonly mean_probability: number;
  /** mean π of the group / π of a weight-1 tender: the realised effect of the weighting. */
  readonly factor: number;
}

export interface WeightingSummary {
  readonly n_candidates: number;
  readonly n_drawn: number;
  readonly ratio: number;
  /** n_drawn / n_candidates, never below `ratio`. */
  readonly realised_share: number;
  /** The guaranteed floor ratio / (1 + α + β + γ). */
  readonly probability_floor: number;
  readonly min_probability: number;
  readonly max_probability: number;
  /** π of a tender with weight 1 (risk 0, no sanction, not watched). */
  readonly base_probability: number;
  /** Tenders drawn with certainty (π = 1). */
  readonly certain: number;
  /** Expected effect factors w / 1 against a clean tender: risk 1, sanctioned, watched, all three. */
  readonly factors: {
    readonly risk: number;
    readonly sanction: number;
    readonly watch: number;
    readonly max: number;
  };
  readonly settings: WeightSettings;
  readonly groups: readonly WeightGroup[];
}

export interface SummaryRow {
  readonly inputs: WeightInputs;
  readonly weight: number;
  readonly probability: number;
  readonly drawn: boolean;
}

const r6 = (x: number): number => Math.round(x * 1e6) / 1e6;

function groupOf(i: WeightInputs): string[] {
  const g = [i.risk >= 0.7 ? "risk_high" : i.risk >= 0.3 ? "risk_medium" : "risk_low"];
  if (i.sanctioned) g.push("sanctioned");
  if (i.watched) g.push("watched");
  if (i.risk <= 0 && !i.sanctioned && !i.watched) g.push("clean");
  return g;
}

const GROUPS = ["risk_high", "risk_medium", "risk_low", "sanctioned", "watched", "clean"];

/** What the weighting did in one plan, per group, for the plan's summary. */
export function weightingSummary(
  rows: readonly SummaryRow[],
  ratio: number,
  settings: WeightSettings,
  baseProbability: number,
): WeightingSummary {
  const N = rows.length;
  const drawn = rows.filter((r) => r.drawn).length;
  const probs = rows.map((r) => r.probability);
  const base = Math.min(1, baseProbability);
  const acc = new Map(GROUPS.map((g) => [g, { n: 0, expected: 0, drawn: 0, w: 0 }]));
  for (const r of rows) {
    for (const g of groupOf(r.inputs)) {
      const a = acc.get(g);
      if (!a) continue;
      a.n++;
      a.expected += r.probability;
      a.w += r.weight;
      if (r.drawn) a.drawn++;
    }
  }
  return {
    n_candidates: N,
    n_drawn: drawn,
    ratio,
    realised_share: N ? r6(drawn / N) : 0,
    probability_floor: r6(probabilityFloor(ratio, settings)),
    min_probability: N ? r6(probs.reduce((m, p) => Math.min(m, p), 1)) : 0,
    max_probability: N ? r6(probs.reduce((m, p) => Math.max(m, p), 0)) : 0,
    base_probability: r6(base),
    certain: probs.filter((p) => p >= 1).length,
    factors: {
      risk: 1 + settings.risk,
      sanction: 1 + settings.sanction,
      watch: 1 + settings.watch,
      max: maxWeight(settings),
    },
    settings,
    groups: GROUPS.map((group) => {
      const a = acc.get(group) ?? { n: 0, expected: 0, drawn: 0, w: 0 };
      const mean = a.n ? a.expected / a.n : 0;
      return {
        group,
        n: a.n,
        expected: r6(a.expected),
        drawn: a.drawn,
        mean_weight: a.n ? r6(a.w / a.n) : 0,
        mean_probability: r6(mean),
        factor: a.n && base > 0 ? Math.round((mean / base) * 1e4) / 1e4 : 0,
      };
    }),
  };
}
