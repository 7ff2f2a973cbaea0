/**
 * Builds the SQL that turns a staged file (all text) into typed canonical columns plus a reject reason.
 * Expressions come from the column table (columns.ts) and the macros in macros.sql; source columns are
 * quoted identifiers, never spliced values. A rejected row's reason lists every failing check, joined by "; ".
 *
 * The statement creating `bw_norm` reads `bw_stage` with no join where it can (a join probes a hash table for
 * every row): labels are matched by CASE rather than looked up in a table, and the few invalid credit codes of
 * a file are matched as a bound list (a join only when there are many).
 */
import { ident } from "../db/duckdb.ts";
import {
  CATEGORY_ALIASES,
  COLUMNS,
  type ColumnSpec,
  ROLE_ALIASES,
  SUBJECT_TYPE_ALIASES,
  type TableName,
} from "./columns.ts";
import { acceptedColumns, type MappedColumn } from "./headers.ts";

export type FirmIdMode = "uscc" | "any";

/** SQL types of canonical columns in bidwatch's tables. */
export function sqlType(spec: ColumnSpec): string {
  switch (spec.type) {
    case "price":
      return "DECIMAL(18, 2)";
    case "timestamp":
      return "TIMESTAMPTZ";
    case "date":
      return "DATE";
    case "bool":
      return "BOOLEAN";
    default:
      return "VARCHAR";
  }
}

const lit = (s: string) => `'${s.replaceAll("'", "''")}'`;
/** Quotes a raw value inside a reason text, e.g. price "abc". */
const quoted = (src: string) => `'"' || ${src} || '"'`;

interface ColumnSql {
  /**
   * Intermediate values, computed once per row in stacked projections (level 1 reads `bw_stage`, level n
   * reads level n − 1): DuckDB expands macros inline and does not share repeated sub-expressions, so a
   * value used by several checks is materialised here instead of recomputed in each.
   */
  readonly lets: readonly Let[];
  readonly value: string;
  readonly reasons: string[];
  /** Values the checks bind (JSON text). */
  readonly params?: Readonly<Record<string, string>>;
}

interface Let {
  readonly level: number;
  readonly name: string;
  readonly sql: string;
}

/** Upper bound for money amounts (yuan): DECIMAL(18,2) holds less than 1e16; beyond 1e14 is an export error. */
const MAX_AMOUNT = "1e14";

/**
 * Credit-code check of one id column (`--firm-ids uscc`): the check digit is computed once per distinct id (a
 * firm bids many times), not once per row, into a temp table of the file's invalid ids.
 */
export interface IdCheck {
  /** Canonical column name. */
  readonly column: string;
  /** Temp table (column `u`) of the distinct invalid ids; `sql` creates it from `bw_stage`. */
  readonly table: string;
  readonly sql: string;
}

/** An `IdCheck` whose table exists: its number of rows, and the ids themselves when they are few. */
export interface IdCheckResult extends IdCheck {
  readonly invalid: number;
  /** The invalid ids when there are at most `INVALID_ID_LIST_MAX`. */
  readonly ids?: readonly string[];
}

/**
 * Up to this many invalid ids are matched as a bound list, without a join; beyond, searching the list in every
 * row would cost more than the join.
 */
export const INVALID_ID_LIST_MAX = 64;

/** The credit-code checks a file of `table` needs (see `IdCheck`), to run before `normaliseSql`. */
export function idChecks(table: TableName, mapped: readonly MappedColumn[], firmIds: FirmIdMode): IdCheck[] {
  if (firmIds !== "uscc") return [];
  const byName = new Map(mapped.map((m) => [m.spec.name, m]));
  return acceptedColumns(table).flatMap((spec, i) => {
    const m = byName.get(spec.name);
    if (!m || spec.type !== "firm_id") return [];
    const ids = ident(`bw_ids${i}`);
    const bad = `bw_bad_ids${i}`;
    // The distinct ids are a table of their own: as a subquery, the optimiser pushes the check below the
    // DISTINCT and computes it for every row.
    const sql = `CREATE OR REPLACE TEMP TABLE ${ids} AS SELECT DISTINCT upper(bw_text(${ident(m.source)})) AS u FROM bw_stage;
CREATE OR REPLACE TEMP TABLE ${ident(bad)} AS SELECT u FROM ${ids} WHERE u IS NOT NULL AND NOT bw_uscc_valid(u);
DROP TABLE ${ids}`;
    return [{ column: spec.name, table: bad, sql }];
  });
}

const LABELS = {
  category: CATEGORY_ALIASES,
  role: ROLE_ALIASES,
  subject_type: SUBJECT_TYPE_ALIASES,
} as const;

/** The canonical value of a label (a value or one of its aliases, columns.ts; matched lower-cased), else `fallback`. */
function labelCase(kind: keyof typeof LABELS, text: string, fallback: string): string {
  const seen = new Set<string>();
  const whens: string[] = [];
  for (const [value, labels] of Object.entries(LABELS[kind])) {
    for (const label of [value, ...labels]) {
      const key = label.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      whens.push(`WHEN ${lit(key)} THEN ${lit(value)}`);
    }
  }
  return `CASE lower(${text}) ${whens.join(" ")} ELSE ${fallback} END`;
}

/**
 * `i` numbers the column, for the names of its intermediate values. With `t` = bw_text(source), the
 * expressions equal the macros applied to the source (bw_num(s) = try_cast(bw_num_text_t(t)), …; macros.sql).
 */
function columnSql(
  spec: ColumnSpec,
  mapped: MappedColumn | undefined,
  firmIds: FirmIdMode,
  checks: readonly IdCheckResult[],
  i: number,
): ColumnSql {
  if (!mapped) {
    if (spec.type === "subject_type") return { lets: [], value: "NULL", reasons: [] };
    return { lets: [], value: `NULL::${sqlType(spec)}`, reasons: [] };
  }
  const src = ident(mapped.source);
  const name = spec.name;
  const text = ident(`_bw_t${i}`);
  const lets: Let[] = [{ level: 1, name: `_bw_t${i}`, sql: `bw_text(${src})` }];
  const reasons: string[] = [];
  const requireNonEmpty = (v: string) => {
    if (spec.required) reasons.push(`CASE WHEN ${v} IS NULL THEN ${lit(`${name} is empty`)} END`);
  };
  switch (spec.type) {
    case "id": {
      requireNonEmpty(text);
      reasons.push(
        `CASE WHEN length(${text}) > 200 THEN ${lit(`${name} is longer than 200 characters`)} END`,
      );
      return { lets, value: text, reasons };
    }
    case "firm_id":
    case "person_id": {
      lets.push({ level: 2, name: `_bw_u${i}`, sql: `upper(${text})` });
      const v = ident(`_bw_u${i}`);
      requireNonEmpty(v);
      if (spec.type === "firm_id" && firmIds === "uscc") {
        const check = checks.find((c) => c.column === name);
        if (!check) throw new Error(`normalise: the credit-code check of ${name} has not been run`);
        // Only ids found invalid (`idChecks`) can fail: none, no check; a few, a bound list; many, a join.
        if (check.invalid === 0) return { lets, value: v, reasons };
        const param = `bad_ids${i}`;
        const isBad = check.ids
          ? `list_contains(from_json($${param}, '["VARCHAR"]'), ${v})`
          : `${v} IN (SELECT u FROM ${ident(check.table)})`;
        reasons.push(
          `CASE WHEN ${v} IS NOT NULL AND ${isBad} THEN ${lit(`${name} `)} || ${quoted(v)} || ${lit(
            " is not a valid unified social credit code (GB 32100-2015; use --firm-ids any for platform ids)",
          )} END`,
        );
        return {
          lets,
          value: v,
          reasons,
          ...(check.ids ? { params: { [param]: JSON.stringify(check.ids) } } : {}),
        };
      }
      reasons.push(`CASE WHEN length(${v}) > 64 THEN ${lit(`${name} is longer than 64 characters`)} END`);
      return { lets, value: v, reasons };
    }
    case "price": {
      const m = mapped.unit === "wan_yuan" ? "10000" : "1";
      lets.push(
        { level: 2, name: `_bw_a${i}`, sql: `bw_num_strip_t(${text})` },
        { level: 3, name: `_bw_n${i}`, sql: `bw_num_yuan_t(${ident(`_bw_a${i}`)})` },
        { level: 4, name: `_bw_d${i}`, sql: `try_cast(${ident(`_bw_n${i}`)} AS DOUBLE)` },
      );
      const numText = ident(`_bw_n${i}`);
      const num = ident(`_bw_d${i}`);
      const n = `(${num} * ${m})`;
      requireNonEmpty(text);
      reasons.push(
        `CASE WHEN ${text} IS NOT NULL AND ${num} IS NULL THEN ${lit(`${name} `)} || ${quoted(text)} || ${lit(" is not a number")} END`,
        `CASE WHEN ${text} IS NOT NULL AND (NOT isfinite(${n}) OR abs(${n}) >= ${MAX_AMOUNT}) THEN ${lit(`${name} `)} || ${quoted(text)} || ${lit(" is out of range")} END`,
        `CASE WHEN ${n} <= 0 THEN ${lit(`${name} `)} || ${quoted(text)} || ${lit(" must be greater than 0")} END`,
      );
      const exact = `coalesce(try_cast(${numText} AS DECIMAL(38, 6)), try_cast(${num} AS DECIMAL(38, 6)))`;
      // Parsing text into DECIMAL(38, 6) is slow (128-bit); DECIMAL(18, 6) parses the same digits to the same
      // value whenever it can hold them, so it is tried first and the wide parse only runs where it fails.
      const narrow = `try_cast(${numText} AS DECIMAL(18, 6))`;
      const fast =
        m === "1"
          ? `CAST(${narrow} AS DECIMAL(18, 2))`
          : `CAST(CAST(${narrow} AS DECIMAL(38, 6)) * ${m} AS DECIMAL(18, 2))`;
      const value = `CASE WHEN isfinite(${n}) AND abs(${n}) < ${MAX_AMOUNT} AND ${n} > 0 THEN coalesce(${fast}, CAST(${exact} * ${m} AS DECIMAL(18, 2))) END`;
      return { lets, value, reasons };
    }
    case "timestamp":
    case "date": {
      // trim(bw_ts_text_t(t)) step by step, then the parse and its plausibility check.
      const parse = spec.type === "date" ? "bw_date_parse" : "bw_ts_parse";
      lets.push(
        { level: 2, name: `_bw_a${i}`, sql: `bw_ts_sep_t(${text})` },
        { level: 3, name: `_bw_b${i}`, sql: `bw_ts_z_t(${ident(`_bw_a${i}`)})` },
        { level: 4, name: `_bw_x${i}`, sql: `trim(bw_ts_ws_t(${ident(`_bw_b${i}`)}))` },
        { level: 5, name: `_bw_s${i}`, sql: `${parse}(${ident(`_bw_x${i}`)})` },
        { level: 6, name: `_bw_ok${i}`, sql: `bw_ts_ok(${ident(`_bw_s${i}`)})` },
      );
      const t = ident(`_bw_s${i}`);
      const ok = ident(`_bw_ok${i}`);
      requireNonEmpty(text);
      const what = spec.type === "date" ? " is not a valid date" : " is not a valid date/time";
      reasons.push(
        `CASE WHEN ${text} IS NOT NULL AND NOT ${ok} THEN ${lit(`${name} `)} || ${quoted(text)} || ${lit(what)} END`,
      );
      return { lets, value: `CASE WHEN ${ok} THEN ${t} END`, reasons };
    }
    case "bool": {
      lets.push({ level: 2, name: `_bw_b${i}`, sql: `bw_bool_t(${text})` });
      const b = ident(`_bw_b${i}`);
      reasons.push(
        `CASE WHEN ${text} IS NOT NULL AND ${b} IS NULL THEN ${lit(`${name} `)} || ${quoted(text)} || ${lit(" is not a yes/no value (1/0, true/false, 是/否)")} END`,
      );
      return { lets, value: b, reasons };
    }
    case "mac":
      return { lets, value: `bw_mac_t(${text})`, reasons };
    case "category":
    case "role":
    case "subject_type": {
      const label = labelCase(spec.type, text, spec.type === "category" ? "'other'" : `lower(${text})`);
      return { lets, value: `CASE WHEN ${text} IS NULL THEN NULL ELSE ${label} END`, reasons };
    }
    case "text":
      requireNonEmpty(text);
      return { lets, value: text, reasons };
  }
}

/** Row-level checks that involve several columns. */
function tableChecks(table: TableName): string[] {
  switch (table) {
    case "tenders":
      return [
        "CASE WHEN bid_deadline < published_at THEN 'bid_deadline is before published_at' END",
        "CASE WHEN award_price IS NOT NULL AND ceiling_price IS NOT NULL AND award_price > ceiling_price * 10 THEN 'award_price is more than 10 times ceiling_price' END",
      ];
    case "sanctions":
      return ["CASE WHEN end_date < start_date THEN 'end_date is before start_date' END"];
    default:
      return [];
  }
}

/**
 * The statement creating temp table `bw_norm` from `bw_stage` (and the values it binds): `_line`, every accepted
 * column of the table (typed; NULL when the file lacks it) and `_reason` (NULL for a usable row).
 * `checks`: the `idChecks` of the file, run.
 */
export function normaliseSql(
  table: TableName,
  mapped: readonly MappedColumn[],
  firmIds: FirmIdMode,
  checks: readonly IdCheckResult[],
): { sql: string; params: Record<string, string> } {
  const byName = new Map(mapped.map((m) => [m.spec.name, m]));
  const specs = acceptedColumns(table);
  const parts = specs.map((spec, i) => ({
    spec,
    sql: columnSql(spec, byName.get(spec.name), firmIds, checks, i),
  }));
  const values = parts.map((p) => `${p.sql.value} AS ${ident(p.spec.name)}`);
  const reasons = parts.flatMap((p) => p.sql.reasons);
  const lets = parts.flatMap((p) => p.sql.lets);
  let from = "bw_stage";
  const depth = Math.max(0, ...lets.map((l) => l.level));
  for (let level = 1; level <= depth; level++) {
    const here = lets.filter((l) => l.level === level);
    if (here.length === 0) continue;
    from = `(SELECT *, ${here.map((l) => `${l.sql} AS ${ident(l.name)}`).join(",\n  ")}\nFROM ${from}) l${level}`;
  }
  const derived = derivedColumns(table);
  const params = Object.assign({}, ...parts.map((p) => p.sql.params ?? {})) as Record<string, string>;
  const inner = `SELECT _line, ${values.join(",\n  ")},\n  nullif(concat_ws('; ', ${[...reasons, "NULL"].join(",\n    ")}), '') AS _reason FROM ${from}`;
  const rowChecks = tableChecks(table);
  const sql = `CREATE OR REPLACE TEMP TABLE bw_norm AS
SELECT * EXCLUDE (_reason${derived.length ? `, ${derived.map((d) => ident(d.name)).join(", ")}` : ""}),
  ${derived.map((d) => `${d.sql} AS ${ident(d.name)}`).join(", ")}${derived.length ? "," : ""}
  nullif(concat_ws('; ', _reason${rowChecks.length ? `, ${rowChecks.join(", ")}` : ""}), '') AS _reason
FROM (${inner}) n`;
  return { sql, params };
}

/** Columns filled from others when the file leaves them empty. */
function derivedColumns(table: TableName): { name: string; sql: string }[] {
  switch (table) {
    case "bids":
      return [{ name: "bid_id", sql: "coalesce(bid_id, tender_id || ':' || firm_id)" }];
    case "sanctions":
      return [
        {
          name: "subject_type",
          // Without a type: a credit code, or an id the firms table knows, is a firm (firms load first).
          sql: "coalesce(subject_type, CASE WHEN bw_uscc_valid(subject_id) OR subject_id IN (SELECT firm_id FROM firms) THEN 'firm' ELSE 'person' END)",
        },
      ];
    case "firm_people":
      return [{ name: "role", sql: "coalesce(role, 'other')" }];
    default:
      return [];
  }
}

/** The canonical columns stored in a table (what `bw_norm` must provide for the merge). */
export function storedColumns(table: TableName): readonly ColumnSpec[] {
  return COLUMNS[table];
}
