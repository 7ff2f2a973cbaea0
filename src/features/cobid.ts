/**
 * Co-bidding, upload-sequence and debarment features (docs/cobid.md), computed set-based in cobid.sql and
 * read back in bulk for the pure detectors COBID_ROTATION, COVER_BIDDER, TIGHT_UPLOAD_SEQUENCE and
 * DEBARRED_BIDDER (src/detectors/cobid-flags.ts).
 *
 * Memory: every firm and pair statistic stays in DuckDB (`feat_cobid_firms`, `feat_cobid_pairs` with all
 * pairs that met twice, `feat_cobid_lost_to`, `feat_upload_pairs`, `feat_debarment`); only pairs with at
 * least `minTogether` meetings, firms with at least `minFirmBids` bids, upload pairs repeating in
 * `upload.minTenders` tenders and the breaches are read into JS. The quartiles the detectors draw their
 * fences from are computed in SQL over the full tables. Pairs and firms are read as columns of integer
 * codes (columns.ts) and the firm and tender ids looked up in one names list each.
 */
import { type Db, sqlSection } from "../db/duckdb.ts";
import { BidwatchError } from "../errors.ts";
import { nameOf, numberColumns, numbers, readNames, rowOf } from "./columns.ts";

export interface UploadOptions {
  /** Largest gap (seconds) between two consecutive submissions that counts as tight. */
  readonly maxGapSeconds: number;
  /** Length (seconds) of the deadline-rush window before the bid deadline. */
  readonly rushWindowSeconds: number;
  /** The rush window is a rush (gaps inside are not counted) when it holds at least this many submissions. */
  readonly rushMinBids: number;
  /** A pair is kept when its tight gaps repeat in at least this many tenders. */
  readonly minTenders: number;
}

export interface CobidOptions {
  /** Tenders with more bidders than this are left out of pair features (meeting in a crowd says nothing). */
  readonly maxBidders: number;
  /** Pairs read into JS (and the population of the Jaccard quartiles): met in at least this many tenders. */
  readonly minTogether: number;
  /** Firms read into JS with their top winners: at least this many bids. */
  readonly minFirmBids: number;
  /** How many of a firm's most frequent winners are listed (COVER_BIDDER's "same winners"). */
  readonly topWinners: number;
  readonly upload: UploadOptions;
}

export const COBID_OPTIONS: CobidOptions = {
  maxBidders: 50,
  minTogether: 3,
  minFirmBids: 5,
  topWinners: 3,
  upload: { maxGapSeconds: 600, rushWindowSeconds: 1800, rushMinBids: 3, minTenders: 2 },
};

/** Quartiles of a feature over a population (type 7, as DuckDB's quantile_cont and R's default). */
export interface Quartiles {
  readonly n: number;
  readonly q1: number;
  readonly median: number;
  readonly q3: number;
}

/** Who won a shared tender of a pair: firm a, firm b, both (multi-award), a third firm, or nobody recorded. */
export type SharedWinner = "a" | "b" | "ab" | "other" | "none";

/** Two firms (firm_a < firm_b) that bid together in at least `minTogether` eligible tenders. */
export interface CobidPair {
  readonly firm_a: string;
  readonly firm_b: string;
  readonly n_together: number;
  /** Eligible tenders (≤ maxBidders bidders) each firm bid in. */
  readonly n_a: number;
  readonly n_b: number;
  /** n_together / (n_a + n_b − n_together). */
  readonly jaccard: number;
  /** Shared tenders won by a, by b. */
  readonly wins_a: number;
  readonly wins_b: number;
  /** Shared tenders b won and a lost, and the reverse. */
  readonly a_lost_to_b: number;
  readonly b_lost_to_a: number;
  /** Shared tenders with a recorded winner, and of those won by neither firm. */
  readonly n_decided: number;
  readonly outsider_wins: number;
  /** Meetings expected under independent entry within each market (region × category). */
  readonly expected_together: number;
  /** n_together / expected_together; null when nothing is expected (no common market). */
  readonly lift: number | null;
  /** Shared tenders in time order (bid deadline, else last submission, else publication; then id). */
  readonly tenders: readonly string[];
  /** Winner of each shared tender, aligned with `tenders`. */
  readonly winners: readonly SharedWinner[];
}

export interface TopWinner {
  readonly firm_id: string;
  /** Tenders this firm lost to the winner. */
  readonly n: number;
  readonly tenders: readonly string[];
}

/** A firm with at least `minFirmBids` bids and whom it lost to. */
export interface CobidFirm {
  readonly firm_id: string;
  /** Tenders bid in (a firm's several bids in one tender count once; disqualified bids included). */
  readonly n_bids: number;
  readonly n_valid: number;
  readonly n_disqualified: number;
  readonly n_wins: number;
  /** Bids in tenders with a recorded winner. */
  readonly n_decided: number;
  /** Tenders lost that have a recorded winner. */
  readonly n_lost: number;
  readonly n_distinct_winners: number;
  /** Lost tenders won by one of `top_winners`. */
  readonly n_lost_to_top: number;
  /** Share of the lost tenders the same winners take in the firm's markets (region × category). */
  readonly baseline_top_share: number;
  readonly top_winners: readonly TopWinner[];
}

export interface UploadGap {
  readonly tender_id: string;
  readonly gap_s: number;
  /** Which firm of the pair submitted first. */
  readonly first_firm: string;
  readonly first_at: string;
  readonly second_at: string;
  /** Seconds from the second submission to the deadline (the last submission when it is unknown). */
  readonly to_deadline_s: number;
  /** Submissions with a time in the tender, and seconds from its first to its last one. */
  readonly n_submitted: number;
  readonly span_s: number;
  /** Submissions in the rush window before the deadline (below rushMinBids: no rush). */
  readonly n_rush: number;
  readonly deadline: string | null;
}

/** Two firms whose submissions followed each other within maxGapSeconds in ≥ minTenders tenders. */
export interface UploadPair {
  readonly firm_a: string;
  readonly firm_b: string;
  readonly n_tenders: number;
  /** Sorted by tender id. */
  readonly tenders: readonly UploadGap[];
}

export type SanctionRelation = "firm" | "legal_rep" | "project_manager";

export interface BreachBid {
  readonly tender_id: string;
  readonly bid_id: string;
  readonly bid_time: string;
  readonly time_basis: "submitted_at" | "bid_deadline" | "published_at";
  readonly relations: readonly SanctionRelation[];
}

/** A firm's bids placed while one sanction (subject, type, start date) was in force. */
export interface DebarmentBreach {
  readonly firm_id: string;
  readonly subject_id: string;
  readonly subject_type: "firm" | "person";
  readonly reason: string | null;
  readonly start_date: string | null;
  readonly end_date: string | null;
  /** How the subject is linked to the firm: the firm itself, its legal representative, the bid's project manager. */
  readonly relations: readonly SanctionRelation[];
  /** Sorted by tender id, bid id. */
  readonly bids: readonly BreachBid[];
}

export interface CobidFeatures {
  /** The options the features were computed with (detectors cite them in their facts). */
  readonly options: CobidOptions;
  readonly pairs: readonly CobidPair[];
  /** Jaccard quartiles over all pairs with n_together ≥ options.minTogether. */
  readonly pairJaccard: Quartiles;
  readonly firms: readonly CobidFirm[];
  /** Bids-per-firm quartiles over every bidding firm. */
  readonly firmBids: Quartiles;
  readonly uploadPairs: readonly UploadPair[];
  readonly breaches: readonly DebarmentBreach[];
}

const q = (name: string) => sqlSection(import.meta.url, "cobid.sql", name);

function optionsError(message: string): BidwatchError {
  return new BidwatchError("E_COBID_OPTIONS", `cobid: ${message}`);
}

const KNOWN = new Set(Object.keys(COBID_OPTIONS));
const KNOWN_UPLOAD = new Set(Object.keys(COBID_OPTIONS.upload));

function positiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw optionsError(`${name} must be a positive integer, got ${v}`);
}

/**
 * Merges `opts` over the defaults and checks them. Unknown keys are an error (`E_COBID_OPTIONS`), so a
 * misspelt setting is never silently ignored.
 */
export function cobidOptions(
  opts: Partial<Omit<CobidOptions, "upload">> & { upload?: Partial<UploadOptions> } = {},
): CobidOptions {
  for (const k of Object.keys(opts)) if (!KNOWN.has(k)) throw optionsError(`unknown option "${k}"`);
  for (const k of Object.keys(opts.upload ?? {})) {
    if (!KNOWN_UPLOAD.has(k)) throw optionsError(`unknown option "upload.${k}"`);
  }
  const o: CobidOptions = {
    ...COBID_OPTIONS,
    ...opts,
    upload: { ...COBID_OPTIONS.upload, ...opts.upload },
  };
  positiveInt("maxBidders", o.maxBidders);
  if (o.maxBidders < 2) throw optionsError(`maxBidders must be ≥ 2, got ${o.maxBidders}`);
  positiveInt("minTogether", o.minTogether);
  if (o.minTogether < 2) throw optionsError(`minTogether must be ≥ 2, got ${o.minTogether}`);
  positiveInt("minFirmBids", o.minFirmBids);
  positiveInt("topWinners", o.topWinners);
  positiveInt("upload.minTenders", o.upload.minTenders);
  positiveInt("upload.rushMinBids", o.upload.rushMinBids);
  for (const k of ["maxGapSeconds", "rushWindowSeconds"] as const) {
    const v = o.upload[k];
    if (!Number.isFinite(v) || v < 0) throw optionsError(`upload.${k} must be a finite number ≥ 0, got ${v}`);
  }
  return o;
}

type Loose<T> = T & Record<string, unknown>;

/** Winner codes of read_pair_tenders, by code. */
const WINNER_CODES: readonly SharedWinner[] = ["a", "b", "ab", "other", "none"];

function winnerOf(code: number): SharedWinner {
  const w = WINNER_CODES[code];
  if (w === undefined) throw internalError(`unknown winner code ${code}`);
  return w;
}

function internalError(message: string): BidwatchError {
  return new BidwatchError("E_COBID_INTERNAL", `cobid: ${message}`);
}

/** Firm and tender ids by their dense codes (fid, tid), read once for every bulk read below. */
interface Names {
  readonly firms: readonly string[];
  readonly tenders: readonly string[];
}

/** Pair statistics read as numbers, in CobidPair's field order. */
const PAIR_STATS = [
  "n_together",
  "n_a",
  "n_b",
  "jaccard",
  "wins_a",
  "wins_b",
  "a_lost_to_b",
  "b_lost_to_a",
  "n_decided",
  "outsider_wins",
  "expected_together",
] as const;

/**
 * Pairs with n_together ≥ minTogether, with their shared tenders in time order and who won each. Pair
 * rows and shared-tender rows come in the same (fid_a, fid_b) order, so one walk matches them up.
 */
async function readPairs(db: Db, minTogether: number, names: Names): Promise<CobidPair[]> {
  await db.exec(q("pair_candidates"), { min_together: minTogether });
  const pc = await db.columns(q("read_pairs"));
  const p = numberColumns(pc, ["fid_a", "fid_b", ...PAIR_STATS]);
  const lift = numbers(pc, "lift", true);
  const s = numberColumns(await db.columns(q("read_pair_tenders")), ["fid_a", "fid_b", "tid", "w"]);
  const pairs: CobidPair[] = [];
  let j = 0;
  for (let i = 0; i < p.fid_a.length; i++) {
    const a = p.fid_a[i] as number;
    const b = p.fid_b[i] as number;
    const tenders: string[] = [];
    const winners: SharedWinner[] = [];
    for (; j < s.fid_a.length && s.fid_a[j] === a && s.fid_b[j] === b; j++) {
      tenders.push(nameOf(names.tenders, s.tid[j] as number));
      winners.push(winnerOf(s.w[j] as number));
    }
    pairs.push({
      firm_a: nameOf(names.firms, a),
      firm_b: nameOf(names.firms, b),
      ...rowOf(p, PAIR_STATS, i),
      lift: lift[i] ?? null,
      tenders,
      winners,
    });
  }
  if (j !== s.fid_a.length) throw internalError("shared tenders out of step with pairs");
  return pairs;
}

/** Firm statistics read as numbers, in CobidFirm's field order. */
const FIRM_STATS = [
  "n_bids",
  "n_valid",
  "n_disqualified",
  "n_wins",
  "n_decided",
  "n_lost",
  "n_distinct_winners",
  "n_lost_to_top",
  "baseline_top_share",
] as const;

/**
 * Firms with n_bids ≥ minFirmBids and their top winners with the tenders lost to each. Firm rows, winner
 * rows and tender rows all come in firm (fid) order, so one walk matches them up.
 */
async function readFirms(db: Db, o: CobidOptions, names: Names): Promise<CobidFirm[]> {
  await db.exec(q("firm_candidates"), { min_firm_bids: o.minFirmBids });
  await db.exec(q("firm_tops"), { top_k: o.topWinners });
  const f = numberColumns(await db.columns(q("read_firms")), ["fid", ...FIRM_STATS]);
  const w = numberColumns(await db.columns(q("read_top_winners")), ["loser", "winner", "n"]);
  const t = numberColumns(await db.columns(q("read_top_tenders")), ["loser", "winner", "tid"]);
  const firms: CobidFirm[] = [];
  let j = 0;
  let k = 0;
  for (let i = 0; i < f.fid.length; i++) {
    const loser = f.fid[i] as number;
    const top: TopWinner[] = [];
    for (; j < w.loser.length && w.loser[j] === loser; j++) {
      const winner = w.winner[j] as number;
      const tenders: string[] = [];
      for (; k < t.loser.length && t.loser[k] === loser && t.winner[k] === winner; k++) {
        tenders.push(nameOf(names.tenders, t.tid[k] as number));
      }
      top.push({ firm_id: nameOf(names.firms, winner), n: w.n[j] as number, tenders });
    }
    firms.push({
      firm_id: nameOf(names.firms, loser),
      ...rowOf(f, FIRM_STATS, i),
      top_winners: top,
    });
  }
  if (j !== w.loser.length || k !== t.loser.length) throw internalError("top winners out of step with firms");
  return firms;
}

/** Builds the co-bidding tables (`feat_cobid_firms`, `feat_cobid_pairs`, `feat_cobid_lost_to`). */
export async function computeCobidTables(db: Db, o: CobidOptions = COBID_OPTIONS): Promise<void> {
  await db.exec(q("prepare"));
  await db.exec(q("firms"));
  await db.exec(q("eligible"), { max_bidders: o.maxBidders });
  await db.exec(q("pairs"));
  await db.exec(q("losses"));
}

/** Builds `feat_upload_pairs` (from the keyed bids computeCobidTables leaves) and reads the pairs back. */
export async function computeUploadPairs(
  db: Db,
  u: UploadOptions = COBID_OPTIONS.upload,
): Promise<UploadPair[]> {
  await db.exec(q("upload_pairs"), {
    max_gap: u.maxGapSeconds,
    rush_window: u.rushWindowSeconds,
    rush_min_bids: u.rushMinBids,
    min_tenders: u.minTenders,
  });
  return db.all<Loose<UploadPair>>(q("read_upload_pairs"));
}

/** Builds `feat_debarment` and reads one breach per firm and sanction. */
export async function computeDebarment(db: Db): Promise<DebarmentBreach[]> {
  await db.exec(q("debarment"));
  return db.all<Loose<DebarmentBreach>>(q("read_debarment"));
}

/** Computes every feature of the four rules and reads what the detectors need. */
export async function computeCobidFeatures(
  db: Db,
  opts: Parameters<typeof cobidOptions>[0] = {},
): Promise<CobidFeatures> {
  const o = cobidOptions(opts);
  await computeCobidTables(db, o);
  const names: Names = {
    firms: await readNames(db, q("firm_names")),
    tenders: await readNames(db, q("tender_names")),
  };
  const pairs = await readPairs(db, o.minTogether, names);
  const pairJaccard = await db.one<Loose<Quartiles>>(q("pair_quartiles"), { min_together: o.minTogether });
  const firms = await readFirms(db, o, names);
  const firmBids = await db.one<Loose<Quartiles>>(q("firm_quartiles"));
  const uploadPairs = await computeUploadPairs(db, o.upload);
  const breaches = await computeDebarment(db);
  await db.exec(q("drop_temp"));
  const none: Quartiles = { n: 0, q1: 0, median: 0, q3: 0 };
  return {
    options: o,
    pairs,
    pairJaccard: pairJaccard ?? none,
    firms,
    firmBids: firmBids ?? none,
    uploadPairs,
    breaches,
  };
}

/** Tukey's upper fence Q3 + k·(Q3 − Q1) (Tukey 1977; the rule cardinal-rs uses to flag indicators). */
export function upperFence(q: Quartiles, k: number): number {
  return q.q3 + k * (q.q3 - q.q1);
}
