/**
 * How the workbench reaches the database.
 *
 * DuckDB lets one process at a time open a database file for writing, and the nightly run (`bidwatch run`)
 * needs the same file. So the server does not hold the file: `DbLease` opens it when a request needs it,
 * runs requests one at a time on that handle (workflow operations are transactions on one connection), and
 * closes it again after `idleMs` without requests. While a run holds the file, requests fail with
 * `DbBusyError` (the server answers 503 with Retry-After).
 */
import { openDb } from "../cli/common.ts";
import type { Db } from "../db/duckdb.ts";
import { BidwatchError } from "../errors.ts";

export interface DbSource {
  /** Runs `fn` with the database; calls run one after another. */
  use<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export class DbBusyError extends BidwatchError {
  constructor(path: string, cause: string) {
    super("E_DB_BUSY", `web: the database ${path} is in use by another process (a nightly run?): ${cause}`);
    this.name = "DbBusyError";
  }
}

function isLockError(err: unknown): boolean {
  const msg = err instanceof Error ? err.message : String(err);
  return /could not set lock|conflicting lock|lock on file/i.test(msg);
}

/** Serialises calls on one promise chain. */
class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.tail.then(fn);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

/** A database handle the caller owns (tests, or an embedding process); never closed here. */
export function fixedDb(db: Db): DbSource {
  const serial = new Serial();
  return {
    use: (fn) => serial.run(() => fn(db)),
    close: async () => {},
  };
}

export interface LeaseOptions {
  /** Close the file after this long without requests (default 2000 ms). */
  readonly idleMs?: number;
  /** Opens the file (default: `openDb`, which also creates missing tables). */
  readonly open?: (path: string) => Promise<Db>;
}

/** Opens the database file on demand and lets go of it when idle. */
export class DbLease implements DbSource {
  private db: Db | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly serial = new Serial();
  private readonly idleMs: number;
  private readonly open: (path: string) => Promise<Db>;

  constructor(
    readonly path: string,
    options: LeaseOptions = {},
  ) {
    this.idleMs = options.idleMs ?? 2000;
    this.open = options.open ?? openDb;
  }

  use<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    return this.serial.run(async () => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      try {
        if (!this.db) {
          try {
            this.db = await this.open(this.path);
          } catch (err) {
            if (isLockError(err)) throw new DbBusyError(this.path, (err as Error).message);
            throw err;
          }
        }
        return await fn(this.db);
      } finally {
        this.timer = setTimeout(() => void this.serial.run(async () => this.release()), this.idleMs);
        this.timer.unref();
      }
    });
  }

  private release(): void {
    this.db?.close();
    this.db = undefined;
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.serial.run(async () => this.release());
  }
}
