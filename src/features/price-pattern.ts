/** Regular price differences: windows of three adjacent bids with equal gaps or ratios, and the firm pairs in them. */
import { type Db, sqlSection } from "../db/duckdb.ts";

export interface PricePatternSettings {
  /** Relative tolerance on equal gaps/ratios: |g2 − g1| / mean(g) ≤ tol. */
  readonly tolerance: number;
  /** Only tight windows: (p3 − p1) / p1 at most this. */
  readonly maxSpan: number;
  /** Pairs must share windows in at least this many tenders. */
  readonly minTenders: number;
}

export const PRICE_PATTERN_DEFAULTS: PricePatternSettings = { tolerance: 0.02, maxSpan: 0.1, minTenders: 2 };

export interface RegularPair {
  readonly firm_a: string;
  readonly firm_b: string;
  readonly tenders: readonly string[];
  readonly n_tenders: number;
  readonly best_dev: number;
}

export interface RegularTender {
  readonly tender_id: string;
  readonly n_windows: number;
  readonly best_dev: number;
}

export interface PricePatternFeatures {
  readonly pairs: readonly RegularPair[];
  readonly tenders: readonly RegularTender[];
  readonly settings: PricePatternSettings;
}

const q = (name: string) => sqlSection(import.meta.url, "price-pattern.sql", name);

export async function computePricePatterns(
  db: Db,
  s: PricePatternSettings = PRICE_PATTERN_DEFAULTS,
): Promise<PricePatternFeatures> {
  await buildRegularWindows(db, s);
  return readPricePatterns(db, s);
}

/** The tender-local part: `feat_regular_windows`, windows of three adjacent bids within one tender. */
export async function buildRegularWindows(
  db: Db,
  s: Pick<PricePatternSettings, "tolerance" | "maxSpan"> = PRICE_PATTERN_DEFAULTS,
): Promise<void> {
  await db.exec(q("regular_windows"), { tol: s.tolerance, max_span: s.maxSpan });
}

/** Pairs across tenders and windows per tender, from an existing `feat_regular_windows`. */
export async function readPricePatterns(
  db: Db,
  s: PricePatternSettings = PRICE_PATTERN_DEFAULTS,
): Promise<PricePatternFeatures> {
  return {
    pairs: await db.all<RegularPair & Record<string, unknown>>(q("regular_pairs"), {
      min_tenders: s.minTenders,
    }),
    tenders: await db.all<RegularTender & Record<string, unknown>>(q("regular_tenders")),
    settings: s,
  };
}
