/**
 * Process facts for the process flags (docs/process-flags.md), mirroring what Open Contracting's cardinal-rs
 * extracts from OCDS releases: the winner and its bid, the lowest other valid bid and the percentage difference
 * between them, the lowest submitted bid, disqualified firms, the submission period, late winning bids, bids and
 * wins per firm, disqualification rates per tenderee / agency / bidder — and the Tukey fences over them, with
 * cardinal-rs's quartile definition (statrs, Hyndman & Fan type 8). All computed set-based in SQL
 * (`process.sql`); this module runs the statements and reads each table back with one query.
 */
import { type Db, ident, sqlSection } from "../db/duckdb.ts";
import { BidwatchError } from "../errors.ts";
import { expectColumns } from "./columns.ts";

/** Parameters that shape the data-driven fences (they decide which values the quartiles are taken over). */
export interface ProcessFeatureOptions {
  /** Tukey fence width in IQRs (cardinal-rs: 1.5). */
  readonly fenceK: number;
  /** R025 upper fence: this percentile of the numbers of valid bids per tenderer (cardinal-rs `percentile`, 75). */
  readonly unsuccessfulPercentile: number;
  /** R038: bidders with fewer submitted bids are left out (cardinal-rs `minimum_submitted_bids`, 2). */
  readonly disqualificationMinBids: number;
  /** R038: tenderees/agencies with fewer tenders are left out (cardinal-rs `minimum_contracting_processes`, 2). */
  readonly disqualificationMinTenders: number;
}

export const PROCESS_FEATURE_DEFAULTS: ProcessFeatureOptions = {
  fenceK: 1.5,
  unsuccessfulPercentile: 75,
  disqualificationMinBids: 2,
  disqualificationMinTenders: 2,
};

/** One tender with the facts every process flag needs. Lists are sorted; times are local (Asia/Shanghai). */
export interface ProcessTender {
  readonly tender_id: string;
  readonly category: string | null;
  readonly method: string | null;
  readonly evaluation_method: string | null;
  readonly tenderee_id: string | null;
  readonly agency_id: string | null;
  readonly ceiling_price: number | null;
  readonly published_at: string | null;
  readonly bid_deadline: string | null;
  readonly submission_seconds: number | null;
  /** Whole elapsed days, truncated (cardinal-rs R003). */
  readonly submission_days_elapsed: number | null;
  /** Calendar days from the publication date to the deadline date (first day not counted). */
  readonly submission_days_calendar: number | null;
  readonly n_bids: number;
  /** Distinct bidding firms. */
  readonly n_firms: number;
  readonly n_valid_bids: number;
  readonly n_disqualified_bids: number;
  readonly firms: readonly string[];
  /** Firms with at least one valid (not disqualified) bid. */
  readonly valid_firms: readonly string[];
  /** Firms with at least one disqualified bid. */
  readonly disqualified_firms: readonly string[];
  /** Firms with a disqualified bid and no valid bid. */
  readonly disqualified_only_firms: readonly string[];
  /** Firms with a winning bid. */
  readonly winner_firms: readonly string[];
  /** Lowest valid bid of the single winning firm (null unless exactly one firm won). */
  readonly winner_price: number | null;
  /** Lowest valid bid of the other firms (null unless exactly one firm won). */
  readonly lowest_non_winner_price: number | null;
  readonly lowest_non_winner_firms: readonly string[];
  /** (lowest non-winner − winner) / winner, when the winner bid lowest (cardinal-rs R024/R058). */
  readonly second_lowest_ratio: number | null;
  /** Lowest submitted bid, valid or not. */
  readonly lowest_price: number | null;
  readonly lowest_firms: readonly string[];
  /** Every bid at the lowest price was disqualified. */
  readonly lowest_all_disqualified: boolean;
  readonly lowest_disqualify_reasons: readonly string[];
}

/** Two or more firms that bid the same exact price in one tender. */
export interface IdenticalPriceGroup {
  readonly tender_id: string;
  readonly price: number;
  readonly firms: readonly string[];
  readonly n_firms: number;
  /** The price equals the tender's ceiling price (最高投标限价). */
  readonly at_ceiling: boolean;
}

/** A valid winning bid received after the submission deadline. */
export interface LateWinningBid {
  readonly tender_id: string;
  readonly bid_id: string;
  readonly firm_id: string;
  readonly submitted_at: string;
  readonly bid_deadline: string;
  readonly late_seconds: number;
}

/** Per bidder, over tenders with exactly one winning firm. */
export interface FirmWinRecord {
  readonly firm_id: string;
  /** Tenders in which the firm had a valid bid. */
  readonly n_valid_tenders: number;
  readonly n_won: number;
  readonly win_ratio: number;
  readonly tenders: readonly string[];
}

export type DisqualificationSubject = "tenderee" | "agency" | "bidder";

/** Disqualified / submitted bids of one tenderee, agency or bidder. */
export interface DisqualificationRate {
  readonly subject: DisqualificationSubject;
  readonly subject_id: string;
  readonly n_tenders: number;
  readonly n_bids: number;
  readonly n_disqualified: number;
  readonly ratio: number;
  /** Tenders in which the subject saw (tenderee, agency) or had (bidder) a disqualified bid. */
  readonly tenders: readonly string[];
  /** Meets the minimum number of tenders (tenderee, agency) or bids (bidder); only these enter the fence. */
  readonly eligible: boolean;
}

export type FenceMetric =
  | "second_lowest_ratio"
  | "win_ratio"
  | "valid_tenders"
  | "disqualified_ratio"
  | "submission_days_calendar"
  | "submission_days_elapsed";

/** Quartiles and Tukey fences of one metric within one group (`*` = all values). */
export interface Fence {
  readonly metric: FenceMetric;
  /** `*`, a tender category (submission periods) or a disqualification subject. */
  readonly grp: string;
  readonly n: number;
  readonly q1: number;
  readonly q3: number;
  readonly iqr: number;
  readonly lower_fence: number;
  readonly upper_fence: number;
  readonly percentile: number;
  /** The `percentile`-th percentile. */
  readonly pct: number;
}

export interface ProcessFeatures {
  readonly options: ProcessFeatureOptions;
  readonly tenders: readonly ProcessTender[];
  readonly identicalPrices: readonly IdenticalPriceGroup[];
  readonly lateWinningBids: readonly LateWinningBid[];
  readonly firmWins: readonly FirmWinRecord[];
  readonly disqualificationRates: readonly DisqualificationRate[];
  readonly fences: readonly Fence[];
}

const q = (name: string) => sqlSection(import.meta.url, "process.sql", name);

function checkOptions(opts: ProcessFeatureOptions): void {
  for (const key of Object.keys(opts)) {
    if (!(key in PROCESS_FEATURE_DEFAULTS)) {
      throw new BidwatchError("E_PROCESS_OPTIONS", `process features: unknown option "${key}"`);
    }
  }
  const bad = (msg: string) => new BidwatchError("E_PROCESS_OPTIONS", `process features: ${msg}`);
  if (!Number.isFinite(opts.fenceK) || opts.fenceK < 0) throw bad(`fenceK must be ≥ 0, got ${opts.fenceK}`);
  if (
    !Number.isInteger(opts.unsuccessfulPercentile) ||
    opts.unsuccessfulPercentile < 0 ||
    opts.unsuccessfulPercentile > 100
  ) {
    throw bad(`unsuccessfulPercentile must be an integer 0..100, got ${opts.unsuccessfulPercentile}`);
  }
  for (const key of ["disqualificationMinBids", "disqualificationMinTenders"] as const) {
    if (!Number.isInteger(opts[key]) || opts[key] < 1)
      throw bad(`${key} must be a positive integer, got ${opts[key]}`);
  }
}

function resolveOptions(options: Partial<ProcessFeatureOptions>): ProcessFeatureOptions {
  const opts: ProcessFeatureOptions = { ...PROCESS_FEATURE_DEFAULTS, ...options };
  checkOptions(opts);
  return opts;
}

/** Builds the `proc_*` tables and the fences over them. */
export async function buildProcessTables(
  db: Db,
  options: Partial<ProcessFeatureOptions> = {},
): Promise<ProcessFeatureOptions> {
  const opts = resolveOptions(options);
  await buildProcessTenderTables(db);
  return buildProcessGlobalTables(db, opts);
}

/**
 * The tender-local tables: `proc_tenders`, `proc_identical_prices` and `proc_late_winning_bids`, whose rows each
 * depend on one tender and its bids only.
 */
export async function buildProcessTenderTables(db: Db): Promise<void> {
  await db.exec(q("tenders"));
  await db.exec(q("identical_prices"));
  await db.exec(q("late_winning_bids"));
}

/**
 * The tables over all tenders, from existing tender-local tables: wins per firm, disqualification rates per
 * tenderee / agency / bidder, and the fences.
 */
export async function buildProcessGlobalTables(
  db: Db,
  options: Partial<ProcessFeatureOptions> = {},
): Promise<ProcessFeatureOptions> {
  const opts = resolveOptions(options);
  await db.exec(q("firm_tenders"));
  await db.exec(q("firm_wins"));
  await db.exec(q("disqualification_rates"), {
    min_bids: opts.disqualificationMinBids,
    min_tenders: opts.disqualificationMinTenders,
  });
  await buildProcessFences(db, opts);
  return opts;
}

/**
 * Builds `proc_fences` from `proc_tenders`, `proc_firm_wins` and `proc_disqualification_rates` (which must
 * exist): per metric and group, n, Q1, Q3, IQR, the fences and the configured percentile.
 */
export async function buildProcessFences(
  db: Db,
  opts: ProcessFeatureOptions = PROCESS_FEATURE_DEFAULTS,
): Promise<void> {
  checkOptions(opts);
  await db.exec(q("fences"), { k: opts.fenceK, percentile: opts.unsuccessfulPercentile });
}

/** Computes the process facts in SQL and reads them into JS (one query per table). */
export async function computeProcessFeatures(
  db: Db,
  options: Partial<ProcessFeatureOptions> = {},
): Promise<ProcessFeatures> {
  resolveOptions(options);
  await buildProcessTenderTables(db);
  return computeProcessGlobalFeatures(db, options);
}

/** As computeProcessFeatures, from existing tender-local tables (built here or loaded from partitions). */
export async function computeProcessGlobalFeatures(
  db: Db,
  options: Partial<ProcessFeatureOptions> = {},
): Promise<ProcessFeatures> {
  const opts = await buildProcessGlobalTables(db, options);
  const tenders = await readTenders(db);
  return {
    options: opts,
    tenders,
    identicalPrices: await readRows<IdenticalPriceGroup>(db, "proc_identical_prices", ["tender_id", "price"]),
    lateWinningBids: await readRows<LateWinningBid>(db, "proc_late_winning_bids", ["tender_id", "bid_id"]),
    firmWins: withWinTenders(
      await readRows<Omit<FirmWinRecord, "tenders">>(db, "proc_firm_wins", ["firm_id"]),
      tenders,
    ),
    disqualificationRates: await readRows<DisqualificationRate>(db, "proc_disqualification_rates", [
      "subject",
      "subject_id",
    ]),
    fences: await readRows<Fence>(db, "proc_fences", ["metric", "grp"]),
  };
}

/**
 * The rows of a proc_* table in `order`, each as the JSON array of its values (`read_rows`), parsed, and its
 * column names (from DESCRIBE, in table order). `replace` swaps a column for an expression. The texts come back
 * as one column (`Db.columns`): a row object per text would only be unwrapped again.
 */
async function readValues(
  db: Db,
  table: string,
  order: readonly string[],
  replace: Readonly<Record<string, string>> = {},
): Promise<{ columns: string[]; rows: unknown[][] }> {
  const columns = (await db.all<{ column_name: string }>(`DESCRIBE ${ident(table)}`)).map(
    (c) => c.column_name,
  );
  const sql = q("read_rows")
    .replaceAll("{{columns}}", columns.map((c) => replace[c] ?? ident(c)).join(", "))
    .replaceAll("{{table}}", ident(table))
    .replaceAll("{{order}}", order.map(ident).join(", "));
  const texts = (await db.columns(sql)).j ?? [];
  return { columns, rows: texts.map((j) => JSON.parse(j as string) as unknown[]) };
}

/** The rows of a proc_* table in `order`, as objects with the table's columns in table order. */
async function readRows<T>(db: Db, table: string, order: readonly string[]): Promise<T[]> {
  const { columns, rows } = await readValues(db, table, order);
  return rows.map((values) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < columns.length; i++) row[columns[i] as string] = values[i];
    return row as T;
  });
}

/** proc_tenders' columns in table order (readTenders checks them against the table). */
const TENDER_COLUMNS = [
  "tender_id",
  "category",
  "method",
  "evaluation_method",
  "tenderee_id",
  "agency_id",
  "ceiling_price",
  "published_at",
  "bid_deadline",
  "submission_seconds",
  "submission_days_elapsed",
  "submission_days_calendar",
  "n_bids",
  "n_firms",
  "n_valid_bids",
  "n_disqualified_bids",
  "firms",
  "valid_firms",
  "disqualified_firms",
  "disqualified_only_firms",
  "winner_firms",
  "winner_price",
  "lowest_non_winner_price",
  "lowest_non_winner_firms",
  "second_lowest_ratio",
  "lowest_price",
  "lowest_firms",
  "lowest_all_disqualified",
  "lowest_disqualify_reasons",
] as const satisfies readonly (keyof ProcessTender)[];

/**
 * proc_tenders in tender id order. Most tenders disqualified no one, so their valid firms are their firms: those
 * are sent once (valid_firms NULL) and share the array in JS, which halves what is converted and parsed. Each
 * row's values become one object literal with the keys in table order, as readRows would set them: adding 29 keys
 * one by one to each of a hundred thousand objects took about as long as parsing their JSON.
 */
async function readTenders(db: Db): Promise<ProcessTender[]> {
  const { columns, rows } = await readValues(db, "proc_tenders", ["tender_id"], {
    valid_firms: "CASE WHEN valid_firms = firms THEN NULL ELSE valid_firms END",
  });
  expectColumns(columns, TENDER_COLUMNS, "proc_tenders");
  // Values by column name (TENDER_COLUMNS order = the table's, checked above).
  const c = Object.fromEntries(TENDER_COLUMNS.map((name, i) => [name, i])) as Record<
    (typeof TENDER_COLUMNS)[number],
    number
  >;
  const at = <T>(v: readonly unknown[], name: (typeof TENDER_COLUMNS)[number]) => v[c[name]] as T;
  return rows.map(
    (v): ProcessTender => ({
      tender_id: at(v, "tender_id"),
      category: at(v, "category"),
      method: at(v, "method"),
      evaluation_method: at(v, "evaluation_method"),
      tenderee_id: at(v, "tenderee_id"),
      agency_id: at(v, "agency_id"),
      ceiling_price: at(v, "ceiling_price"),
      published_at: at(v, "published_at"),
      bid_deadline: at(v, "bid_deadline"),
      submission_seconds: at(v, "submission_seconds"),
      submission_days_elapsed: at(v, "submission_days_elapsed"),
      submission_days_calendar: at(v, "submission_days_calendar"),
      n_bids: at(v, "n_bids"),
      n_firms: at(v, "n_firms"),
      n_valid_bids: at(v, "n_valid_bids"),
      n_disqualified_bids: at(v, "n_disqualified_bids"),
      firms: at(v, "firms"),
      valid_firms: at<readonly string[] | null>(v, "valid_firms") ?? at<readonly string[]>(v, "firms"),
      disqualified_firms: at(v, "disqualified_firms"),
      disqualified_only_firms: at(v, "disqualified_only_firms"),
      winner_firms: at(v, "winner_firms"),
      winner_price: at(v, "winner_price"),
      lowest_non_winner_price: at(v, "lowest_non_winner_price"),
      lowest_non_winner_firms: at(v, "lowest_non_winner_firms"),
      second_lowest_ratio: at(v, "second_lowest_ratio"),
      lowest_price: at(v, "lowest_price"),
      lowest_firms: at(v, "lowest_firms"),
      lowest_all_disqualified: at(v, "lowest_all_disqualified"),
      lowest_disqualify_reasons: at(v, "lowest_disqualify_reasons"),
    }),
  );
}

/**
 * Adds to each row of proc_firm_wins the tenders it counts: those with exactly one winning firm in which the firm
 * had a valid bid, in tender id order (`tenders` is in that order), as proc_firm_wins counts them.
 */
function withWinTenders(
  rows: readonly Omit<FirmWinRecord, "tenders">[],
  tenders: readonly ProcessTender[],
): FirmWinRecord[] {
  const byFirm = new Map<string, string[]>();
  for (const t of tenders) {
    if (t.winner_firms.length !== 1) continue;
    for (const f of t.valid_firms) {
      const list = byFirm.get(f);
      if (list) list.push(t.tender_id);
      else byFirm.set(f, [t.tender_id]);
    }
  }
  return rows.map((r) => ({ ...r, tenders: byFirm.get(r.firm_id) ?? [] }));
}

/** The fence of `metric` in group `grp`, if any value was observed. */
export function findFence(features: ProcessFeatures, metric: FenceMetric, grp = "*"): Fence | undefined {
  return features.fences.find((f) => f.metric === metric && f.grp === grp);
}
