/**
 * Unsupervised tender screen score (pure): how collusive a tender's bid prices look, 0..1, from four
 * price screens compared with the quartiles of comparable tenders. No labels are used anywhere: the
 * screens, their directions and the way they are combined are fixed from the literature, not fitted.
 *
 * Screens and the direction that points to collusion (docs/screens.md has the formulas):
 * - `cv` low and `spd` low — the variance screens: cover bids placed close to the designated winner
 *   compress the price distribution (Abrantes-Metz et al., 2006; Imhof, 2017; Huber & Imhof, 2019,
 *   where the variance screens carry most of the predictive power);
 * - `kurt` high — bids concentrated around one value (Imhof, 2017; Huber & Imhof, 2019);
 * - `rd_losing` high — the textbook relative distance: the winner far from tightly clustered losing
 *   bids (Imhof, 2017; Imhof, Karagök & Rutz, 2018, who flag tenders on low CV together with high RD).
 *   The textbook form is used because the published-data convention `rd` is the constant √2 for 3 bids.
 *
 * Per screen, a direction-corrected percentile estimated from the population quartiles only:
 *
 *   z = (x − median) / s,  s = (median − Q₁)/0.6745 below the median, (Q₃ − median)/0.6745 above it,
 *   p = 1 / (1 + exp(−1.702 · z)) for a "high" screen, 1 − p for a "low" one,
 *
 * a split-half robust z-score (Q₁ and Q₃ lie 0.6745 σ from the median of a normal distribution; using
 * each half's own spread keeps right-skewed screens like CV on a fair scale) mapped through the logistic
 * approximation of the normal CDF, max error 0.0095 (Haley, 1952; see Camilli, 1994, *J. Educational and
 * Behavioral Statistics* 19(3), 293–295). If one half-spread is 0 the other is used; if both are, p is 0, ½ or 1.
 * The mapping is strictly increasing in the collusive direction, so a score of one screen orders tenders
 * exactly as the screen does.
 *
 * Score = the mean of the available screens' p (equal weights; a screen undefined for the tender — too
 * few bids, zero spread — is left out). Null when none is defined (fewer than 2 bids). A tender at the
 * median of every screen scores 0.5.
 *
 * Quartiles come from the population the tender is compared with: all tenders of a dataset, or a
 * category × size-band group as `computeFences` (src/features/fences.ts) writes them to `screen_fences`
 * (its q1, median and q3 columns are exactly what `ScreenQuartiles` needs).
 */

export type ScreenDirection = "low" | "high";

export interface ScoredScreen {
  readonly screen: "cv" | "spd" | "kurt" | "rd_losing";
  readonly direction: ScreenDirection;
}

/** The screens of the score, with the direction that points to collusion. Order = order of `parts`. */
export const SCORE_SCREENS: readonly ScoredScreen[] = [
  { screen: "cv", direction: "low" },
  { screen: "spd", direction: "low" },
  { screen: "kurt", direction: "high" },
  { screen: "rd_losing", direction: "high" },
];

export type ScoreScreenName = ScoredScreen["screen"];

/** Population quartiles of one screen (R type 7, as `screen_fences` holds them). */
export interface ScreenQuartiles {
  readonly q1: number;
  readonly median: number;
  readonly q3: number;
}

/** Q₁ and Q₃ of the standard normal distribution lie this many σ from the median. */
const NORMAL_QUARTILE_Z = 0.6745;
/** Logistic approximation of Φ: Φ(z) ≈ 1 / (1 + e^(−1.702 z)). */
const LOGISTIC_SCALE = 1.702;

/**
 * Direction-corrected percentile (0..1) of `value` against the population quartiles: near 1 when the
 * value lies far on the collusive side. Null when the value or the quartiles are not finite.
 */
export function screenPercentile(
  value: number | null | undefined,
  q: ScreenQuartiles,
  direction: ScreenDirection,
): number | null {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  if (![q.q1, q.median, q.q3].every(Number.isFinite)) return null;
  const below = Math.max(0, q.median - q.q1) / NORMAL_QUARTILE_Z;
  const above = Math.max(0, q.q3 - q.median) / NORMAL_QUARTILE_Z;
  const d = value - q.median;
  let s = d < 0 ? below : above;
  if (s === 0) s = d < 0 ? above : below;
  const z = d === 0 ? 0 : s === 0 ? Math.sign(d) * Number.POSITIVE_INFINITY : d / s;
  const p = 1 / (1 + Math.exp(-LOGISTIC_SCALE * z));
  return direction === "high" ? p : 1 - p;
}

export interface ScreenScorePart {
  readonly screen: ScoreScreenName;
  readonly direction: ScreenDirection;
  readonly value: number;
  readonly percentile: number;
  readonly quartiles: ScreenQuartiles;
}

export interface ScreenScore {
  /** Mean of the parts' percentiles, 0..1; null when no screen is defined for the tender. */
  readonly score: number | null;
  /** The screens that entered the score, in SCORE_SCREENS order (the evidence behind the score). */
  readonly parts: readonly ScreenScorePart[];
}

/**
 * The screen score of one tender. `screens` holds the tender's screen values (a `tender_screens` row
 * will do); `quartiles` the population quartiles per screen. A screen without a value or without
 * quartiles is left out.
 */
export function screenScore(
  screens: Readonly<Partial<Record<ScoreScreenName, number | null>>>,
  quartiles: Readonly<Partial<Record<ScoreScreenName, ScreenQuartiles>>>,
): ScreenScore {
  const parts: ScreenScorePart[] = [];
  for (const { screen, direction } of SCORE_SCREENS) {
    const q = quartiles[screen];
    const value = screens[screen];
    if (q === undefined || value === null || value === undefined) continue;
    const percentile = screenPercentile(value, q, direction);
    if (percentile === null) continue;
    parts.push({ screen, direction, value, percentile, quartiles: q });
  }
  const score = parts.length === 0 ? null : parts.reduce((s, p) => s + p.percentile, 0) / parts.length;
  return { score, parts };
}
