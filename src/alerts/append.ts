/**
 * Bulk writes of alert-side tables (outbox, audit log) through DuckDB's appender: whole rows go straight
 * into the table, with no statement per row and no JSON text to parse. The appender writes every column of
 * the table in table order, so the table's columns are checked against the ones the caller writes first.
 * Appends join the connection's open transaction, if any.
 */
import type { DuckDBAppender } from "@duckdb/node-api";
import { type Db, sqlSection } from "../db/duckdb.ts";

const q = (name: string) => sqlSection(import.meta.url, "append.sql", name);

/** Tables whose layout has been checked, per database handle (the check costs a query). */
const checked = new WeakMap<Db, Set<string>>();

async function checkColumns(db: Db, table: string, columns: readonly string[]): Promise<void> {
  const key = `${table}(${columns.join(",")})`;
  const done = checked.get(db) ?? new Set<string>();
  if (done.has(key)) return;
  const actual = (await db.all<{ column_name: string }>(q("table_columns"), { table })).map(
    (r) => r.column_name,
  );
  if (actual.join(",") !== columns.join(",")) {
    throw new Error(
      `alerts: table ${table} has columns (${actual.join(", ")}), expected (${columns.join(", ")})`,
    );
  }
  done.add(key);
  checked.set(db, done);
}

/**
 * Appends one row per item to `table`, whose columns must be exactly `columns` (in order): `write` appends
 * one value per column (`Db.append`). Call inside a transaction to have the rows all commit together
 * (without one, each hand-over commits on its own). Returns the rows appended.
 */
export async function appendRows<T>(
  db: Db,
  table: string,
  columns: readonly string[],
  items: Iterable<T>,
  write: (appender: DuckDBAppender, item: T) => void,
): Promise<number> {
  await checkColumns(db, table, columns);
  return db.append(table, items, write);
}
