/**
 * The real labelled datasets of García Rodríguez et al. (2022) for `bidwatch eval`: loads one file into
 * `screen_bids` (with each file's quirks, real-data.sql), computes bidwatch's own screens with
 * `computeScreens`, and returns one row per tender with its tender-level label (`Collusive_competitor`).
 * The files, their units and quirks: ../shared/data/garcia-rodriguez-2022/README.md.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Db, sqlSection } from "../db/duckdb.ts";
import { BidwatchError } from "../errors.ts";
import { computeScreens, readTenderScreens, type TenderScreens } from "../features/screens.ts";

export interface RealDatasetInfo {
  readonly name: RealDatasetName;
  readonly title: string;
  readonly file: string;
  /** Counts stated in the dataset README (checked by the tests). */
  readonly expected: { readonly bids: number; readonly tenders: number; readonly collusive: number };
  /** Reference results from the dataset README. */
  readonly reference: {
    /** Extra-trees on screens + bid count, grouped 80/20 splits, balanced accuracy. */
    readonly balancedAccuracy: number;
    /** Best single screen and its AUC (tenders with ≥ 3 bids), as the README states it. */
    readonly bestSingle: string;
    readonly bestSingleAuc: number;
  };
}

export type RealDatasetName = "brazil" | "italy" | "japan" | "switzerland";

export const REAL_DATASETS: readonly RealDatasetInfo[] = [
  {
    name: "brazil",
    title: "Brazil",
    file: "DB_Collusion_Brazil_processed.csv",
    expected: { bids: 683, tenders: 101, collusive: 33 },
    reference: { balancedAccuracy: 0.8, bestSingle: "CV (low)", bestSingleAuc: 0.9 },
  },
  {
    name: "italy",
    title: "Italy",
    file: "DB_Collusion_Italy_processed.csv",
    expected: { bids: 20_286, tenders: 278, collusive: 143 },
    reference: { balancedAccuracy: 0.85, bestSingle: "CV", bestSingleAuc: 0.63 },
  },
  {
    name: "japan",
    title: "Japan",
    file: "DB_Collusion_Japan_processed.csv",
    expected: { bids: 13_515, tenders: 1_080, collusive: 123 },
    reference: { balancedAccuracy: 0.7, bestSingle: "CV", bestSingleAuc: 0.74 },
  },
  {
    name: "switzerland",
    title: "Switzerland GR/SG",
    file: "DB_Collusion_Switzerland_GR_and_See-Gaster_processed.csv",
    expected: { bids: 21_231, tenders: 4_344, collusive: 3_199 },
    reference: { balancedAccuracy: 0.62, bestSingle: "Number_bids", bestSingleAuc: 0.67 },
  },
];

export interface RealDatasetSummary {
  readonly bids: number;
  readonly tenders: number;
  readonly collusive_tenders: number;
  /** Tenders whose bids disagree on `Collusive_competitor` (0 in the published files). */
  readonly mixed_label_tenders: number;
  /** Tenders whose row count differs from the published `Number_bids` (0 in the published files). */
  readonly bid_count_mismatches: number;
}

export interface RealTender {
  readonly tender_id: string;
  /** Tender-level label: true = collusive. */
  readonly label: boolean;
  readonly screens: TenderScreens;
}

export interface RealDataset {
  readonly info: RealDatasetInfo;
  readonly summary: RealDatasetSummary;
  /** One per tender, ordered by tender id. */
  readonly tenders: readonly RealTender[];
}

const q = (name: string) => sqlSection(import.meta.url, "real-data.sql", name);

export function realDatasetInfo(name: RealDatasetName): RealDatasetInfo {
  const info = REAL_DATASETS.find((d) => d.name === name);
  if (!info) throw new BidwatchError("E_EVAL_DATA", `eval: unknown dataset "${name}"`);
  return info;
}

/**
 * Loads one dataset from `dir` into tables `real_raw`, `real_bids`, `screen_bids`, `real_tenders` and
 * `tender_screens` (replacing them), and returns the tenders with their labels and screens.
 * Throws `E_EVAL_DATA` when the file is missing or a tender's bids disagree on the label.
 */
export async function loadRealDataset(db: Db, name: RealDatasetName, dir: string): Promise<RealDataset> {
  const info = realDatasetInfo(name);
  const path = join(dir, info.file);
  if (!existsSync(path)) throw new BidwatchError("E_EVAL_DATA", `eval: ${path}: file not found`);
  await db.exec(q("raw"), { path });
  await db.exec(q(`bids_${name}`));
  await db.exec(q("screen_bids"));
  await db.exec(q("tender_labels"));
  const summary = await db.one<RealDatasetSummary & Record<string, unknown>>(q("summary"));
  if (!summary) throw new BidwatchError("E_EVAL_DATA", `eval: ${info.file}: no rows`);
  if (summary.mixed_label_tenders > 0) {
    throw new BidwatchError(
      "E_EVAL_DATA",
      `eval: ${info.file}: ${summary.mixed_label_tenders} tender(s) carry both labels in Collusive_competitor`,
    );
  }
  await computeScreens(db, { source: "screen_bids" });
  const labels = await db.all<{ tender_id: string; label: number }>(q("tender_rows"));
  const screens = new Map((await readTenderScreens(db)).map((s) => [s.tender_id, s]));
  const tenders = labels.map((r): RealTender => {
    const s = screens.get(r.tender_id);
    if (!s)
      throw new BidwatchError("E_EVAL_DATA", `eval: ${info.file}: tender ${r.tender_id} has no screens`);
    return { tender_id: r.tender_id, label: r.label === 1, screens: s };
  });
  return { info, summary, tenders };
}

/** Reads `tender_id` and `risk_score` back from a run's tender_risk.csv, sorted by tender id. */
export async function readTenderRiskCsv(
  db: Db,
  path: string,
): Promise<{ tender_id: string; risk_score: number }[]> {
  return db.all<{ tender_id: string; risk_score: number }>(q("tender_risk_csv"), { path });
}
