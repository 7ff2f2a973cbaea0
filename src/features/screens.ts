/**
 * Per-tender price screens (CV, spread, DIFFP, relative distance, moments, KS uniformity, gap
 * regularity, ceiling ratios) and subset screens for incomplete cartels, all computed in DuckDB.
 * Formulas, references and the conventions that reproduce García Rodríguez et al. (2022): docs/screens.md.
 */
import { listValue } from "@duckdb/node-api";
import { type Db, ident, sqlSection } from "../db/duckdb.ts";
import { BidwatchError } from "../errors.ts";

/** Columns the input table must have (one row per valid bid). */
export const SCREEN_INPUT_COLUMNS = ["tender_id", "price", "is_winner", "ceiling_price"] as const;

const SUBSET_STATS = ["cv", "spd", "diffp", "rd"] as const;
const SUBSET_SUMMARIES = ["min", "med", "max"] as const;
type SubsetStat = (typeof SUBSET_STATS)[number];
type SubsetSummary = (typeof SUBSET_SUMMARIES)[number];
type SubsetColumn = `sub${3 | 4}_${SubsetStat}_${SubsetSummary}`;

/** Names of the subset-screen columns, in table order. */
export const SUBSET_SCREEN_COLUMNS: readonly SubsetColumn[] = ([3, 4] as const).flatMap((k) =>
  SUBSET_STATS.flatMap((stat) => SUBSET_SUMMARIES.map((s) => `sub${k}_${stat}_${s}` as SubsetColumn)),
);

/** Names of the whole-tender screen columns (the numeric ones a fence can be built on). */
export const TENDER_SCREEN_COLUMNS = [
  "cv",
  "spd",
  "diffp",
  "rd",
  "rd_losing",
  "rdnor",
  "kurt",
  "skew",
  "ks",
  "n_identical",
  "gap_cv",
  "ratio_cv",
  "bid_ceiling_ratio",
  "min_ceiling_ratio",
] as const;
export type TenderScreenColumn = (typeof TENDER_SCREEN_COLUMNS)[number];

/** One row of `tender_screens`. A screen that is undefined for the tender is `null`. */
export type TenderScreens = {
  readonly tender_id: string;
  readonly n_bids: number;
  readonly mean_price: number;
  readonly min_price: number;
  readonly max_price: number;
  /** Number of bids whose price exactly equals another bid's price in the tender (0 when none). */
  readonly n_identical: number;
} & { readonly [K in Exclude<TenderScreenColumn, "n_identical">]: number | null } & {
  readonly [K in SubsetColumn]: number | null;
};

export interface ComputeScreensOptions {
  /** Table or view holding the bids; defaults to `screen_bids`. */
  readonly source?: string;
}

const KNOWN_OPTIONS = new Set(["source"]);

const q = (name: string) => sqlSection(import.meta.url, "screens.sql", name);

/**
 * Builds table `tender_screens` (one row per tender with at least one priced bid) from the bids table.
 * Throws `E_SCREENS_INPUT` when the source lacks a required column or an option is unknown.
 */
export async function computeScreens(db: Db, opts: ComputeScreensOptions = {}): Promise<void> {
  for (const key of Object.keys(opts)) {
    if (!KNOWN_OPTIONS.has(key))
      throw new BidwatchError("E_SCREENS_INPUT", `screens: unknown option "${key}"`);
  }
  const source = opts.source ?? "screen_bids";
  const columns = await db.all<{ column_name: string }>(`DESCRIBE ${ident(source)}`).catch((err: unknown) => {
    const msg = err instanceof Error ? err.message.split("\n")[0] : String(err);
    throw new BidwatchError("E_SCREENS_INPUT", `screens: cannot read table "${source}": ${msg}`);
  });
  const have = new Set(columns.map((c) => c.column_name));
  const missing = SCREEN_INPUT_COLUMNS.filter((c) => !have.has(c));
  if (missing.length > 0) {
    throw new BidwatchError(
      "E_SCREENS_INPUT",
      `screens: table "${source}" lacks column(s) ${missing.join(", ")}`,
    );
  }
  await db.exec(q("tender_screens").replaceAll("{{source}}", ident(source)));
}

/** Reads `tender_screens` back, sorted by tender id; optionally only the given tenders. */
export async function readTenderScreens(
  db: Db,
  opts: { readonly tenderIds?: readonly string[] } = {},
): Promise<TenderScreens[]> {
  type Row = TenderScreens & Record<string, unknown>;
  if (opts.tenderIds === undefined) return db.all<Row>(q("read_tender_screens"));
  return db.all<Row>(q("read_tender_screens_for"), { tender_ids: listValue([...opts.tenderIds]) });
}
