/**
 * Random inspection plans in the DuckDB database (双随机一公开): the roster, plans with their frozen
 * population, items, results, reveal and publication. Every change appends audit_log rows in the same
 * transaction (alert_id = the plan id, or null for a roster):
 *
 * | action | when | from → to |
 * |---|---|---|
 * | `inspect_roster` | a roster is loaded | — → loaded |
 * | `inspect_commit` | a plan is drawn: the commitment, before the draw's record | — → committed |
 * | `inspect_draw` | the plan's items (items_hash, counts) | committed → drawn |
 * | `inspect_reveal` | the seed is revealed | drawn → revealed |
 * | `inspect_record` | a result is recorded for an item | pending/completed → completed |
 * | `inspect_publish` | items are included in a public notice | completed → published |
 *
 * The clock and the random source are injected (`InspectContext`); nothing here reads the system time.
 */
import { appendAudit } from "../alerts/audit.ts";
import { shanghaiDate, shanghaiIso } from "../alerts/calendar.ts";
import { type Db, sqlSection } from "../db/duckdb.ts";
import { cmpStr } from "../domain/compare.ts";
import { round4 } from "../domain/rounding.ts";
import { BidwatchError } from "../errors.ts";
import type { Clock } from "../types.ts";
import {
  buildPlan,
  PLAN_FORMAT,
  type PlanDocument,
  type PlanParams,
  type Reveal,
  randomHex,
  rosterHash,
  sha256Hex,
  type VerifyReport,
  verifyPlan,
} from "./commitment.ts";
import { type Candidate, drawTenders, type Inspector, type PlanItem } from "./draw.ts";
import type { WeightingSummary, WeightSettings } from "./weights.ts";
import { weightSettings } from "./weights.ts";

const q = (name: string) => sqlSection(import.meta.url, "store.sql", name);

export class InspectError extends BidwatchError {
  constructor(code: string, message: string) {
    super(code, `inspect: ${message}`);
    this.name = "InspectError";
  }
}

export interface InspectContext {
  readonly db: Db;
  readonly clock: Clock;
  /** Cryptographic randomness for seeds and nonces (node:crypto randomBytes in the CLI). */
  readonly randomBytes?: (n: number) => Uint8Array;
}

export async function initInspect(db: Db): Promise<void> {
  await db.exec(q("init"));
}

// ---------------------------------------------------------------------------------------------------------
// Input files

/** Text of an input file: UTF-8 (BOM removed) when valid, otherwise GBK. */
export async function decodeText(bytes: Uint8Array): Promise<string> {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const iconv = (await import("iconv-lite")).default;
    return iconv.decode(Buffer.from(bytes), "gbk");
  }
}

/** RFC 4180 rows (quotes, doubled quotes, CRLF or LF); a leading BOM is dropped. Pure. */
export function parseCsv(text: string): string[][] {
  const s = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    if (quoted) {
      if (ch === '"' && s[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && s[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += ch;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows.filter((r) => r.some((c) => c.trim() !== ""));
}

const ROSTER_COLUMNS: Readonly<Record<keyof Inspector, readonly string[]>> = {
  name: ["name", "姓名", "检查人员", "执法人员", "inspector"],
  department: ["department", "部门", "所属部门", "单位", "所属单位", "dept"],
  certification: [
    "certification",
    "执法证号",
    "执法证件号",
    "执法证",
    "证件编号",
    "证号",
    "cert",
    "certificate",
  ],
  conflicts: ["conflicts", "回避", "回避对象", "利害关系", "关联关系", "relationships"],
};

/** Separators between declared relationships in the conflicts cell. */
const CONFLICT_SEP = /[;；|、,，\s]+/;

export interface ParsedRoster {
  readonly roster: Inspector[];
  /** Columns present in the file that bidwatch does not read (they are not stored). */
  readonly ignored: string[];
}

/**
 * A roster CSV: columns name, department, certification, conflicts (or their Chinese labels 姓名, 部门,
 * 执法证号, 回避对象). Conflicts: ids of tenderees, agencies or firms separated by `;`, `；`, `|`, `、` or
 * spaces. Every row needs a name, a department and a certification; names are unique. Pure.
 */
export function parseRosterCsv(text: string, source = "roster"): ParsedRoster {
  const [header, ...rows] = parseCsv(text);
  if (!header) throw new InspectError("E_INSPECT_ROSTER", `${source}: empty file`);
  const idx = new Map<keyof Inspector, number>();
  const ignored: string[] = [];
  header.forEach((h, i) => {
    const label = h.trim().toLowerCase();
    const key = (Object.keys(ROSTER_COLUMNS) as (keyof Inspector)[]).find((k) =>
      ROSTER_COLUMNS[k].includes(label),
    );
    if (key && !idx.has(key)) idx.set(key, i);
    else ignored.push(h.trim());
  });
  for (const k of ["name", "department", "certification"] as const) {
    if (!idx.has(k)) throw new InspectError("E_INSPECT_ROSTER", `${source}: no column "${k}"`);
  }
  const cell = (r: string[], k: keyof Inspector) => {
    const i = idx.get(k);
    return i === undefined ? "" : (r[i] ?? "").trim();
  };
  const seen = new Set<string>();
  const roster = rows.map((r, i): Inspector => {
    const line = i + 2;
    const name = cell(r, "name");
    const department = cell(r, "department");
    const certification = cell(r, "certification");
    for (const [k, v] of [
      ["name", name],
      ["department", department],
      ["certification", certification],
    ] as const) {
      if (!v) throw new InspectError("E_INSPECT_ROSTER", `${source} line ${line}: ${k} is empty`);
    }
    if (seen.has(name))
      throw new InspectError("E_INSPECT_ROSTER", `${source} line ${line}: "${name}" is listed twice`);
    seen.add(name);
    const conflicts = [
      ...new Set(
        cell(r, "conflicts")
          .split(CONFLICT_SEP)
          .filter((x) => x),
      ),
    ].sort(cmpStr);
    return { name, department, certification, conflicts };
  });
  if (roster.length === 0) throw new InspectError("E_INSPECT_ROSTER", `${source}: no inspectors`);
  return { roster: roster.sort((a, b) => cmpStr(a.name, b.name)), ignored };
}

/** tender_risk.csv of a run: tender_id → risk_score. Pure. */
export function parseTenderRiskCsv(text: string, source = "tender_risk.csv"): Map<string, number> {
  const [header, ...rows] = parseCsv(text);
  const cols = (header ?? []).map((h) => h.trim().toLowerCase());
  const ti = cols.indexOf("tender_id");
  const ri = cols.indexOf("risk_score");
  if (ti < 0 || ri < 0) {
    throw new InspectError("E_INSPECT_INPUT", `${source}: needs columns tender_id and risk_score`);
  }
  const out = new Map<string, number>();
  rows.forEach((r, i) => {
    const id = (r[ti] ?? "").trim();
    const v = Number((r[ri] ?? "").trim());
    if (!id) return;
    if (!Number.isFinite(v) || v < 0 || v > 1) {
      throw new InspectError(
        "E_INSPECT_INPUT",
        `${source} line ${i + 2}: risk_score "${r[ri]}" is not in 0..1`,
      );
    }
    out.set(id, v);
  });
  return out;
}

const CIVIL_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Throws unless `s` is a real date "YYYY-MM-DD". */
export function checkDate(what: string, s: string): string {
  const m = CIVIL_RE.exec(s);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!m || !d || d.toISOString().slice(0, 10) !== s) {
    throw new InspectError("E_INSPECT_INPUT", `${what} "${s}" is not a date (YYYY-MM-DD)`);
  }
  return s;
}

function requireText(what: string, v: string | undefined): string {
  if (!v?.trim()) throw new InspectError("E_INSPECT_INPUT", `${what} is required`);
  return v.trim();
}

// ---------------------------------------------------------------------------------------------------------
// Roster

export interface RosterLoad {
  readonly roster_id: string;
  readonly n: number;
  /** The same roster was loaded before (it becomes the current one again). */
  readonly known: boolean;
}

async function storeRoster(
  db: Db,
  roster: readonly Inspector[],
  by: { actor: string; source: string; at: Date },
): Promise<RosterLoad> {
  const roster_id = rosterHash(roster);
  const known = ((await db.one<{ n: number }>(q("roster_known"), { roster_id }))?.n ?? 0) > 0;
  await db.exec(q("roster_header"), {
    roster_id,
    source: by.source,
    n: roster.length,
    now: by.at.toISOString(),
    actor: by.actor,
  });
  if (!known) {
    await db.exec(q("roster_rows_insert"), { roster_id, rows: JSON.stringify(roster) });
  }
  await appendAudit(
    db,
    [
      {
        actor: by.actor,
        alert_id: null,
        action: "inspect_roster",
        from_state: null,
        to_state: "loaded",
        note: `roster ${roster_id} (${roster.length} inspectors) from ${by.source}${known ? " (loaded before)" : ""}`,
      },
    ],
    by.at,
  );
  return { roster_id, n: roster.length, known };
}

/** Stores a roster version (id = its roster_hash) and makes it the current one. */
export async function loadRoster(
  ctx: InspectContext,
  roster: readonly Inspector[],
  by: { actor: string; source: string },
): Promise<RosterLoad> {
  const actor = requireText("actor", by.actor);
  return ctx.db.transaction(() =>
    storeRoster(ctx.db, roster, { actor, source: by.source, at: ctx.clock.now() }),
  );
}

export async function readRoster(db: Db, rosterId: string): Promise<Inspector[]> {
  return db.all<Inspector & Record<string, unknown>>(q("roster_rows"), { roster_id: rosterId });
}

/** The roster loaded last, if any. */
export async function currentRoster(db: Db): Promise<{ roster_id: string; roster: Inspector[] } | undefined> {
  const row = await db.one<{ roster_id: string }>(q("roster_latest"));
  return row ? { roster_id: row.roster_id, roster: await readRoster(db, row.roster_id) } : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Population

export interface CandidateQuery {
  readonly from: string;
  readonly to: string;
  /** risk_score per tender from a run's tender_risk.csv, used when no alert names the tender. */
  readonly tenderRisk?: ReadonlyMap<string, number>;
}

/** The period's tenders with the inputs of their weights (store.sql `candidates`). */
export async function readCandidates(db: Db, query: CandidateQuery): Promise<Candidate[]> {
  const from = checkDate("--from", query.from);
  const to = checkDate("--to", query.to);
  if (from > to) throw new InspectError("E_INSPECT_INPUT", `the period ${from}..${to} is empty`);
  const rows = await db.all<{
    tender_id: string;
    date: string;
    tenderee_id: string | null;
    agency_id: string | null;
    bidders: string[];
    sanctioned: string[];
    watched: string[];
    alert_score: number | null;
  }>(q("candidates"), { from, to });
  return rows.map((r): Candidate => {
    const fromRun = query.tenderRisk?.get(r.tender_id);
    const [risk, risk_source]: [number, Candidate["risk_source"]] =
      r.alert_score !== null
        ? [r.alert_score, "alert"]
        : fromRun !== undefined
          ? [fromRun, "tender_risk"]
          : [0, "none"];
    return {
      tender_id: r.tender_id,
      date: r.date,
      tenderee_id: r.tenderee_id,
      agency_id: r.agency_id,
      bidders: r.bidders,
      risk: round4(Math.min(1, Math.max(0, risk))),
      risk_source,
      sanctioned: r.sanctioned,
      watched: r.watched,
    };
  });
}

// ---------------------------------------------------------------------------------------------------------
// Plans

export interface PlanOptions {
  readonly from: string;
  readonly to: string;
  readonly ratio: number;
  /** Inspectors per item (default 2). */
  readonly perItem?: number;
  readonly weights?: Partial<WeightSettings>;
  /** A seed chosen by the caller; by default one is drawn from `ctx.randomBytes`. */
  readonly seed?: string;
  /** A roster to load and use (recorded as a roster version); by default the current roster. */
  readonly roster?: { readonly entries: readonly Inspector[]; readonly source: string };
  readonly tenderRisk?: ReadonlyMap<string, number>;
  readonly actor: string;
}

export interface CreatedPlan {
  readonly plan: PlanDocument;
  /** The seed was drawn by bidwatch (and stays secret until revealed). */
  readonly seedGenerated: boolean;
}

const OPTION_KEYS = new Set([
  "from",
  "to",
  "ratio",
  "perItem",
  "weights",
  "seed",
  "roster",
  "tenderRisk",
  "actor",
]);

function itemsHash(items: readonly PlanItem[]): string {
  return sha256Hex(["bidwatch-inspect-items/1", items.map((i) => [i.item_no, i.tender_id, i.inspectors])]);
}

/**
 * Draws a plan for the period and stores it: the frozen population, the items, the commitment (in the
 * audit log before the draw's record). Returns the plan without its seed.
 */
export async function createPlan(ctx: InspectContext, options: PlanOptions): Promise<CreatedPlan> {
  for (const k of Object.keys(options)) {
    if (!OPTION_KEYS.has(k)) throw new InspectError("E_INSPECT_INPUT", `unknown plan option "${k}"`);
  }
  const actor = requireText("actor", options.actor);
  const weights = weightSettings(options.weights);
  const perItem = options.perItem ?? 2;
  if (!ctx.randomBytes) throw new InspectError("E_INSPECT_INPUT", "a random source is needed for the nonce");
  const seedGenerated = options.seed === undefined;
  const seed = options.seed ?? randomHex(ctx.randomBytes);
  if (!seed.trim()) throw new InspectError("E_INSPECT_INPUT", "--seed is empty");
  const nonce = randomHex(ctx.randomBytes);
  const at = ctx.clock.now();
  const db = ctx.db;
  const plan = await db.transaction(async () => {
    let rosterId: string;
    let roster: Inspector[];
    if (options.roster) {
      rosterId = (await storeRoster(db, options.roster.entries, { actor, source: options.roster.source, at }))
        .roster_id;
      roster = [...options.roster.entries];
    } else {
      const cur = await currentRoster(db);
      if (!cur)
        throw new InspectError(
          "E_INSPECT_INPUT",
          "no roster: load one (inspect roster load FILE) or pass --roster",
        );
      rosterId = cur.roster_id;
      roster = cur.roster;
    }
    const candidates = await readCandidates(db, {
      from: options.from,
      to: options.to,
      ...(options.tenderRisk ? { tenderRisk: options.tenderRisk } : {}),
    });
    const doc = buildPlan({
      seed,
      nonce,
      from: options.from,
      to: options.to,
      ratio: options.ratio,
      perItem,
      weights,
      candidates,
      roster,
      createdAt: shanghaiIso(at),
      createdBy: actor,
    });
    const chosen = new Map(doc.items.map((i) => [i.tender_id, i]));
    const probs = new Map<string, { weight: number; probability: number }>();
    // Weights and probabilities of every candidate, recomputed exactly as the draw did.
    const sel = drawTenders(seed, doc.candidates, { ratio: doc.params.ratio, perItem, weights });
    sel.candidates.forEach((c, i) => {
      probs.set(c.tender_id, {
        weight: sel.weights[i] as number,
        probability: sel.probabilities[i] as number,
      });
    });
    await db.exec(q("plan_insert"), {
      plan_id: doc.plan_id,
      created_at: at.toISOString(),
      created_by: actor,
      from: doc.params.from,
      to: doc.params.to,
      params: JSON.stringify(doc.params),
      params_hash: doc.params_hash,
      commitment: doc.commitment,
      roster_id: rosterId,
      seed,
      nonce,
      summary: JSON.stringify(doc.summary),
    });
    await db.exec(q("candidates_insert"), {
      plan_id: doc.plan_id,
      rows: JSON.stringify(
        doc.candidates.map((c) => ({
          ...c,
          ...probs.get(c.tender_id),
          selected: chosen.has(c.tender_id),
        })),
      ),
    });
    await db.exec(q("items_insert"), { plan_id: doc.plan_id, rows: JSON.stringify(doc.items) });
    const p = doc.params;
    await appendAudit(
      db,
      [
        {
          actor,
          alert_id: doc.plan_id,
          action: "inspect_commit",
          from_state: null,
          to_state: "committed",
          note:
            `commitment=${doc.commitment} params_hash=${doc.params_hash} period=${p.from}..${p.to} ` +
            `ratio=${p.ratio} per_item=${p.per_item} candidates=${p.n_candidates} ` +
            `candidates_hash=${p.candidates_hash} population_hash=${p.population_hash} roster_hash=${p.roster_hash}`,
        },
        {
          actor,
          alert_id: doc.plan_id,
          action: "inspect_draw",
          from_state: "committed",
          to_state: "drawn",
          note: `${doc.items.length} of ${p.n_candidates} tenders drawn (${doc.summary.realised_share} ≥ ${p.ratio}); items_hash=${itemsHash(doc.items)}`,
        },
      ],
      at,
    );
    return doc;
  });
  return { plan, seedGenerated };
}

interface PlanRow {
  plan_id: string;
  created_ms: number;
  created_by: string;
  params: string;
  params_hash: string;
  commitment: string;
  roster_id: string;
  seed: string;
  nonce: string;
  revealed_ms: number | null;
  revealed_by: string | null;
  summary: string;
}

export interface StoredPlan {
  /** The plan as stored; `reveal` only once the seed is revealed. */
  readonly doc: PlanDocument;
  /** Item publication times (epoch ms), by item number. */
  readonly publishedAt: ReadonlyMap<number, Date>;
  readonly rosterId: string;
}

async function planRow(db: Db, planId: string): Promise<PlanRow> {
  const row = await db.one<PlanRow & Record<string, unknown>>(q("plan_get"), { plan_id: planId });
  if (!row) throw new InspectError("E_INSPECT_NOT_FOUND", `no plan ${planId}`);
  return row;
}

/** Reads a plan back from its tables (so verification covers what the tables hold). */
export async function readPlan(db: Db, planId: string): Promise<StoredPlan> {
  const row = await planRow(db, planId);
  const candidates = await db.all<Candidate & Record<string, unknown>>(q("plan_candidates"), {
    plan_id: planId,
  });
  const itemRows = await db.all<PlanItem & { published_ms: number | null } & Record<string, unknown>>(
    q("plan_items"),
    { plan_id: planId },
  );
  const publishedAt = new Map<number, Date>();
  const items = itemRows.map(({ published_ms, ...i }): PlanItem => {
    if (published_ms !== null) publishedAt.set(i.item_no, new Date(published_ms));
    return i;
  });
  const roster = await readRoster(db, row.roster_id);
  const doc: PlanDocument = {
    format: PLAN_FORMAT,
    plan_id: row.plan_id,
    created_at: shanghaiIso(new Date(row.created_ms)),
    created_by: row.created_by,
    params: JSON.parse(row.params) as PlanParams,
    params_hash: row.params_hash,
    commitment: row.commitment,
    candidates,
    roster,
    items,
    summary: JSON.parse(row.summary) as WeightingSummary,
    ...(row.revealed_ms !== null
      ? { reveal: { seed: row.seed, nonce: row.nonce, revealed_at: shanghaiIso(new Date(row.revealed_ms)) } }
      : {}),
  };
  return { doc, publishedAt, rosterId: row.roster_id };
}

export interface PlanListEntry {
  readonly plan_id: string;
  readonly created_at: Date;
  readonly created_by: string;
  readonly period_from: string;
  readonly period_to: string;
  readonly commitment: string;
  readonly revealed: boolean;
}

export async function listPlans(db: Db): Promise<PlanListEntry[]> {
  const rows = await db.all<
    Omit<PlanListEntry, "created_at"> & { created_ms: number } & Record<string, unknown>
  >(q("plan_list"));
  return rows.map(({ created_ms, ...r }) => ({ ...r, created_at: new Date(created_ms) }));
}

/** Reveals the seed and nonce (once; later calls return the same values without a new audit row). */
export async function revealPlan(ctx: InspectContext, planId: string, actor: string): Promise<Reveal> {
  const who = requireText("actor", actor);
  return ctx.db.transaction(async () => {
    const row = await planRow(ctx.db, planId);
    if (row.revealed_ms !== null) {
      return { seed: row.seed, nonce: row.nonce, revealed_at: shanghaiIso(new Date(row.revealed_ms)) };
    }
    const at = ctx.clock.now();
    await ctx.db.exec(q("plan_reveal"), { plan_id: planId, now: at.toISOString(), actor: who });
    await appendAudit(
      ctx.db,
      [
        {
          actor: who,
          alert_id: planId,
          action: "inspect_reveal",
          from_state: "drawn",
          to_state: "revealed",
          note: `seed=${row.seed} nonce=${row.nonce} commitment=${row.commitment}`,
        },
      ],
      at,
    );
    return { seed: row.seed, nonce: row.nonce, revealed_at: shanghaiIso(at) };
  });
}

/**
 * The secret of an unrevealed plan, for internal checks only (verify on the database that holds it).
 * Never printed by the CLI before `inspect reveal`.
 */
export async function readSecret(db: Db, planId: string): Promise<{ seed: string; nonce: string }> {
  const row = await planRow(db, planId);
  return { seed: row.seed, nonce: row.nonce };
}

/**
 * Verifies a plan (given or read from the database) against a seed; the nonce comes from `nonce`, else
 * the plan's reveal, else the database. With `db`, the current population of the period is compared too.
 */
export async function verifyWithDb(
  db: Db | undefined,
  plan: PlanDocument | string,
  seed: string,
  nonce?: string,
): Promise<VerifyReport> {
  let doc: PlanDocument;
  if (typeof plan === "string") {
    if (!db) throw new InspectError("E_INSPECT_INPUT", "a plan id needs the database");
    doc = (await readPlan(db, plan)).doc;
  } else doc = plan;
  let n = nonce ?? doc.reveal?.nonce;
  if (n === undefined && db) {
    const known = await db.one(q("plan_get"), { plan_id: doc.plan_id });
    if (known) n = (await readSecret(db, doc.plan_id)).nonce;
  }
  if (n === undefined) {
    throw new InspectError(
      "E_INSPECT_INPUT",
      `plan ${doc.plan_id} is not revealed: give the nonce with --nonce`,
    );
  }
  // tender_risk.csv is not in the database: the committed values stand in for it, so only changes in
  // alerts, sanctions and the watch list show up as changed inputs.
  const tenderRisk = new Map(
    doc.candidates.filter((c) => c.risk_source === "tender_risk").map((c) => [c.tender_id, c.risk]),
  );
  const current = db
    ? await readCandidates(db, { from: doc.params.from, to: doc.params.to, tenderRisk })
    : undefined;
  return verifyPlan(doc, { seed, nonce: n }, current);
}

// ---------------------------------------------------------------------------------------------------------
// Results

export interface InspectionResult {
  readonly item_no: number;
  readonly result_no: number;
  readonly inspector: string;
  readonly finding: string;
  /** "YYYY-MM-DD" */
  readonly inspected_on: string;
  readonly recorded_at: Date;
  readonly recorded_by: string;
}

export async function readResults(db: Db, planId: string): Promise<InspectionResult[]> {
  const rows = await db.all<
    Omit<InspectionResult, "recorded_at"> & { recorded_ms: number } & Record<string, unknown>
  >(q("results"), { plan_id: planId });
  return rows.map(({ recorded_ms, ...r }) => ({ ...r, recorded_at: new Date(recorded_ms) }));
}

export interface RecordInput {
  readonly planId: string;
  /** Item number or tender id. */
  readonly item: string;
  readonly inspector: string;
  readonly finding: string;
  /** Day of the inspection, "YYYY-MM-DD", not after today and not before the plan. */
  readonly date: string;
  readonly actor: string;
}

function findItem(items: readonly PlanItem[], key: string, planId: string): PlanItem {
  const k = key.trim();
  const item = /^\d+$/.test(k)
    ? items.find((i) => i.item_no === Number(k))
    : items.find((i) => i.tender_id === k);
  if (!item) throw new InspectError("E_INSPECT_NOT_FOUND", `plan ${planId} has no item ${key}`);
  return item;
}

/** Records an inspection result against an item; the inspector must be on the item's team. */
export async function recordResult(
  ctx: InspectContext,
  input: RecordInput,
): Promise<InspectionResult & { readonly tender_id: string }> {
  const actor = requireText("actor", input.actor);
  const inspector = requireText("inspector", input.inspector);
  const finding = requireText("finding", input.finding);
  const date = checkDate("--date", input.date);
  return ctx.db.transaction(async () => {
    const { doc } = await readPlan(ctx.db, input.planId);
    const item = findItem(doc.items, input.item, doc.plan_id);
    if (!item.inspectors.includes(inspector)) {
      throw new InspectError(
        "E_INSPECT_INPUT",
        `${inspector} is not on the team of item ${item.item_no} (${item.tender_id}): ${item.inspectors.join(", ")}`,
      );
    }
    const at = ctx.clock.now();
    const today = shanghaiDate(at);
    const planDay = doc.created_at.slice(0, 10);
    if (date > today)
      throw new InspectError("E_INSPECT_INPUT", `--date ${date} is in the future (today is ${today})`);
    if (date < planDay)
      throw new InspectError("E_INSPECT_INPUT", `--date ${date} is before the plan (${planDay})`);
    const before = (await readResults(ctx.db, doc.plan_id)).some((r) => r.item_no === item.item_no);
    const row = await ctx.db.one<{ result_no: number }>(q("result_insert"), {
      plan_id: doc.plan_id,
      item_no: item.item_no,
      inspector,
      finding,
      date,
      now: at.toISOString(),
      actor,
    });
    await appendAudit(
      ctx.db,
      [
        {
          actor,
          alert_id: doc.plan_id,
          action: "inspect_record",
          from_state: before ? "completed" : "pending",
          to_state: "completed",
          note: `item ${item.item_no} (${item.tender_id}) inspected by ${inspector} on ${date}: ${finding}`,
        },
      ],
      at,
    );
    return {
      item_no: item.item_no,
      tender_id: item.tender_id,
      result_no: row?.result_no ?? 1,
      inspector,
      finding,
      inspected_on: date,
      recorded_at: at,
      recorded_by: actor,
    };
  });
}

/** Marks items as published in a notice (audit row with the notice's SHA-256). */
export async function markPublished(
  ctx: InspectContext,
  planId: string,
  itemNos: readonly number[],
  by: { actor: string; target: string; sha256: string },
): Promise<void> {
  const actor = requireText("actor", by.actor);
  await ctx.db.transaction(async () => {
    const at = ctx.clock.now();
    await ctx.db.exec(q("items_publish"), {
      plan_id: planId,
      items: JSON.stringify(itemNos),
      now: at.toISOString(),
    });
    await appendAudit(
      ctx.db,
      [
        {
          actor,
          alert_id: planId,
          action: "inspect_publish",
          from_state: "completed",
          to_state: "published",
          note: `items ${itemNos.join(", ") || "(none)"} in ${by.target} sha256=${by.sha256}`,
        },
      ],
      at,
    );
  });
}

export async function readTenderTitles(db: Db, ids: readonly string[]): Promise<Map<string, string | null>> {
  const rows = await db.all<{ tender_id: string; title: string | null }>(q("tender_titles"), {
    ids: JSON.stringify(ids),
  });
  return new Map(rows.map((r) => [r.tender_id, r.title]));
}
