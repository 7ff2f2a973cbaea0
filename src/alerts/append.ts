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

/** Rows the appender holds before it hands them to the table (bounds the memory a bulk append takes). */
const FLUSH_ROWS = 2000;

/**
 * Appends one row per item to `table`, whose columns must be exactly `columns` (in order): `write` appends
 * one value per column. Rows are handed to the table every FLUSH_ROWS rows; call inside a transaction to
 * have them all commit together (without one, each hand-over commits on its own). Returns the rows appended.
 */
export async function appendRows<T>(
  db: Db,
  table: string,
  columns: readonly string[],
  items: Iterable<T>,
  write: (appender: DuckDBAppender, item: T) => void,
): Promise<number> {
  await checkColumns(db, table, columns);
  const appender = await db.conn.createAppender(table);
  let n = 0;
  try {
    for (const item of items) {
      write(appender, item);
      appender.endRow();
      if (++n % FLUSH_ROWS === 0) appender.flushSync();
    }
    appender.flushSync();
  } catch (err) {
    try {
      appender.clear();
      appender.closeSync();
    } catch {
      // The first error is the one worth reporting.
    }
    throw err;
  }
  appender.closeSync();
  return n;
}
