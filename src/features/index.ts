/** The feature stage: every SQL feature the detectors read, computed in DuckDB and read in bulk. */
import type { Db } from "../db/duckdb.ts";
import { sqlSection } from "../db/duckdb.ts";
import type { TenderParticipation } from "../detectors/rings.ts";
import { type CobidFeatures, computeCobidFeatures } from "./cobid.ts";
import {
  computeIdentityFeatures,
  HUB_DEFAULTS,
  type HubSettings,
  type IdentityFeatures,
} from "./identity.ts";
import {
  computePricePatterns,
  PRICE_PATTERN_DEFAULTS,
  type PricePatternFeatures,
  type PricePatternSettings,
} from "./price-pattern.ts";
import { computeProcessFeatures, type ProcessFeatures } from "./process.ts";
import { computeScreenFeatures, type ScreenFeatures } from "./screen-stage.ts";

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

export async function computeFeatures(db: Db, s: FeatureSettings = FEATURE_DEFAULTS): Promise<Features> {
  return {
    identity: await computeIdentityFeatures(db, s.hub),
    screens: await computeScreenFeatures(db, s.screenMinBids),
    pricePatterns: await computePricePatterns(db, s.pricePattern),
    process: await computeProcessFeatures(db),
    cobid: await computeCobidFeatures(db),
    participation: await db.all<TenderParticipation & Record<string, unknown>>(
      sqlSection(import.meta.url, "participation.sql", "participation"),
    ),
  };
}
