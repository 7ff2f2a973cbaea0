/**
 * The one place that opens DuckDB. Everything else receives a `Db` (effects at the edges):
 * a file database for runs, `:memory:` for tests.
 */
import { appendFileSync, readFileSync } from "node:fs";
import { totalmem } from "node:os";
import {
  type DuckDBAppender,
  type DuckDBConnection,
  DuckDBInstance,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue,
  StatementType,
} from "@duckdb/node-api";

/**
 * `BIDWATCH_PROFILE=<file>` appends one line per statement (milliseconds, rows read, the statement's first
 * words) to the file: how `npm run bench` figures are taken apart. Off (and free) otherwise.
 */
const PROFILE = process.env.BIDWATCH_PROFILE;

/** Rows `Db.append` lets the appender hold before it hands them to the table. */
const APPEND_FLUSH_ROWS = 2000;

function profile(kind: string, sql: string, t0: number, rows: number | undefined): void {
  if (!PROFILE) return;
  const ms = (performance.now() - t0).toFixed(1);
  const head = sql
    .replace(/--[^\n]*/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 140);
  appendFileSync(PROFILE, `${ms}\t${kind}\t${rows ?? ""}\t${head}\n`);
}

export type Params = DuckDBValue[] | Record<string, DuckDBValue>;
export type Row = Record<string, unknown>;

export class Db {
  private constructor(
    readonly instance: DuckDBInstance,
    readonly conn: DuckDBConnection,
    readonly path: string,
    /** Whether `close` also closes the instance (false for a sibling from `connect`). */
    private readonly ownsInstance = true,
  ) {}

  /** Opens (or creates) a database. Local times are interpreted in Asia/Shanghai. */
  static async open(
    path = ":memory:",
    options: { threads?: number; memoryLimit?: string } = {},
  ): Promise<Db> {
    const config: Record<string, string> = {};
    if (options.threads) config.threads = String(options.threads);
    // DuckDB takes 80 % of the machine by default; the JavaScript heap may take up to half of it
    // (bin/bidwatch.js), so DuckDB is held to 40 % and spills to disk beyond that.
    config.memory_limit = options.memoryLimit ?? `${Math.floor((totalmem() * 0.4) / 2 ** 20)}MB`;
    const instance = await DuckDBInstance.create(path, config);
    return new Db(instance, await Db.zoned(instance), path);
  }

  /** A connection whose local times are interpreted in Asia/Shanghai. */
  private static async zoned(instance: DuckDBInstance): Promise<DuckDBConnection> {
    const conn = await instance.connect();
    // ICU is built in but only loaded once a connection exists, so the zone is set here, not in `config`.
    await conn.run("SET TimeZone = 'Asia/Shanghai'");
    return conn;
  }

  /**
   * A second connection to the same database, for work that runs concurrently with this one's (DuckDB runs
   * the queries of different connections at the same time). It sees the stored tables but not this
   * connection's temp tables, views, variables or open transaction. `close` closes only the connection.
   */
  async connect(): Promise<Db> {
    return new Db(this.instance, await Db.zoned(this.instance), this.path, false);
  }

  /** Runs statements (no result wanted). */
  async exec(sql: string, params?: Params): Promise<void> {
    const t0 = PROFILE ? performance.now() : 0;
    await this.conn.run(sql, params);
    if (PROFILE) profile("exec", sql, t0, undefined);
  }

  /** Runs a query and returns rows as plain JS objects; BIGINT/HUGEINT become numbers, DECIMAL doubles. */
  async all<T extends Row = Row>(sql: string, params?: Params): Promise<T[]> {
    const t0 = PROFILE ? performance.now() : 0;
    const fast = await this.allAsJson(sql, params);
    if (fast) {
      if (PROFILE) profile("all", sql, t0, fast.length);
      return fast as T[];
    }
    const reader = await this.conn.runAndReadAll(sql, params);
    const rows = reader.getRowObjectsJS().map((r) => normaliseRow(r) as T);
    if (PROFILE) profile("all", sql, t0, rows.length);
    return rows;
  }

  /**
   * The bulk path of `all`: a SELECT whose columns all convert to JSON exactly as `all` converts them is
   * read as one JSON text per row (DuckDB's to_json) and parsed by V8, which is several times faster than
   * converting value by value. DECIMAL columns go through DOUBLE first, as the value-by-value conversion
   * does. Returns undefined (the caller takes the value-by-value path) for anything else: other
   * statements, dates and times, JSON, BLOBs, maps, NaN or infinite doubles, 64-bit integers inside structs.
   */
  private async allAsJson(sql: string, params?: Params): Promise<Row[] | undefined> {
    let columns: { name: string; type: DuckDBType }[];
    try {
      const stmt = await this.conn.prepare(sql);
      try {
        if (stmt.statementType !== StatementType.SELECT) return undefined;
        columns = Array.from({ length: stmt.columnCount }, (_, i) => ({
          name: stmt.columnName(i),
          type: stmt.columnType(i),
        }));
      } finally {
        stmt.destroySync();
      }
    } catch {
      return undefined;
    }
    const names = new Set(columns.map((c) => c.name));
    if (columns.length === 0 || names.size !== columns.length) return undefined;
    // One plain value per row gains nothing from the JSON round trip.
    const only = columns.length === 1 ? columns[0]?.type.typeId : undefined;
    if (only !== undefined && only !== DuckDBTypeId.LIST && only !== DuckDBTypeId.STRUCT) return undefined;
    if (!columns.every((c) => c.type.typeId === DuckDBTypeId.DECIMAL || jsonExact(c.type, false)))
      return undefined;
    const fields = columns.map((c) => {
      const v = `bw_q.${ident(c.name)}`;
      return `${ident(c.name)} := ${c.type.typeId === DuckDBTypeId.DECIMAL ? `${v}::DOUBLE` : v}`;
    });
    const body = sql.replace(/[\s;]+$/, "");
    const wrapped = `SELECT to_json(struct_pack(${fields.join(", ")}))::VARCHAR AS j FROM (\n${body}\n) bw_q`;
    try {
      const reader = await this.conn.runAndReadAll(wrapped, params);
      return reader.getColumnsJS()[0]?.map((j) => JSON.parse(j as string) as Row) ?? [];
    } catch {
      return undefined;
    }
  }

  /**
   * Runs a query and returns its columns by name, one array of values per column: for large results of plain
   * numbers, which convert far faster column by column than as row objects or JSON. Values convert as
   * DuckDB's JS conversion does (64-bit integers become bigint: cast counts to INTEGER or DOUBLE).
   */
  async columns(sql: string, params?: Params): Promise<Record<string, unknown[]>> {
    const t0 = PROFILE ? performance.now() : 0;
    const reader = await this.conn.runAndReadAll(sql, params);
    const cols = reader.getColumnsObjectJS() as Record<string, unknown[]>;
    if (PROFILE) profile("columns", sql, t0, reader.currentRowCount);
    return cols;
  }

  async one<T extends Row = Row>(sql: string, params?: Params): Promise<T | undefined> {
    const rows = await this.all<T>(sql, params);
    return rows[0];
  }

  /**
   * Appends one row per item to a table in bulk through DuckDB's appender: no statement per row and no JSON
   * round trip. `write` appends one value per column of the table, in table order; `temp` tables live in
   * catalog `temp`. Rows are handed to the table every APPEND_FLUSH_ROWS rows (bounds the memory a bulk
   * append takes); inside a transaction they all commit together. On an error the rows not yet handed over
   * are dropped. Returns the rows appended.
   */
  async append<T>(
    table: string,
    items: Iterable<T>,
    write: (appender: DuckDBAppender, item: T) => void,
    options: { temp?: boolean } = {},
  ): Promise<number> {
    const t0 = PROFILE ? performance.now() : 0;
    const appender = await this.conn.createAppender(table, "main", options.temp ? "temp" : null);
    let n = 0;
    try {
      for (const item of items) {
        write(appender, item);
        appender.endRow();
        if (++n % APPEND_FLUSH_ROWS === 0) appender.flushSync();
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
    if (PROFILE) profile("append", table, t0, n);
    return n;
  }

  /** `append` of rows of text (or NULL), one value per column of the table. */
  appendText(
    table: string,
    rows: Iterable<readonly (string | null)[]>,
    options: { temp?: boolean } = {},
  ): Promise<number> {
    return this.append(
      table,
      rows,
      (appender, row) => {
        for (const v of row) {
          if (v === null) appender.appendNull();
          else appender.appendVarchar(v);
        }
      },
      options,
    );
  }

  private queue: Promise<unknown> = Promise.resolve();

  /**
   * Runs `fn` inside a transaction; rolls back on any error. Transactions on one handle run one after
   * another (DuckDB has one transaction per connection), so concurrent callers wait their turn.
   * `fn` must not start another transaction.
   */
  transaction<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      await this.conn.run("BEGIN TRANSACTION");
      try {
        const result = await fn();
        const t0 = PROFILE ? performance.now() : 0;
        await this.conn.run("COMMIT");
        if (PROFILE) profile("exec", "COMMIT", t0, undefined);
        return result;
      } catch (err) {
        await this.conn.run("ROLLBACK");
        throw err;
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  close(): void {
    this.conn.closeSync();
    if (this.ownsInstance) this.instance.closeSync();
  }
}

/**
 * Whether values of a type come out of to_json and JSON.parse exactly as `all` converts them (strings,
 * booleans, numbers; lists and structs of those). 64-bit and wider integers become numbers in `all` only
 * outside structs, so inside one they are not exact.
 */
function jsonExact(type: DuckDBType, inStruct: boolean): boolean {
  switch (type.typeId) {
    case DuckDBTypeId.VARCHAR:
      return type.alias === undefined;
    case DuckDBTypeId.BOOLEAN:
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.ENUM:
    case DuckDBTypeId.SQLNULL:
      return true;
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return !inStruct;
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
      return jsonExact(type.valueType, inStruct);
    case DuckDBTypeId.STRUCT:
      return type.entryTypes.every((t) => jsonExact(t, true));
    default:
      return false;
  }
}

function normaliseRow(row: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) out[k] = normaliseValue(v);
  return out;
}

function normaliseValue(v: unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  if (Array.isArray(v)) return v.map(normaliseValue);
  return v;
}

/** Quotes an identifier (table or column name) for DuckDB. Values are always bound, never quoted. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

const sqlCache = new Map<string, string>();

/** Loads a `.sql` file that sits beside the calling module: `sqlFile(import.meta.url, "screens.sql")`. */
export function sqlFile(moduleUrl: string, name: string): string {
  const url = new URL(name, moduleUrl);
  const key = url.href;
  let text = sqlCache.get(key);
  if (text === undefined) {
    text = readFileSync(url, "utf8");
    sqlCache.set(key, text);
  }
  return text;
}

/**
 * Loads one named section of a `.sql` file. Sections start with a line `-- name: NAME`;
 * a section may hold several statements.
 */
export function sqlSection(moduleUrl: string, file: string, name: string): string {
  const text = sqlFile(moduleUrl, file);
  const re = /^-- name: (\S+)\s*$/gm;
  const marks = [...text.matchAll(re)];
  const i = marks.findIndex((m) => m[1] === name);
  const mark = marks[i];
  if (!mark || mark.index === undefined) throw new Error(`sql: section "${name}" not found in ${file}`);
  const end = marks[i + 1]?.index ?? text.length;
  return text.slice(mark.index + mark[0].length, end).trim();
}
