/**
 * The alert store: alerts live in DuckDB between runs, keep their id, and carry the analyst workflow state.
 *
 * - `upsertAlerts` writes a run's alerts: a known id is refreshed (score, evidence, last_seen, rank…; the
 *   workflow state is kept), a new id is inserted as `new`.
 * - Ring identity continuity: before writing, a new ring/pair alert that overlaps a stored ring/pair alert
 *   by Jaccard ≥ `minJaccard` over their firm sets takes over that alert's id (`matchPredecessors`), so a
 *   ring that gains or loses a member stays one case.
 * - Dismissal memory: a dismissed alert seen again on the same evidence stays dismissed (and is marked
 *   `suppressed`); with new evidence (anything the dismissed evidence did not contain) it reopens as `new`.
 * - Watch list (重点关注对象): closing an alert as confirmed puts its firms and the people named in its
 *   evidence on the watch list; `watchlistBoost` turns that into score multipliers for future runs.
 */
import { createHash } from "node:crypto";
import { type Db, sqlSection } from "../db/duckdb.ts";
import { cmpStr } from "../domain/compare.ts";
import { round4 } from "../domain/rounding.ts";
import { BidwatchError } from "../errors.ts";
import type { Alert, AlertKind, Channel, Clock, Evidence, RouteProposal } from "../types.ts";
import { type AuditInput, appendAudit, initAudit } from "./audit.ts";
import { applyBoost, rankAlerts } from "./rank.ts";

export { applyBoost };

const q = (name: string) => sqlSection(import.meta.url, "store.sql", name);

export type AlertStatus = "new" | "in_review" | "referred" | "result_received" | "closed";
export type Verdict = "confirmed" | "dismissed";
/** Where an analyst can refer an alert (every alert already goes to `analyst`). */
export type ReferralChannel = Exclude<Channel, "analyst">;

export const ALERT_STATUSES: readonly AlertStatus[] = [
  "new",
  "in_review",
  "referred",
  "result_received",
  "closed",
];

/** The actor recorded for changes bidwatch makes itself (new alerts, reopening, suppression). */
export const SYSTEM_ACTOR = "bidwatch";

/** An alert as stored, with its workflow state. */
export interface AlertRecord extends Alert {
  readonly first_seen: Date;
  readonly last_seen: Date;
  readonly status: AlertStatus;
  readonly verdict: Verdict | null;
  /** Dismissed and seen again on the same evidence: not raised again. */
  readonly suppressed: boolean;
  readonly assignee: string | null;
  readonly referred_channel: ReferralChannel | null;
  readonly referred_at: Date | null;
  readonly accepted_at: Date | null;
  readonly result_at: Date | null;
  readonly closed_at: Date | null;
  readonly evidence_fingerprint: string;
  readonly updated_at: Date;
}

export class StoreError extends BidwatchError {
  constructor(message: string) {
    super("E_STORE_INPUT", `alerts: ${message}`);
    this.name = "StoreError";
  }
}

export async function initAlertStore(db: Db): Promise<void> {
  await db.exec(q("init"));
  await initAudit(db);
}

// ---------------------------------------------------------------------------------------------------------
// Evidence fingerprint

/** Fact keys that describe how strong the evidence is or how it was tuned, not what it is about. */
const NON_IDENTITY_FACT_KEYS = new Set(["thresholds", "settings", "defaults"]);

/**
 * Collects the text values of evidence facts per path (`shared_values`, `edges.a`, …), skipping the
 * non-identity keys. Values are gathered first and atoms made once per distinct (path, value): ring facts
 * repeat the same firm ids and rules across many edges.
 */
function factValues(path: string, v: unknown, out: Map<string, Set<string>>): void {
  if (typeof v === "string") {
    addValue(out, path, v);
  } else if (Array.isArray(v)) {
    for (const x of v) {
      if (typeof x === "string") addValue(out, path, x);
      else if (typeof x === "object" && x !== null) factValues(path, x, out);
    }
  } else if (typeof v === "object" && v !== null) {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (NON_IDENTITY_FACT_KEYS.has(k)) continue;
      const x = o[k];
      if (typeof x === "string" || (typeof x === "object" && x !== null))
        factValues(path ? `${path}.${k}` : k, x, out);
    }
  }
}

function addValue(out: Map<string, Set<string>>, path: string, value: string): void {
  const values = out.get(path);
  if (values) values.add(value);
  else out.set(path, new Set([value]));
}

/**
 * What an alert's evidence is about, as sorted atoms: `rule:R`, `firm:F`, `tender:T` and every text value
 * in the facts (`fact:R:path=value`, e.g. the shared IP, account or person id). Weights, counts, statistics
 * and thresholds (numbers, and the `thresholds` object) are left out: the same facts seen with another
 * strength are the same evidence.
 */
export function evidenceAtoms(alert: Pick<Alert, "firms" | "tenders" | "evidence">): string[] {
  const atoms = new Set<string>();
  for (const f of alert.firms) atoms.add(`firm:${f}`);
  for (const t of alert.tenders) atoms.add(`tender:${t}`);
  const perRule = new Map<string, Map<string, Set<string>>>();
  for (const e of alert.evidence) {
    atoms.add(`rule:${e.rule}`);
    let values = perRule.get(e.rule);
    if (!values) {
      values = new Map();
      perRule.set(e.rule, values);
    }
    factValues("", e.facts, values);
  }
  for (const [rule, values] of perRule) {
    for (const [path, set] of values) {
      const head = `fact:${rule}:${path}=`;
      for (const v of set) atoms.add(head + v);
    }
  }
  // The default sort compares UTF-16 code units, as cmpStr does.
  return [...atoms].sort();
}

/** SHA-256 hex over the sorted atoms, one per line. */
export function evidenceFingerprint(atoms: readonly string[]): string {
  return sortedFingerprint([...atoms].sort(cmpStr));
}

/** `evidenceFingerprint` of atoms already sorted (as `evidenceAtoms` returns them). */
function sortedFingerprint(sorted: readonly string[]): string {
  return createHash("sha256").update(sorted.join("\n"), "utf8").digest("hex");
}

/** Fact keys holding person ids, and identity fields whose shared values are person ids. */
const PERSON_KEYS = new Set([
  "person_id",
  "person_ids",
  "persons",
  "people",
  "shared_people",
  "project_manager_id",
  "project_manager_ids",
  "legal_rep_id",
  "legal_rep_ids",
]);
const PERSON_FIELDS = new Set(["person_id", "project_manager_id", "legal_rep_id"]);

function collectIds(v: unknown, out: Set<string>): void {
  if (typeof v === "string") {
    if (v.trim()) out.add(v.trim());
  } else if (Array.isArray(v)) for (const x of v) collectIds(x, out);
  else if (v !== null && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) if (PERSON_KEYS.has(k) || k === "id") collectIds(x, out);
  }
}

/**
 * Person ids named in evidence facts: values under person keys (`person_id`, `person_ids`, `people`,
 * `project_manager_id`, `legal_rep_id`, …) and the shared values of person identity fields
 * (`field: "project_manager_id"` with `shared_values`). Sorted.
 */
export function personIdsInEvidence(evidence: readonly Evidence[]): string[] {
  const out = new Set<string>();
  for (const e of evidence) {
    const facts = e.facts as Record<string, unknown>;
    for (const [k, v] of Object.entries(facts)) if (PERSON_KEYS.has(k)) collectIds(v, out);
    if (typeof facts.field === "string" && PERSON_FIELDS.has(facts.field)) {
      collectIds(facts.shared_values, out);
      collectIds(facts.value, out);
      collectIds(facts.values, out);
    }
  }
  return [...out].sort(cmpStr);
}

// ---------------------------------------------------------------------------------------------------------
// Ring identity continuity

export interface MatchCandidate {
  readonly id: string;
  readonly kind: AlertKind;
  readonly firms: readonly string[];
}

export interface PredecessorMatch {
  /** The id the incoming alert was built with. */
  readonly incomingId: string;
  /** The stored alert whose id it takes over. */
  readonly id: string;
  readonly jaccard: number;
}

export interface MatchOptions {
  /** Minimum |A ∩ B| / |A ∪ B| of the firm sets (default 0.5). */
  readonly minJaccard?: number;
  /** Kinds that can continue one another, on both sides (default ring and pair). */
  readonly kinds?: readonly AlertKind[];
}

export const MATCH_DEFAULTS: Required<MatchOptions> = { minJaccard: 0.5, kinds: ["ring", "pair"] };

function overlap(a: readonly string[], b: readonly string[]): { inter: number; union: number } {
  const sa = new Set(a);
  const sb = new Set(b);
  let inter = 0;
  for (const x of sa) if (sb.has(x)) inter++;
  return { inter, union: sa.size + sb.size - inter };
}

/** |A ∩ B| / |A ∪ B| of two firm sets (0 when both are empty). */
export function jaccard(a: readonly string[], b: readonly string[]): number {
  const { inter, union } = overlap(a, b);
  return union === 0 ? 0 : inter / union;
}

/**
 * Pairs incoming alerts with the stored alerts they continue (pure). An incoming alert whose id is already
 * among `existing` is the same subject and takes part in nothing; nor does that existing alert. The rest
 * are paired one-to-one, greedily by Jaccard descending, then shared firm count descending, then existing
 * id, then incoming id (so the result never depends on input order). Returns matches keyed by incoming id.
 */
export function matchPredecessors(
  existing: readonly MatchCandidate[],
  incoming: readonly MatchCandidate[],
  options: MatchOptions = {},
): Map<string, PredecessorMatch> {
  const minJ = options.minJaccard ?? MATCH_DEFAULTS.minJaccard;
  const kinds = new Set(options.kinds ?? MATCH_DEFAULTS.kinds);
  const existingIds = new Set(existing.map((e) => e.id));
  const incomingIds = new Set(incoming.map((a) => a.id));
  const olds = existing.filter((e) => kinds.has(e.kind) && !incomingIds.has(e.id));
  const news = incoming.filter((a) => kinds.has(a.kind) && !existingIds.has(a.id));
  const byFirm = new Map<string, MatchCandidate[]>();
  for (const e of olds) {
    for (const f of new Set(e.firms)) {
      const list = byFirm.get(f);
      if (list) list.push(e);
      else byFirm.set(f, [e]);
    }
  }
  const pairs: { inc: string; old: string; j: number; shared: number }[] = [];
  for (const a of news) {
    const seen = new Set<string>();
    for (const f of new Set(a.firms)) {
      for (const e of byFirm.get(f) ?? []) {
        if (seen.has(e.id)) continue;
        seen.add(e.id);
        const { inter, union } = overlap(a.firms, e.firms);
        const j = inter / union;
        if (j >= minJ) pairs.push({ inc: a.id, old: e.id, j, shared: inter });
      }
    }
  }
  pairs.sort((x, y) => y.j - x.j || y.shared - x.shared || cmpStr(x.old, y.old) || cmpStr(x.inc, y.inc));
  const taken = new Set<string>();
  const out = new Map<string, PredecessorMatch>();
  for (const p of pairs) {
    if (out.has(p.inc) || taken.has(p.old)) continue;
    taken.add(p.old);
    out.set(p.inc, { incomingId: p.inc, id: p.old, jaccard: round4(p.j) });
  }
  return new Map([...out.entries()].sort((x, y) => cmpStr(x[0], y[0])));
}

// ---------------------------------------------------------------------------------------------------------
// Upsert

export interface StoreOptions extends MatchOptions {
  /** Actor recorded in the audit log for changes the run makes (default "bidwatch"). */
  readonly actor?: string;
}

const STORE_OPTION_KEYS = new Set(["minJaccard", "kinds", "actor"]);

function checkStoreOptions(options: StoreOptions): void {
  for (const k of Object.keys(options)) {
    if (!STORE_OPTION_KEYS.has(k)) throw new StoreError(`unknown store option "${k}"`);
  }
  const j = options.minJaccard;
  if (j !== undefined && !(j > 0 && j <= 1)) throw new StoreError(`minJaccard must be in (0, 1], not ${j}`);
}

export interface UpsertResult {
  /** The run's alerts with their stored ids (continued rings renamed), re-ranked with the usual tie-breakers. */
  readonly alerts: Alert[];
  readonly inserted: string[];
  readonly updated: string[];
  /** Dismissed alerts that came back with new evidence and are `new` again. */
  readonly reopened: string[];
  /** Dismissed alerts seen again on the same evidence: they stay dismissed. */
  readonly suppressed: string[];
  /** Incoming alerts that continue a stored alert under its id. */
  readonly renamed: PredecessorMatch[];
}

interface StateRow {
  id: string;
  status: AlertStatus;
  verdict: Verdict | null;
  suppressed: boolean;
  firms: string[];
  dismissed_atoms: string[] | null;
}

const json = (v: unknown): string => JSON.stringify(v);

/**
 * Alerts staged and written per round in `upsertAlerts`: bounds the memory that parsing and writing them
 * takes. The rounds follow the final ranking, so the rows go in in rank order as one round would put them.
 */
const STAGE_BATCH = 1000;

/**
 * The staged rows of alerts `from` to `to` (stage_incoming in store.sql): insert or update, and one JSON
 * object, made as it is appended.
 */
function* stagedRows(
  alerts: readonly Alert[],
  staged: readonly { atoms: string[]; fingerprint: string; op: "insert" | "update" }[],
  from: number,
  to: number,
): Generator<[string, string]> {
  for (let i = from; i < Math.min(to, alerts.length); i++) {
    const a = alerts[i] as Alert;
    const s = staged[i] as (typeof staged)[number];
    yield [
      s.op,
      json({
        id: a.id,
        kind: a.kind,
        firms: a.firms,
        tenders: a.tenders,
        score: a.score,
        amount: a.amount,
        channels: a.channels,
        evidence: a.evidence,
        routing: a.routing ?? [],
        summary_zh: a.summary_zh,
        summary_en: a.summary_en,
        rank: a.rank,
        fingerprint: s.fingerprint,
        atoms: s.atoms,
      }),
    ];
  }
}

function listDiff(a: readonly string[], b: readonly string[]): string[] {
  const sb = new Set(b);
  return a.filter((x) => !sb.has(x));
}

/**
 * Writes a run's alerts in one transaction (with their audit entries). Call with every alert of the run:
 * continuity matching pairs the run's alerts among themselves one-to-one.
 */
export async function upsertAlerts(
  db: Db,
  alerts: readonly Alert[],
  clock: Clock,
  options: StoreOptions = {},
): Promise<UpsertResult> {
  checkStoreOptions(options);
  const actor = options.actor ?? SYSTEM_ACTOR;
  const kinds = options.kinds ?? MATCH_DEFAULTS.kinds;
  const ids = alerts.map((a) => a.id);
  if (new Set(ids).size !== ids.length) throw new StoreError("duplicate alert ids in one upsert");
  const at = clock.now();
  const now = at.toISOString();

  return db.transaction(async () => {
    const exact = new Set(
      (await db.all<{ id: string }>(q("existing_ids"), { ids: json(ids) })).map((r) => r.id),
    );
    const candidates = await db.all<{ id: string; kind: AlertKind; firms: string[] }>(q("match_candidates"), {
      kinds: json(kinds),
      ids: json(ids),
    });
    const matches = matchPredecessors(
      candidates,
      alerts.filter((a) => !exact.has(a.id)),
      { minJaccard: options.minJaccard ?? MATCH_DEFAULTS.minJaccard, kinds },
    );
    const finalAlerts = rankAlerts(alerts.map((a) => ({ ...a, id: matches.get(a.id)?.id ?? a.id })));
    const stateRows = await db.all<StateRow & Record<string, unknown>>(q("states"), {
      ids: json(finalAlerts.map((a) => a.id)),
    });
    const states = new Map(stateRows.map((r) => [r.id, r]));
    const renamedTo = new Map([...matches.values()].map((m) => [m.id, m]));

    const result: UpsertResult = {
      alerts: finalAlerts,
      inserted: [],
      updated: [],
      reopened: [],
      suppressed: [],
      renamed: [...matches.values()],
    };
    const audit: AuditInput[] = [];
    // Per alert (in finalAlerts order): its atoms, fingerprint and whether it is new.
    const staged: { atoms: string[]; fingerprint: string; op: "insert" | "update" }[] = [];
    const toSuppress: string[] = [];
    const toReopen: string[] = [];
    for (const a of finalAlerts) {
      const atoms = evidenceAtoms(a);
      const state = states.get(a.id);
      staged.push({ atoms, fingerprint: sortedFingerprint(atoms), op: state ? "update" : "insert" });
      if (!state) {
        result.inserted.push(a.id);
        const rules = [...new Set(a.evidence.map((e) => e.rule))].sort(cmpStr);
        audit.push({
          actor,
          alert_id: a.id,
          action: "create",
          from_state: null,
          to_state: "new",
          note: `detected: ${rules.join(", ")}`,
        });
        continue;
      }
      result.updated.push(a.id);
      const match = renamedTo.get(a.id);
      if (match) {
        const added = listDiff(a.firms, state.firms);
        const removed = listDiff(state.firms, a.firms);
        audit.push({
          actor,
          alert_id: a.id,
          action: "members_changed",
          from_state: state.status,
          to_state: state.status,
          note:
            `re-detected as ${match.incomingId} (Jaccard ${match.jaccard}): ` +
            `firms +[${added.join(", ")}] -[${removed.join(", ")}]`,
        });
      }
      if (state.status === "closed" && state.verdict === "dismissed") {
        const dismissed = new Set(state.dismissed_atoms ?? []);
        const fresh = atoms.filter((x) => !dismissed.has(x));
        if (fresh.length === 0) {
          result.suppressed.push(a.id);
          if (!state.suppressed) {
            toSuppress.push(a.id);
            audit.push({
              actor,
              alert_id: a.id,
              action: "suppress",
              from_state: "closed",
              to_state: "closed",
              note: "seen again on the evidence it was dismissed on: stays dismissed",
            });
          }
        } else {
          toReopen.push(a.id);
          result.reopened.push(a.id);
          const shown = fresh.slice(0, 5).join(", ") + (fresh.length > 5 ? `, … (${fresh.length})` : "");
          audit.push({
            actor,
            alert_id: a.id,
            action: "reopen",
            from_state: "closed",
            to_state: "new",
            note: `reopened: new evidence (${shown})`,
          });
        }
      }
    }
    await db.exec(q("stage_incoming"));
    for (let i = 0; i < finalAlerts.length; i += STAGE_BATCH) {
      await db.appendText("bw_incoming_json", stagedRows(finalAlerts, staged, i, i + STAGE_BATCH), {
        temp: true,
      });
      await db.exec(q("insert_incoming"), { now });
      await db.exec(q("update_incoming"), { now });
      await db.exec(q("clear_incoming"));
    }
    await db.exec(q("drop_incoming"));
    if (toSuppress.length) await db.exec(q("suppress"), { ids: json(toSuppress), now });
    if (toReopen.length) await db.exec(q("reopen"), { ids: json(toReopen), now });
    await appendAudit(db, audit, at);
    return result;
  });
}

// ---------------------------------------------------------------------------------------------------------
// Reading

interface RecordRow {
  id: string;
  rank: number;
  score: number;
  kind: AlertKind;
  firms: string[];
  tenders: string[];
  amount: number;
  channels: Channel[];
  evidence: string;
  routing: string;
  summary_zh: string;
  summary_en: string;
  first_seen: Date;
  last_seen: Date;
  status: AlertStatus;
  verdict: Verdict | null;
  suppressed: boolean;
  assignee: string | null;
  referred_channel: ReferralChannel | null;
  referred_at: Date | null;
  accepted_at: Date | null;
  result_at: Date | null;
  closed_at: Date | null;
  evidence_fingerprint: string;
  updated_at: Date;
}

function toRecord(r: RecordRow): AlertRecord {
  return {
    ...r,
    evidence: JSON.parse(r.evidence) as Evidence[],
    routing: JSON.parse(r.routing) as RouteProposal[],
  };
}

export interface AlertFilter {
  readonly ids?: readonly string[];
  readonly status?: AlertStatus | readonly AlertStatus[];
  /** Only alerts not closed (true) or only closed ones (false). */
  readonly open?: boolean;
  /** Alerts routed to this channel or referred to it. */
  readonly channel?: Channel;
  readonly verdict?: Verdict;
  /** Default: suppressed alerts are left out. */
  readonly includeSuppressed?: boolean;
  readonly limit?: number;
}

/** Stored alerts, most urgent first: score desc, amount desc, id asc. */
export async function listAlerts(db: Db, filter: AlertFilter = {}): Promise<AlertRecord[]> {
  const where: string[] = [];
  const params: Record<string, string | number | boolean> = {};
  if (filter.ids) {
    where.push("id IN (SELECT unnest($ids::JSON::VARCHAR[]))");
    params.ids = json(filter.ids);
  }
  if (filter.status !== undefined) {
    const statuses = typeof filter.status === "string" ? [filter.status] : filter.status;
    for (const s of statuses) if (!ALERT_STATUSES.includes(s)) throw new StoreError(`unknown status "${s}"`);
    where.push("list_contains($statuses::JSON::VARCHAR[], status)");
    params.statuses = json(statuses);
  }
  if (filter.open !== undefined) where.push(filter.open ? "status <> 'closed'" : "status = 'closed'");
  if (filter.channel !== undefined) {
    where.push("(list_contains(channels, $channel) OR referred_channel = $channel)");
    params.channel = filter.channel;
  }
  if (filter.verdict !== undefined) {
    where.push("verdict = $verdict");
    params.verdict = filter.verdict;
  }
  if (!filter.includeSuppressed) where.push("NOT suppressed");
  let sql = q("select_records");
  if (where.length) sql += `\nWHERE ${where.join(" AND ")}`;
  sql += "\nORDER BY score DESC, amount DESC, id";
  if (filter.limit !== undefined) {
    if (!Number.isInteger(filter.limit) || filter.limit < 0)
      throw new StoreError("limit must be an integer ≥ 0");
    sql += "\nLIMIT $limit";
    params.limit = filter.limit;
  }
  const rows = await db.all<RecordRow & Record<string, unknown>>(sql, params);
  return rows.map(toRecord);
}

export async function getAlert(db: Db, id: string): Promise<AlertRecord | undefined> {
  const [r] = await listAlerts(db, { ids: [id], includeSuppressed: true });
  return r;
}

// ---------------------------------------------------------------------------------------------------------
// Watch list (重点关注对象)

export interface WatchEntry {
  readonly subject_type: "firm" | "person";
  readonly subject_id: string;
  readonly alert_id: string;
  readonly reason: string;
  readonly added_at: Date;
  readonly added_by: string;
}

/**
 * Puts the firms of a confirmed alert and the people named in its evidence on the watch list. Called by
 * `close(…, "confirmed")` inside its transaction. Returns the number of subjects considered.
 */
export async function addToWatchlist(
  db: Db,
  alert: Pick<AlertRecord, "id" | "kind" | "firms" | "evidence">,
  by: { readonly actor: string; readonly note: string; readonly at: Date },
): Promise<number> {
  const reason = `confirmed ${alert.kind} alert ${alert.id}: ${by.note}`;
  const subjects: ["firm" | "person", string][] = [
    ...alert.firms.map((f): ["firm", string] => ["firm", f]),
    ...personIdsInEvidence(alert.evidence).map((p): ["person", string] => ["person", p]),
  ];
  for (const [subject_type, subject_id] of subjects) {
    await db.exec(q("watch_add"), {
      subject_type,
      subject_id,
      alert_id: alert.id,
      reason,
      now: by.at.toISOString(),
      actor: by.actor,
    });
  }
  return subjects.length;
}

export async function readWatchlist(db: Db): Promise<WatchEntry[]> {
  return db.all<WatchEntry & Record<string, unknown>>(q("watch_list"));
}

export interface BoostSettings {
  /** Added to the multiplier per confirmed alert naming the firm. */
  readonly perAlert: number;
  /** Added per watched person standing behind the firm (firm_people). */
  readonly perPerson: number;
  /** Upper bound of the multiplier. */
  readonly max: number;
}

export const BOOST_DEFAULTS: BoostSettings = { perAlert: 0.25, perPerson: 0.15, max: 1.5 };

/**
 * Score multipliers for watched firms: m = min(max, 1 + perAlert·(confirmed alerts naming the firm)
 * + perPerson·(watched people behind the firm)). Firms not in the map have m = 1. Apply with `applyBoost`.
 */
export async function watchlistBoost(
  db: Db,
  settings: Partial<BoostSettings> = {},
): Promise<Map<string, number>> {
  for (const k of Object.keys(settings)) {
    if (!(k in BOOST_DEFAULTS)) throw new StoreError(`unknown boost setting "${k}"`);
  }
  const s = { ...BOOST_DEFAULTS, ...settings };
  const rows = await db.all<{ firm_id: string; n_alerts: number; n_people: number }>(q("watch_boost_counts"));
  return new Map(
    rows.map((r) => [
      r.firm_id,
      round4(Math.min(s.max, 1 + s.perAlert * r.n_alerts + s.perPerson * r.n_people)),
    ]),
  );
}

/** The largest multiplier among an alert's firms (1 when none is watched). */
export function alertBoost(firms: readonly string[], boosts: ReadonlyMap<string, number>): number {
  return firms.reduce((m, f) => Math.max(m, boosts.get(f) ?? 1), 1);
}
