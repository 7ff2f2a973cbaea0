/**
 * The draw of a random inspection plan (双随机): which tenders, and which inspectors for each (pure,
 * seeded, reproducible on every platform). docs/inspect.md §3–4 describe it step by step so that anyone
 * can re-implement it.
 *
 * Random numbers: `HashRng(seed, stream)` — SHA-256 in counter mode. Block k is
 * SHA-256(UTF-8(JSON.stringify(["bidwatch-inspect-rng/1", seed, stream, k]))) for k = 0, 1, 2, …, read as
 * eight big-endian unsigned 32-bit integers. Uniform integers in [0, m) by rejection (values at or above
 * 2³² − (2³² mod m) are skipped). Streams: "order", "start" (tenders) and "match" (inspectors).
 *
 * Tenders: randomised systematic πps sampling. Candidates are sorted by tender id; π_i from weights.ts; each
 * π_i becomes an integer number of units u_i out of U = 2³² (floor, then the units still missing to make
 * Σ u_i = n·U go one each to the largest remainders, ties to the earlier candidate); the candidates are
 * shuffled (Fisher–Yates, stream "order"); a start s ∈ [0, U) is drawn (stream "start"); walking the
 * shuffled list, a candidate is selected when its interval [S_before, S_before + u_i) contains one of
 * s, s + U, …, s + (n − 1)·U. Exactly n distinct tenders are drawn, each with probability exactly u_i / U.
 *
 * Inspectors: for each drawn tender in item order (tender id order), the certified inspectors without a
 * conflict are shuffled (stream "match", continued from item to item); the team takes the first inspector
 * of each department in that order until it has `perItem` members, then fills up from the rest in the
 * same order. A team needs `perItem` (≥ 2) members from at least two departments, otherwise the draw fails
 * with E_INSPECT_NO_MATCH naming the tender.
 */
import { createHash } from "node:crypto";
import { cmpStr } from "../domain/compare.ts";
import { BidwatchError } from "../errors.ts";
import { inclusionProbabilities, sampleSize, tenderWeight, type WeightSettings } from "./weights.ts";

/** A tender in the plan's population, with the inputs of its weight (frozen into the plan). */
export interface Candidate {
  readonly tender_id: string;
  /** Shanghai date of publication (else bid deadline), "YYYY-MM-DD". */
  readonly date: string;
  readonly tenderee_id: string | null;
  readonly agency_id: string | null;
  /** Sorted firm ids of the bidders. */
  readonly bidders: readonly string[];
  /** Risk score 0..1 (4 decimals). */
  readonly risk: number;
  /** Where the risk score comes from. */
  readonly risk_source: "alert" | "tender_risk" | "none";
  /** Sorted bidder ids with a sanction in force during the period (themselves or a person behind them). */
  readonly sanctioned: readonly string[];
  /** Sorted bidder ids on the watch list (themselves or a watched person behind them). */
  readonly watched: readonly string[];
}

/** A certified enforcement officer on the roster (执法检查人员名录库). */
export interface Inspector {
  readonly name: string;
  readonly department: string;
  readonly certification: string;
  /** Declared relationships: ids of tenderees, agencies or firms the inspector must not inspect. */
  readonly conflicts: readonly string[];
}

export interface DrawParams {
  readonly ratio: number;
  /** Inspectors per item (≥ 2). */
  readonly perItem: number;
  readonly weights: WeightSettings;
}

export interface PlanItem {
  /** 1, 2, … in tender id order. */
  readonly item_no: number;
  readonly tender_id: string;
  readonly weight: number;
  /** Exact inclusion probability u_i / U. */
  readonly probability: number;
  /** Inspector names, in the order drawn. */
  readonly inspectors: readonly string[];
  /** Their departments, same order. */
  readonly departments: readonly string[];
}

export interface Selection {
  /** Candidates sorted by tender id. */
  readonly candidates: readonly Candidate[];
  readonly weights: readonly number[];
  /** Exact inclusion probabilities u_i / U, same order as `candidates`. */
  readonly probabilities: readonly number[];
  readonly n: number;
  /** Indexes into `candidates` of the drawn tenders, ascending. */
  readonly selected: readonly number[];
}

export interface DrawResult extends Selection {
  readonly items: readonly PlanItem[];
}

export class DrawError extends BidwatchError {
  constructor(code: "E_INSPECT_INPUT" | "E_INSPECT_NO_MATCH", message: string) {
    super(code, `inspect: ${message}`);
    this.name = "DrawError";
  }
}

export const RNG_TAG = "bidwatch-inspect-rng/1";
/** Units per item in systematic sampling: π_i is realised as u_i / 2³². */
export const UNIT = 2 ** 32;

/** SHA-256 counter-mode random source (see the module comment). */
export class HashRng {
  private block = 0;
  private words: number[] = [];

  constructor(
    readonly seed: string,
    readonly stream: string,
  ) {}

  nextUint32(): number {
    if (this.words.length === 0) {
      const digest = createHash("sha256")
        .update(JSON.stringify([RNG_TAG, this.seed, this.stream, this.block]), "utf8")
        .digest();
      this.block++;
      for (let i = 0; i < 32; i += 4) this.words.push(digest.readUInt32BE(i));
    }
    return this.words.shift() as number;
  }

  /** Uniform integer in [0, m), 1 ≤ m ≤ 2³², by rejection. */
  int(m: number): number {
    if (!Number.isInteger(m) || m < 1 || m > UNIT) throw new Error(`rng: bad range ${m}`);
    if (m === UNIT) return this.nextUint32();
    const limit = UNIT - (UNIT % m);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % m;
    }
  }
}

/** Fisher–Yates from the last position down: swap position i with int(i + 1). Returns a new array. */
export function shuffled<T>(items: readonly T[], rng: HashRng): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i] as T;
    a[i] = a[j] as T;
    a[j] = t;
  }
  return a;
}

/**
 * Integer units u_i ≤ U with Σ u_i = n·U: floor(π_i·U), then one more unit to each of the largest
 * remainders (ties: lower index) until the sum is reached.
 */
export function selectionUnits(probabilities: readonly number[], n: number): number[] {
  if (probabilities.length >= 2 ** 20) throw new DrawError("E_INSPECT_INPUT", "too many candidates");
  const units = probabilities.map((p) => Math.min(UNIT, Math.floor(p * UNIT)));
  let missing = n * UNIT - units.reduce((s, u) => s + u, 0);
  const order = probabilities
    .map((p, i) => ({ i, rem: p * UNIT - Math.floor(p * UNIT) }))
    .filter(({ i }) => (units[i] as number) < UNIT)
    .sort((a, b) => b.rem - a.rem || a.i - b.i);
  if (missing < 0 || missing > order.length) {
    throw new Error(`draw: cannot realise the probabilities (${missing} units off)`);
  }
  for (const { i } of order) {
    if (missing === 0) break;
    units[i] = (units[i] as number) + 1;
    missing--;
  }
  return units;
}

function sortedCandidates(candidates: readonly Candidate[]): Candidate[] {
  const sorted = [...candidates].sort((a, b) => cmpStr(a.tender_id, b.tender_id));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]?.tender_id === sorted[i - 1]?.tender_id) {
      throw new DrawError("E_INSPECT_INPUT", `tender ${sorted[i]?.tender_id} is listed twice`);
    }
  }
  return sorted;
}

/** Draws the tenders only (randomised systematic πps); see the module comment. */
export function drawTenders(seed: string, candidates: readonly Candidate[], params: DrawParams): Selection {
  if (!seed) throw new DrawError("E_INSPECT_INPUT", "the seed is empty");
  const sorted = sortedCandidates(candidates);
  const n = sampleSize(params.ratio, sorted.length);
  const weights = sorted.map((c) =>
    tenderWeight(
      { risk: c.risk, sanctioned: c.sanctioned.length > 0, watched: c.watched.length > 0 },
      params.weights,
    ),
  );
  const { probabilities } = inclusionProbabilities(weights, n);
  const units = selectionUnits(probabilities, n);
  const order = shuffled(
    sorted.map((_, i) => i),
    new HashRng(seed, "order"),
  );
  let point = n > 0 ? new HashRng(seed, "start").int(UNIT) : Number.POSITIVE_INFINITY;
  const selected: number[] = [];
  let cum = 0;
  for (const i of order) {
    cum += units[i] as number;
    if (point < cum) {
      selected.push(i);
      point += UNIT;
    }
  }
  if (selected.length !== n) throw new Error(`draw: selected ${selected.length}, expected ${n}`);
  selected.sort((a, b) => a - b);
  return { candidates: sorted, weights, probabilities: units.map((u) => u / UNIT), n, selected };
}

function norm(s: string | null | undefined): string {
  return (s ?? "").normalize("NFKC").trim().toUpperCase();
}

/**
 * Why an inspector must not inspect a tender (empty when there is no conflict): the inspector's
 * department is the tenderee or the agency, or the inspector declared a relationship with the tenderee, the
 * agency or a bidder. Ids are compared after NFKC normalisation, trimming and upper-casing.
 */
export function conflictReasons(inspector: Inspector, c: Candidate): string[] {
  const reasons: string[] = [];
  const dept = norm(inspector.department);
  const tenderee = norm(c.tenderee_id);
  const agency = norm(c.agency_id);
  if (dept && dept === tenderee) reasons.push(`department ${inspector.department} is the tenderee`);
  if (dept && dept === agency) reasons.push(`department ${inspector.department} is the agency`);
  const declared = new Set(inspector.conflicts.map(norm).filter((x) => x));
  if (tenderee && declared.has(tenderee))
    reasons.push(`declared a relationship with tenderee ${c.tenderee_id}`);
  if (agency && declared.has(agency)) reasons.push(`declared a relationship with agency ${c.agency_id}`);
  for (const b of c.bidders) {
    if (declared.has(norm(b))) reasons.push(`declared a relationship with bidder ${b}`);
  }
  return reasons;
}

function checkRoster(roster: readonly Inspector[], perItem: number): void {
  if (!Number.isInteger(perItem) || perItem < 2) {
    throw new DrawError("E_INSPECT_INPUT", `inspectors per item must be an integer ≥ 2, not ${perItem}`);
  }
  const names = new Set<string>();
  for (const p of roster) {
    if (!p.name.trim() || !p.department.trim() || !p.certification.trim()) {
      throw new DrawError(
        "E_INSPECT_INPUT",
        `roster entry "${p.name}" needs a name, a department and a certification`,
      );
    }
    if (names.has(p.name)) throw new DrawError("E_INSPECT_INPUT", `roster lists "${p.name}" twice`);
    names.add(p.name);
  }
}

/** Draws one team for a tender from the roster (see the module comment). */
export function matchTeam(
  c: Candidate,
  roster: readonly Inspector[],
  perItem: number,
  rng: HashRng,
): Inspector[] {
  const eligible = roster.filter((p) => conflictReasons(p, c).length === 0);
  const order = shuffled(eligible, rng);
  const team: Inspector[] = [];
  const depts = new Set<string>();
  for (const p of order) {
    if (team.length >= perItem) break;
    if (!depts.has(norm(p.department))) {
      team.push(p);
      depts.add(norm(p.department));
    }
  }
  for (const p of order) {
    if (team.length >= perItem) break;
    if (!team.includes(p)) team.push(p);
  }
  if (team.length < perItem || depts.size < 2) {
    const eligibleDepts = new Set(eligible.map((p) => norm(p.department))).size;
    throw new DrawError(
      "E_INSPECT_NO_MATCH",
      `tender ${c.tender_id}: no valid inspection team — ${eligible.length} of ${roster.length} inspectors ` +
        `without a conflict, from ${eligibleDepts} department(s); need ${perItem} from at least 2 departments`,
    );
  }
  return team;
}

/** The whole draw: tenders, then a team per drawn tender. Inputs are not mutated. */
export function drawPlan(
  seed: string,
  candidates: readonly Candidate[],
  roster: readonly Inspector[],
  params: DrawParams,
): DrawResult {
  checkRoster(roster, params.perItem);
  const sel = drawTenders(seed, candidates, params);
  const rosterSorted = [...roster].sort((a, b) => cmpStr(a.name, b.name));
  const rng = new HashRng(seed, "match");
  const items = sel.selected.map((i, k): PlanItem => {
    const c = sel.candidates[i] as Candidate;
    const team = matchTeam(c, rosterSorted, params.perItem, rng);
    return {
      item_no: k + 1,
      tender_id: c.tender_id,
      weight: sel.weights[i] as number,
      probability: sel.probabilities[i] as number,
      inspectors: team.map((p) => p.name),
      departments: team.map((p) => p.department),
    };
  });
  return { ...sel, items };
}
