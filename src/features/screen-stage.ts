/**
 * The screen stage of a run: price screens per tender (screens.ts), Tukey fences per category × size band
 * (fences.ts), and the screens of each tender that fall beyond its group's fence in the collusive direction.
 */
import { type Db, sqlSection } from "../db/duckdb.ts";
import { expectColumns, numbers } from "./columns.ts";
import { computeFences } from "./fences.ts";
import { computeScreens } from "./screens.ts";

/** Screens checked against fences, with the direction that points to collusion. */
export const FENCED_SCREENS = ["cv", "spd", "gap_cv", "rd", "sub3_cv_min"] as const;

export interface FlaggedScreen {
  readonly tender_id: string;
  readonly category: string;
  readonly size_band: number;
  readonly n_bids: number;
  readonly screen: (typeof FENCED_SCREENS)[number];
  readonly value: number;
  readonly lower_fence: number;
  readonly upper_fence: number;
  readonly q1: number;
  readonly q3: number;
  readonly basis: string;
}

/** The screen columns written to tender_risk.csv, in order. */
export const TENDER_RISK_SCREEN_COLUMNS = [
  "cv",
  "spread",
  "rd",
  "rdnor",
  "kurtosis",
  "skewness",
  "diffp",
  "ks",
  "n_identical",
  "gap_cv",
  "ratio_cv",
  "bid_ceiling_ratio",
  "sub3_cv_min",
  "sub4_cv_min",
] as const;

export interface ScreenFeatures {
  readonly flagged: readonly FlaggedScreen[];
  /** Per tender, the screen values in TENDER_RISK_SCREEN_COLUMNS order. */
  readonly table: ReadonlyMap<string, readonly (number | null)[]>;
  readonly minBids: number;
}

const q = (name: string) => sqlSection(import.meta.url, "screen-stage.sql", name);

export async function computeScreenFeatures(db: Db, minBids = 4): Promise<ScreenFeatures> {
  await buildScreenTenderTables(db);
  return computeScreenFenceFeatures(db, minBids);
}

/** The tender-local part: `tender_screens`, one row per tender from that tender's valid bids alone. */
export async function buildScreenTenderTables(db: Db): Promise<void> {
  await db.exec(q("screen_bids"));
  await computeScreens(db, { source: "screen_bids" });
}

/**
 * The part over all tenders, from an existing `tender_screens` (built here or loaded from the partitions of a
 * partitioned run): fence groups, the fences themselves and the screens beyond them.
 */
export async function computeScreenFenceFeatures(db: Db, minBids = 4): Promise<ScreenFeatures> {
  await db.exec(q("screen_groups"));
  await computeFences(db, [...FENCED_SCREENS], ["category", "size_band"], { source: "tender_screen_groups" });
  const flagged = await db.all<FlaggedScreen & Record<string, unknown>>(q("flagged_screens"), {
    min_bids: minBids,
  });
  return { flagged, table: await readScreenTable(db), minBids };
}

/**
 * Every tender's screens for tender_risk.csv, read as columns (`Db.columns`): a hundred thousand rows of plain
 * numbers need no JSON round trip.
 */
async function readScreenTable(db: Db): Promise<Map<string, (number | null)[]>> {
  const cols = await db.columns(q("tender_screen_table"));
  expectColumns(Object.keys(cols), ["tender_id", ...TENDER_RISK_SCREEN_COLUMNS], "tender_screen_table");
  const ids = cols.tender_id as string[];
  const screens = TENDER_RISK_SCREEN_COLUMNS.map((c) => numbers(cols, c, true));
  const table = new Map<string, (number | null)[]>();
  for (let r = 0; r < ids.length; r++) {
    table.set(
      ids[r] as string,
      screens.map((v) => v[r] ?? null),
    );
  }
  return table;
}
