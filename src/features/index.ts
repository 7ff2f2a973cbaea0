/** The feature stage: every SQL feature the detectors read, computed in DuckDB and read in bulk. */
import type { Db } from "../db/duckdb.ts";
import type { TenderParticipation } from "../detectors/rings.ts";
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
 */
export async function computeFeatures(
  db: Db,
  s: FeatureSettings = FEATURE_DEFAULTS,
  tenderLocal: TenderLocalPhase = computeTenderLocalTables,
): Promise<Features> {
  await tenderLocal(db, s);
  const identity = await computeIdentityFeatures(db, s.hub);
  const screens = await computeScreenFenceFeatures(db, s.screenMinBids);
  const pricePatterns = await readPricePatterns(db, s.pricePattern);
  const process = await computeProcessGlobalFeatures(db);
  const cobid = await computeCobidFeatures(db);
  const participation = await readParticipation(db, process.tenders);
  return { identity, screens, pricePatterns, process, cobid, participation };
}
