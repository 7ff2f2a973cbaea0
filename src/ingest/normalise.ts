/**
 * Builds the SQL that turns a staged file (all text) into typed canonical columns plus a reject reason.
 * Expressions come from the column table (columns.ts) and the macros in macros.sql; source columns are
 * quoted identifiers, never spliced values. A rejected row's reason lists every failing check, joined by "; ".
 */
import { ident } from "../db/duckdb.ts";
import { COLUMNS, type ColumnSpec, type TableName } from "./columns.ts";
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
  readonly value: string;
  readonly reasons: string[];
}

/** Upper bound for money amounts (yuan): DECIMAL(18,2) holds less than 1e16; beyond 1e14 is an export error. */
const MAX_AMOUNT = "1e14";

function columnSql(spec: ColumnSpec, mapped: MappedColumn | undefined, firmIds: FirmIdMode): ColumnSql {
  if (!mapped) {
    if (spec.type === "subject_type") return { value: "NULL", reasons: [] };
    return { value: `NULL::${sqlType(spec)}`, reasons: [] };
  }
  const src = ident(mapped.source);
  const name = spec.name;
  const text = `bw_text(${src})`;
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
      return { value: text, reasons };
    }
    case "firm_id":
    case "person_id": {
      const v = `upper(${text})`;
      requireNonEmpty(v);
      if (spec.type === "firm_id" && firmIds === "uscc") {
        reasons.push(
          `CASE WHEN ${v} IS NOT NULL AND NOT bw_uscc_valid(${v}) THEN ${lit(`${name} `)} || ${quoted(v)} || ${lit(
            " is not a valid unified social credit code (GB 32100-2015; use --firm-ids any for platform ids)",
          )} END`,
        );
      } else {
        reasons.push(`CASE WHEN length(${v}) > 64 THEN ${lit(`${name} is longer than 64 characters`)} END`);
      }
      return { value: v, reasons };
    }
    case "price": {
      const m = mapped.unit === "wan_yuan" ? "10000" : "1";
      const n = `(bw_num(${src}) * ${m})`;
      requireNonEmpty(text);
      reasons.push(
        `CASE WHEN ${text} IS NOT NULL AND bw_num(${src}) IS NULL THEN ${lit(`${name} `)} || ${quoted(text)} || ${lit(" is not a number")} END`,
        `CASE WHEN ${text} IS NOT NULL AND (NOT isfinite(${n}) OR abs(${n}) >= ${MAX_AMOUNT}) THEN ${lit(`${name} `)} || ${quoted(text)} || ${lit(" is out of range")} END`,
        `CASE WHEN ${n} <= 0 THEN ${lit(`${name} `)} || ${quoted(text)} || ${lit(" must be greater than 0")} END`,
      );
      const exact = `coalesce(try_cast(bw_num_text(${src}) AS DECIMAL(38, 6)), try_cast(bw_num(${src}) AS DECIMAL(38, 6)))`;
      const value = `CASE WHEN isfinite(${n}) AND abs(${n}) < ${MAX_AMOUNT} AND ${n} > 0 THEN CAST(${exact} * ${m} AS DECIMAL(18, 2)) END`;
      return { value, reasons };
    }
    case "timestamp": {
      const t = `bw_ts(${src})`;
      requireNonEmpty(text);
      reasons.push(
        `CASE WHEN ${text} IS NOT NULL AND NOT bw_ts_ok(${t}) THEN ${lit(`${name} `)} || ${quoted(text)} || ${lit(" is not a valid date/time")} END`,
      );
      return { value: `CASE WHEN bw_ts_ok(${t}) THEN ${t} END`, reasons };
    }
    case "date": {
      const d = `bw_date(${src})`;
      requireNonEmpty(text);
      reasons.push(
        `CASE WHEN ${text} IS NOT NULL AND NOT bw_ts_ok(${d}) THEN ${lit(`${name} `)} || ${quoted(text)} || ${lit(" is not a valid date")} END`,
      );
      return { value: `CASE WHEN bw_ts_ok(${d}) THEN ${d} END`, reasons };
    }
    case "bool": {
      reasons.push(
        `CASE WHEN ${text} IS NOT NULL AND bw_bool(${src}) IS NULL THEN ${lit(`${name} `)} || ${quoted(text)} || ${lit(" is not a yes/no value (1/0, true/false, 是/否)")} END`,
      );
      return { value: `bw_bool(${src})`, reasons };
    }
    case "mac":
      return { value: `bw_mac(${src})`, reasons };
    case "category":
    case "role":
    case "subject_type": {
      const kind = lit(spec.type);
      const value = `CASE WHEN ${text} IS NULL THEN NULL ELSE coalesce((SELECT l.value FROM bw_labels l WHERE l.kind = ${kind} AND l.label = lower(${text})), ${
        spec.type === "category" ? "'other'" : `lower(${text})`
      }) END`;
      return { value, reasons };
    }
    case "text":
      requireNonEmpty(text);
      return { value: text, reasons };
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
 * SQL creating temp table `bw_norm` from `bw_stage`: `_line, _raw`, every accepted column of the table
 * (typed; NULL when the file lacks it) and `_reason` (NULL for a usable row).
 */
export function normaliseSql(table: TableName, mapped: readonly MappedColumn[], firmIds: FirmIdMode): string {
  const byName = new Map(mapped.map((m) => [m.spec.name, m]));
  const specs = acceptedColumns(table);
  const parts = specs.map((spec) => ({ spec, sql: columnSql(spec, byName.get(spec.name), firmIds) }));
  const values = parts.map((p) => `${p.sql.value} AS ${ident(p.spec.name)}`);
  const reasons = parts.flatMap((p) => p.sql.reasons);
  const derived = derivedColumns(table);
  const inner = `SELECT _line, _raw, ${values.join(",\n  ")},\n  nullif(concat_ws('; ', ${[...reasons, "NULL"].join(",\n    ")}), '') AS _reason FROM bw_stage`;
  const checks = tableChecks(table);
  return `CREATE OR REPLACE TEMP TABLE bw_norm AS
SELECT * EXCLUDE (_reason${derived.length ? `, ${derived.map((d) => ident(d.name)).join(", ")}` : ""}),
  ${derived.map((d) => `${d.sql} AS ${ident(d.name)}`).join(", ")}${derived.length ? "," : ""}
  nullif(concat_ws('; ', _reason${checks.length ? `, ${checks.join(", ")}` : ""}), '') AS _reason
FROM (${inner}) n`;
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
