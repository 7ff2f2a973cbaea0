/** The feature stage: every SQL feature the detectors read, computed in DuckDB and read in bulk. */
import type { Db } from "../db/duckdb.ts";
import type { TenderParticipation } from "../detectors/rings.ts";
import { allSettledOrThrow } from "../domain/settled.ts";
import { type CobidFeatures, computeCobidFeatures } from "./cobid.ts";
import {
  computeIdentityFeatures,
  HUB_DEFAULTS,
  type HubSettings,
  type IdentityFeatures,
} from "./identity.ts";
import { readParticipation } from "./participation.ts";
import {
  buildRegularWindows,
  PRICE_PATTERN_DEFAULTS,
  type PricePatternFeatures,
  type PricePatternSettings,
  readPricePatterns,
} from "./price-pattern.ts";
import { buildProcessTenderTables, computeProcessGlobalFeatures, type ProcessFeatures } from "./process.ts";
import { buildScreenTenderTables, computeScreenFenceFeatures, type ScreenFeatures } from "./screen-stage.ts";

export interface Features {
  readonly identity: IdentityFeatures;
  readonly screens: ScreenFeatures;
  readonly pricePatterns: PricePatternFeatures;
  readonly process: ProcessFeatures;
  readonly cobid: CobidFeatures;
  readonly participation: readonly TenderParticipation[];
}

export interface FeatureSettings {
  readonly hub: HubSettings;
  readonly pricePattern: PricePatternSettings;
  readonly screenMinBids: number;
}

export const FEATURE_DEFAULTS: FeatureSettings = {
  hub: HUB_DEFAULTS,
  pricePattern: PRICE_PATTERN_DEFAULTS,
  screenMinBids: 4,
};

/**
 * The tables of the tender-local phase: each row depends on one tender and its bids alone, so they can be
 * computed per partition of the tenders and concatenated (docs/scale-out.md). Everything else in the
 * feature stage reads across tenders (fences and quartiles, value usage and hub thresholds, cross-tender
 * links, people links, co-bidding, wins and disqualification rates, upload pairs, debarment) and runs in
 * the global phase, over all tenders.
 */
export const TENDER_LOCAL_TABLES = [
  "tender_screens",
  "feat_regular_windows",
  "proc_tenders",
  "proc_identical_prices",
  "proc_late_winning_bids",
] as const;
export type TenderLocalTable = (typeof TENDER_LOCAL_TABLES)[number];

/** The settings the tender-local phase reads. */
export type TenderLocalSettings = Pick<FeatureSettings, "pricePattern">;

/** Builds TENDER_LOCAL_TABLES from the `tenders` and `bids` tables. */
export async function computeTenderLocalTables(
  db: Db,
  s: TenderLocalSettings = FEATURE_DEFAULTS,
): Promise<void> {
  await buildScreenTenderTables(db);
  await buildRegularWindows(db, s.pricePattern);
  await buildProcessTenderTables(db);
}

/** Something that leaves TENDER_LOCAL_TABLES in the database: computeTenderLocalTables, or a load of partitions. */
export type TenderLocalPhase = (db: Db, s: TenderLocalSettings) => Promise<void>;

/**
 * The tender-local phase (by default computed here; a partitioned run passes its own), then the global phase
 * over all tenders, which reads the tender-local tables.
 *
 * Three groups of tables share nothing but the stored tables, so they run at the same time, each on its own
 * connection: the tender-local phase with everything that reads it (screens, price patterns, process flags,
 * participation) on `db`, where a partitioned run leaves the tender-local tables; identity links; co-bidding.
 * DuckDB runs queries of different connections concurrently, and while one group's rows are turned into
 * objects in JavaScript the others keep the cores busy. Each group's result depends on its own queries only,
 * so the outcome does not depend on how they interleave.
 */
export async function computeFeatures(
  db: Db,
  s: FeatureSettings = FEATURE_DEFAULTS,
  tenderLocal: TenderLocalPhase = computeTenderLocalTables,
): Promise<Features> {
  const local = async () => {
    await tenderLocal(db, s);
    const screens = await computeScreenFenceFeatures(db, s.screenMinBids);
    const pricePatterns = await readPricePatterns(db, s.pricePattern);
    const process = await computeProcessGlobalFeatures(db);
    const participation = await readParticipation(db, process.tenders);
    return { screens, pricePatterns, process, participation };
  };
  // A failing group must not leave the others running on a database the caller then closes.
  const [tenderSide, identity, cobid] = await allSettledOrThrow([
    local(),
    onSibling(db, (c) => computeIdentityFeatures(c, s.hub)),
    onSibling(db, (c) => computeCobidFeatures(c)),
  ] as const);
  return { identity, cobid, ...tenderSide };
}

/** Runs `fn` on a second connection to `db`'s database, closed afterwards. */
async function onSibling<T>(db: Db, fn: (c: Db) => Promise<T>): Promise<T> {
  const c = await db.connect();
  try {
    return await fn(c);
  } finally {
    c.close();
  }
}
