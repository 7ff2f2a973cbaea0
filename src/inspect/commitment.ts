/**
 * Commit–reveal for inspection plans, so anyone can check that nobody picked the targets by hand (pure).
 * docs/inspect.md §5 states the scheme for independent re-implementation.
 *
 *   candidates_hash = H(["bidwatch-inspect-candidates/1", [[tender_id, date, tenderee_id, agency_id, bidders,
 *                        risk, risk_source, sanctioned, watched], …]])            (tender id order)
 *   population_hash = H(["bidwatch-inspect-population/1", [[tender_id, date, tenderee_id, agency_id,
 *                        bidders], …]])                                             (tender id order)
 *   roster_hash     = H(["bidwatch-inspect-roster/1", [[name, department, certification, conflicts], …]])
 *                                                                (name order, conflicts sorted)
 *   params_hash     = H(["bidwatch-inspect-params/1", from, to, ratio, per_item, [α, β, γ], algorithm,
 *                        n_candidates, candidates_hash, population_hash, roster_hash])
 *   commitment      = H(["bidwatch-inspect-commit/1", seed, nonce, params_hash])
 *   plan_id         = "IP-" + the first 12 hex digits of the commitment
 *
 * where H(x) = lower-case hex SHA-256 of the UTF-8 bytes of JSON.stringify(x). The commitment is published
 * (commitment.txt, the audit log) when the plan is drawn; the seed and nonce are revealed afterwards.
 * `verifyPlan` checks the hashes, the commitment against the revealed seed, recomputes the draw from the
 * frozen candidates and roster, and — given the database's current population — that the population is
 * still the one committed to.
 */
import { createHash } from "node:crypto";
import { cmpStr } from "../domain/compare.ts";
import { BidwatchError } from "../errors.ts";
import { type Candidate, type DrawParams, drawPlan, type Inspector, type PlanItem } from "./draw.ts";
import {
  inclusionProbabilities,
  sampleSize,
  type WeightingSummary,
  type WeightSettings,
  weightingSummary,
} from "./weights.ts";

export const PLAN_FORMAT = "bidwatch-inspect-plan/1";
export const ALGORITHM = "systematic-pps/1";

export function sha256Hex(value: unknown): string {
  return createHash("sha256").update(JSON.stringify(value), "utf8").digest("hex");
}

const byTender = (cs: readonly Candidate[]) => [...cs].sort((a, b) => cmpStr(a.tender_id, b.tender_id));

export function candidatesHash(candidates: readonly Candidate[]): string {
  return sha256Hex([
    "bidwatch-inspect-candidates/1",
    byTender(candidates).map((c) => [
      c.tender_id,
      c.date,
      c.tenderee_id,
      c.agency_id,
      [...c.bidders],
      c.risk,
      c.risk_source,
      [...c.sanctioned],
      [...c.watched],
    ]),
  ]);
}

export function populationHash(candidates: readonly Candidate[]): string {
  return sha256Hex([
    "bidwatch-inspect-population/1",
    byTender(candidates).map((c) => [c.tender_id, c.date, c.tenderee_id, c.agency_id, [...c.bidders]]),
  ]);
}

export function rosterHash(roster: readonly Inspector[]): string {
  return sha256Hex([
    "bidwatch-inspect-roster/1",
    [...roster]
      .sort((a, b) => cmpStr(a.name, b.name))
      .map((p) => [p.name, p.department, p.certification, [...p.conflicts].sort(cmpStr)]),
  ]);
}

/** Everything the draw depends on besides the seed; its hash is committed to. */
export interface PlanParams {
  /** First and last day of the period ("YYYY-MM-DD", Shanghai), inclusive. */
  readonly from: string;
  readonly to: string;
  readonly ratio: number;
  readonly per_item: number;
  readonly weights: WeightSettings;
  readonly algorithm: typeof ALGORITHM;
  readonly n_candidates: number;
  readonly candidates_hash: string;
  readonly population_hash: string;
  readonly roster_hash: string;
}

export function paramsHash(p: PlanParams): string {
  return sha256Hex([
    "bidwatch-inspect-params/1",
    p.from,
    p.to,
    p.ratio,
    p.per_item,
    [p.weights.risk, p.weights.sanction, p.weights.watch],
    p.algorithm,
    p.n_candidates,
    p.candidates_hash,
    p.population_hash,
    p.roster_hash,
  ]);
}

export function commitmentOf(seed: string, nonce: string, paramsHashHex: string): string {
  return sha256Hex(["bidwatch-inspect-commit/1", seed, nonce, paramsHashHex]);
}

export function planIdOf(commitment: string): string {
  return `IP-${commitment.slice(0, 12)}`;
}

/** 32 bytes of randomness as 64 hex digits (a fresh seed or nonce). `randomBytes` is injected. */
export function randomHex(randomBytes: (n: number) => Uint8Array): string {
  return Buffer.from(randomBytes(32)).toString("hex");
}

export interface Reveal {
  readonly seed: string;
  readonly nonce: string;
  /** ISO 8601 (+08:00); absent in a reveal typed in by hand. */
  readonly revealed_at?: string;
}

/** plan.json: the whole plan as drawn. `reveal` is added once the seed is revealed. */
export interface PlanDocument {
  readonly format: typeof PLAN_FORMAT;
  readonly plan_id: string;
  readonly created_at: string;
  readonly created_by: string;
  readonly params: PlanParams;
  readonly params_hash: string;
  readonly commitment: string;
  /** The frozen population with the inputs of every weight, in tender id order. */
  readonly candidates: readonly Candidate[];
  /** The roster as used, in name order. */
  readonly roster: readonly Inspector[];
  readonly items: readonly PlanItem[];
  readonly summary: WeightingSummary;
  readonly reveal?: Reveal;
}

export class PlanError extends BidwatchError {
  constructor(code: string, message: string) {
    super(code, `inspect: ${message}`);
    this.name = "PlanError";
  }
}

export interface BuildInput {
  readonly seed: string;
  readonly nonce: string;
  readonly from: string;
  readonly to: string;
  readonly ratio: number;
  readonly perItem: number;
  readonly weights: WeightSettings;
  readonly candidates: readonly Candidate[];
  readonly roster: readonly Inspector[];
  readonly createdAt: string;
  readonly createdBy: string;
}

function drawParams(p: PlanParams): DrawParams {
  return { ratio: p.ratio, perItem: p.per_item, weights: p.weights };
}

/** Draws a plan and commits to it (pure). */
export function buildPlan(input: BuildInput): PlanDocument {
  if (!input.seed) throw new PlanError("E_INSPECT_INPUT", "the seed is empty");
  if (!input.nonce) throw new PlanError("E_INSPECT_INPUT", "the nonce is empty");
  if (input.candidates.length === 0) {
    throw new PlanError("E_INSPECT_EMPTY", `no tenders between ${input.from} and ${input.to}`);
  }
  const candidates = byTender(input.candidates);
  const roster = [...input.roster].sort((a, b) => cmpStr(a.name, b.name));
  const params: PlanParams = {
    from: input.from,
    to: input.to,
    ratio: input.ratio,
    per_item: input.perItem,
    weights: input.weights,
    algorithm: ALGORITHM,
    n_candidates: candidates.length,
    candidates_hash: candidatesHash(candidates),
    population_hash: populationHash(candidates),
    roster_hash: rosterHash(roster),
  };
  const draw = drawPlan(input.seed, candidates, roster, drawParams(params));
  const ph = paramsHash(params);
  const commitment = commitmentOf(input.seed, input.nonce, ph);
  const chosen = new Set(draw.selected);
  const { scale } = inclusionProbabilities(draw.weights, sampleSize(params.ratio, candidates.length));
  const summary = weightingSummary(
    draw.candidates.map((c, i) => ({
      inputs: { risk: c.risk, sanctioned: c.sanctioned.length > 0, watched: c.watched.length > 0 },
      weight: draw.weights[i] as number,
      probability: draw.probabilities[i] as number,
      drawn: chosen.has(i),
    })),
    params.ratio,
    params.weights,
    scale,
  );
  return {
    format: PLAN_FORMAT,
    plan_id: planIdOf(commitment),
    created_at: input.createdAt,
    created_by: input.createdBy,
    params,
    params_hash: ph,
    commitment,
    candidates,
    roster,
    items: draw.items,
    summary,
  };
}

export type CheckStatus = "ok" | "fail" | "warn" | "skipped";

export interface Check {
  /** params, candidates, population_committed, roster, commitment, draw, population, inputs. */
  readonly check: string;
  readonly status: CheckStatus;
  readonly detail: string;
}

export interface VerifyReport {
  readonly plan_id: string;
  /** No check failed. */
  readonly ok: boolean;
  readonly checks: readonly Check[];
}

function sameItem(a: PlanItem, b: PlanItem): boolean {
  return (
    a.item_no === b.item_no &&
    a.tender_id === b.tender_id &&
    a.weight === b.weight &&
    a.probability === b.probability &&
    a.inspectors.length === b.inspectors.length &&
    a.inspectors.every((x, i) => x === b.inspectors[i]) &&
    a.departments.length === b.departments.length &&
    a.departments.every((x, i) => x === b.departments[i])
  );
}

function listDiff(a: readonly string[], b: readonly string[], max = 5): string {
  const sb = new Set(b);
  const sa = new Set(a);
  const added = b.filter((x) => !sa.has(x));
  const removed = a.filter((x) => !sb.has(x));
  const fmt = (xs: string[]) => xs.slice(0, max).join(", ") + (xs.length > max ? ", …" : "");
  const parts: string[] = [];
  if (added.length) parts.push(`${added.length} added (${fmt(added)})`);
  if (removed.length) parts.push(`${removed.length} removed (${fmt(removed)})`);
  return parts.join("; ");
}

/**
 * Verifies a plan against a revealed seed and nonce. With `current` (the population read from the
 * database now for the plan's period), also checks that the population is still the committed one
 * (a fail) and reports weight inputs that changed since (a warning: alerts are re-scored every night, the
 * plan keeps the inputs it committed to).
 */
export function verifyPlan(
  doc: PlanDocument,
  reveal: Pick<Reveal, "seed" | "nonce">,
  current?: readonly Candidate[],
): VerifyReport {
  const checks: Check[] = [];
  const add = (check: string, ok: boolean, good: string, bad: string, soft = false) =>
    checks.push({ check, status: ok ? "ok" : soft ? "warn" : "fail", detail: ok ? good : bad });
  const p = doc.params;

  const ph = paramsHash(p);
  add(
    "params",
    ph === doc.params_hash,
    "parameters match params_hash",
    `params_hash is ${ph}, plan says ${doc.params_hash}`,
  );
  const ch = candidatesHash(doc.candidates);
  add(
    "candidates",
    ch === p.candidates_hash && doc.candidates.length === p.n_candidates,
    `${doc.candidates.length} candidates match candidates_hash`,
    `the plan's candidate list (${doc.candidates.length}) hashes to ${ch}, committed ${p.candidates_hash}: it was changed`,
  );
  const pop = populationHash(doc.candidates);
  add(
    "population_committed",
    pop === p.population_hash,
    "candidate population matches population_hash",
    `the plan's candidates hash to population ${pop}, committed ${p.population_hash}`,
  );
  const rh = rosterHash(doc.roster);
  add(
    "roster",
    rh === p.roster_hash,
    `${doc.roster.length} inspectors match roster_hash`,
    `roster hashes to ${rh}, committed ${p.roster_hash}`,
  );

  const c = commitmentOf(reveal.seed, reveal.nonce, doc.params_hash);
  add(
    "commitment",
    c === doc.commitment && planIdOf(c) === doc.plan_id,
    "H(seed, nonce, params_hash) equals the published commitment",
    `H(seed, nonce, params_hash) = ${c}, published commitment ${doc.commitment}: wrong seed or nonce, or changed parameters`,
  );

  try {
    const redraw = drawPlan(reveal.seed, doc.candidates, doc.roster, drawParams(p));
    const n = Math.max(redraw.items.length, doc.items.length);
    let first = -1;
    for (let i = 0; i < n; i++) {
      const a = redraw.items[i];
      const b = doc.items[i];
      if (!a || !b || !sameItem(a, b)) {
        first = i;
        break;
      }
    }
    add(
      "draw",
      first < 0,
      `recomputed ${redraw.items.length} items, identical to the plan`,
      `recomputed item ${first + 1} is ${redraw.items[first]?.tender_id ?? "(none)"} with ${redraw.items[first]?.inspectors.join(", ") ?? "-"}, ` +
        `plan says ${doc.items[first]?.tender_id ?? "(none)"} with ${doc.items[first]?.inspectors.join(", ") ?? "-"}`,
    );
  } catch (err) {
    add("draw", false, "", `the draw cannot be recomputed: ${(err as Error).message}`);
  }

  if (current) {
    const cur = populationHash(current);
    add(
      "population",
      cur === p.population_hash,
      `the database still holds the committed population of ${p.n_candidates} tenders`,
      `the database's population for ${p.from}..${p.to} differs from the committed one: ` +
        (listDiff(
          doc.candidates.map((x) => x.tender_id),
          current.map((x) => x.tender_id),
        ) || "tenderee, agency, date or bidders changed"),
    );
    const before = new Map(doc.candidates.map((x) => [x.tender_id, candidatesHash([x])]));
    const changed = current.filter(
      (x) => before.has(x.tender_id) && before.get(x.tender_id) !== candidatesHash([x]),
    );
    add(
      "inputs",
      changed.length === 0,
      "risk scores, sanctions and watch list as when drawn",
      `${changed.length} tender(s) have other weight inputs now (e.g. ${changed
        .slice(0, 5)
        .map((x) => x.tender_id)
        .join(", ")}); the plan keeps the inputs it committed to`,
      true,
    );
  } else {
    checks.push({ check: "population", status: "skipped", detail: "no database to compare with" });
  }
  return { plan_id: doc.plan_id, ok: checks.every((x) => x.status !== "fail"), checks };
}
