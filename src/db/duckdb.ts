/**
 * The one place that opens DuckDB. Everything else receives a `Db` (effects at the edges):
 * a file database for runs, `:memory:` for tests.
 */
import { readFileSync } from "node:fs";
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from "@duckdb/node-api";

export type Params = DuckDBValue[] | Record<string, DuckDBValue>;
export type Row = Record<string, unknown>;

export class Db {
  private constructor(
    readonly instance: DuckDBInstance,
    readonly conn: DuckDBConnection,
    readonly path: string,
  ) {}

  /** Opens (or creates) a database. Local times are interpreted in Asia/Shanghai. */
  static async open(
    path = ":memory:",
    options: { threads?: number; memoryLimit?: string } = {},
  ): Promise<Db> {
    const config: Record<string, string> = {};
    if (options.threads) config.threads = String(options.threads);
    if (options.memoryLimit) config.memory_limit = options.memoryLimit;
    const instance = await DuckDBInstance.create(path, config);
    const conn = await instance.connect();
    // ICU is built in but only loaded once a connection exists, so the zone is set here, not in `config`.
    await conn.run("SET TimeZone = 'Asia/Shanghai'");
    return new Db(instance, conn, path);
  }

  /** Runs statements (no result wanted). */
  async exec(sql: string, params?: Params): Promise<void> {
    await this.conn.run(sql, params);
  }

  /** Runs a query and returns rows as plain JS objects; BIGINT/HUGEINT become numbers, DECIMAL doubles. */
  async all<T extends Row = Row>(sql: string, params?: Params): Promise<T[]> {
    const reader = await this.conn.runAndReadAll(sql, params);
    return reader.getRowObjectsJS().map((r) => normaliseRow(r) as T);
  }

  async one<T extends Row = Row>(sql: string, params?: Params): Promise<T | undefined> {
    const rows = await this.all<T>(sql, params);
    return rows[0];
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
        await this.conn.run("COMMIT");
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
    this.instance.closeSync();
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
