/**
 * Maps the headers of an input file onto canonical columns (pure; golden-tested).
 * Matching: trim, fold full-width brackets and letters, case-insensitive; a unit in brackets
 * at the end ("投标报价(万元)", "price (wan yuan)") is stripped and recorded as the column's unit.
 */
import { COLUMNS, type ColumnSpec, TABLE_ALIASES, TABLE_NAMES, type TableName } from "./columns.ts";

export type Unit = "yuan" | "wan_yuan";

export interface MappedColumn {
  readonly source: string;
  readonly spec: ColumnSpec;
  readonly unit: Unit;
}

export interface HeaderMapping {
  readonly columns: readonly MappedColumn[];
  /** Source headers that match no known column: kept in the raw row only. */
  readonly ignored: readonly string[];
  /** Required columns the file lacks. */
  readonly missing: readonly string[];
}

/** Columns a file of `table` may carry: its own, and for `bids` the tender-level ones (denormalised exports). */
export function acceptedColumns(table: TableName): readonly ColumnSpec[] {
  if (table !== "bids") return COLUMNS[table];
  const own = new Set(COLUMNS.bids.map((c) => c.name));
  return [...COLUMNS.bids, ...COLUMNS.tenders.filter((c) => !own.has(c.name) && c.name !== "title")];
}

export function normaliseHeader(h: string): { key: string; unit: Unit } {
  let s = h
    .normalize("NFKC")
    .replace(/^\uFEFF/, "")
    .trim()
    .toLowerCase();
  let unit: Unit = "yuan";
  const m = /^(.*?)[\s_]*[([]\s*(万元|万|wan yuan|wan_yuan|10k yuan|元|yuan)\s*[)\]]$/.exec(s);
  if (m?.[1]) {
    const u = m[2];
    if (u === "万元" || u === "万" || u === "wan yuan" || u === "wan_yuan" || u === "10k yuan")
      unit = "wan_yuan";
    s = m[1].trim();
  } else if (s.endsWith("万元")) {
    unit = "wan_yuan";
    s = s.slice(0, -2).trim();
  }
  return { key: s, unit };
}

function aliasIndex(specs: readonly ColumnSpec[]): Map<string, ColumnSpec> {
  const index = new Map<string, ColumnSpec>();
  for (const spec of specs) {
    for (const name of [spec.name, ...spec.aliases]) {
      const { key } = normaliseHeader(name);
      if (!index.has(key)) index.set(key, spec);
    }
  }
  return index;
}

export function mapHeaders(table: TableName, headers: readonly string[]): HeaderMapping {
  const specs = acceptedColumns(table);
  const index = aliasIndex(specs);
  const columns: MappedColumn[] = [];
  const ignored: string[] = [];
  const taken = new Set<string>();
  for (const source of headers) {
    const { key, unit } = normaliseHeader(source);
    const spec = index.get(key);
    if (!spec || taken.has(spec.name)) {
      ignored.push(source);
      continue;
    }
    if (unit === "wan_yuan" && spec.type !== "price") {
      ignored.push(source);
      continue;
    }
    taken.add(spec.name);
    columns.push({ source, spec, unit });
  }
  const missing = COLUMNS[table].filter((c) => c.required && !taken.has(c.name)).map((c) => c.name);
  return { columns, ignored, missing };
}

/** The table a file holds, from its stem (`bids.csv`, `Bids.parquet`, `投标记录.csv`), or undefined. */
export function tableOfFile(fileName: string): TableName | undefined {
  const base = fileName.replace(/\.(csv|tsv|txt|json|ndjson|jsonl|parquet)$/i, "");
  const stem = base.normalize("NFKC").trim().toLowerCase();
  for (const t of TABLE_NAMES) {
    if (stem === t || TABLE_ALIASES[t].includes(stem)) return t;
  }
  return undefined;
}
