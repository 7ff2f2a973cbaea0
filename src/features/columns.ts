/**
 * Bulk reads for the feature stage's large results: checks on the columns of plain values `Db.columns`
 * returns, and id lists handed over as one JSON array. Both avoid a JavaScript object (or a JSON text) per row; with
 * firm and tender ids sent as integer codes and looked up in one names list, most of what crosses from
 * DuckDB to JavaScript is numbers, which convert an order of magnitude faster than strings.
 */
import type { Db } from "../db/duckdb.ts";
import { BidwatchError } from "../errors.ts";

function columnsError(message: string): BidwatchError {
  return new BidwatchError("E_FEATURE_COLUMNS", `features: ${message}`);
}

/** Throws unless `actual` are exactly the column names `expected`, in order (`what` names the result). */
export function expectColumns(actual: readonly string[], expected: readonly string[], what: string): void {
  if (actual.join() !== expected.join()) throw columnsError(`${what} has columns ${actual.join(", ")}`);
}

/** A column of numbers (nulls allowed only when `nullable`). */
export function numbers(cols: Record<string, unknown[]>, name: string): number[];
export function numbers(cols: Record<string, unknown[]>, name: string, nullable: true): (number | null)[];
export function numbers(cols: Record<string, unknown[]>, name: string, nullable = false): (number | null)[] {
  const col = cols[name];
  if (!col) throw columnsError(`no column "${name}"`);
  for (const v of col) {
    if (typeof v !== "number" && !(nullable && v === null)) {
      throw columnsError(`column "${name}" holds ${typeof v}, not a number`);
    }
  }
  return col as (number | null)[];
}

/** Several columns of numbers, by name. */
export function numberColumns<K extends string>(
  cols: Record<string, unknown[]>,
  names: readonly K[],
): Record<K, number[]> {
  return Object.fromEntries(names.map((n) => [n, numbers(cols, n)])) as Record<K, number[]>;
}

/** Row `i` of `numberColumns`' result, for the columns `names`, as an object in `names` order. */
export function rowOf<K extends string>(
  cols: Readonly<Record<K, readonly number[]>>,
  names: readonly K[],
  i: number,
): Record<K, number> {
  const row = {} as Record<K, number>;
  for (const n of names) row[n] = cols[n][i] as number;
  return row;
}

/**
 * Reads a one-value query whose value is a JSON array of strings (`to_json(list(x ORDER BY k))::VARCHAR`):
 * many ids for the price of one string.
 */
export async function readNames(db: Db, sql: string): Promise<string[]> {
  const json = Object.values(await db.columns(sql))[0]?.[0];
  // An empty table aggregates to NULL.
  if (json === null || json === undefined) return [];
  if (typeof json !== "string") throw columnsError("names query did not return a JSON text");
  const names: unknown = JSON.parse(json);
  if (!Array.isArray(names) || !names.every((n) => typeof n === "string")) {
    throw columnsError("names query did not return an array of strings");
  }
  return names;
}

/** The name of a 1-based dense code (fid, tid) in a names list read by readNames. */
export function nameOf(names: readonly string[], code: number): string {
  const name = names[code - 1];
  if (name === undefined) throw columnsError(`code ${code} has no name (${names.length} names)`);
  return name;
}
