/**
 * The partitioned run (docs/scale-out.md): the nightly pipeline with its tender-local feature work split into
 * partitions (region × month of publication) that `bidwatch worker` processes compute, on this machine or
 * on others sharing Redis and a work folder.
 *
 * Coordinator (`runPartitioned`): runs runPipeline, which ingests into its DuckDB file as always; in place of
 * the tender-local phase it writes each partition's slice (its tenders and their bids) as Parquet into the
 * work folder, enqueues one BullMQ job per partition on the `partition` queue, waits for all of them and loads
 * the workers' tender-local tables back in partition order. The global phase, detectors, rings, alerts and
 * outputs then run as in any run, over all tenders: co-bidding, cross-tender links and the firm graph are
 * built after the merge, so rings whose tenders lie in several partitions are found as before.
 *
 * Worker (`processPartition`): loads one slice into its own in-memory DuckDB (never the coordinator's file),
 * computes the tender-local tables (src/features/index.ts, TENDER_LOCAL_TABLES) with the coordinator's
 * settings and writes them as Parquet beside the slice.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join, posix, resolve } from "node:path";
import { listValue } from "@duckdb/node-api";
import { type Job, Queue, QueueEvents, UnrecoverableError } from "bullmq";
import { Redis } from "ioredis";
import { probeRedis, QUEUE_PREFIX, safeUrl } from "../src/alerts/deliver.ts";
import { Db, ident, sqlFile, sqlSection } from "../src/db/duckdb.ts";
import { BidwatchError, UsageError } from "../src/errors.ts";
import {
  computeTenderLocalTables,
  TENDER_LOCAL_TABLES,
  type TenderLocalSettings,
  type TenderLocalTable,
} from "../src/features/index.ts";
import type { Logger } from "../src/types.ts";
import { type RunEffects, type RunOptions, type RunResult, runPipeline } from "./run.ts";

export const PARTITION_QUEUE = "partition";
export const PARTITION_SCHEMES = ["region-month"] as const;
export type PartitionScheme = (typeof PARTITION_SCHEMES)[number];
/**
 * Tries per partition job: after a failure another worker may succeed (a network share that hiccuped, a
 * worker that ran out of memory). A slice that fails its checksum or row count is not tried again.
 */
export const PARTITION_ATTEMPTS = 2;
export const DEFAULT_PARTITION_TIMEOUT_SECONDS = 3600;
/** Run ids name a folder and prefix BullMQ job ids (which may not contain `:`). */
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const SLICE_TABLES = ["tenders", "bids"] as const;
type SliceTable = (typeof SLICE_TABLES)[number];

export interface PartitionOptions {
  /** How tenders are split (default and only scheme: `region-month`). */
  readonly scheme?: PartitionScheme;
  /** Redis the partition workers listen on. */
  readonly redisUrl: string;
  /** BullMQ key prefix (default `bidwatch`). */
  readonly prefix?: string;
  /** Folder shared with every worker: slices and results go to WORK_DIR/<run id>/. */
  readonly workDir: string;
  /** Names the run's folder and job ids; default `run-<start time, UTC>` from the clock. */
  readonly runId?: string;
  /** Give up when the partitions are not all done after this many seconds (default 3600). */
  readonly timeoutSeconds?: number;
  /** Keep WORK_DIR/<run id>/ after a successful run (it is always kept after a failure). */
  readonly keepWork?: boolean;
}

/** One Parquet file of a slice; `file` is relative to the run's folder, with `/` separators. */
export interface SliceFile {
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
}

/** What a partition job carries (JSON in Redis). */
export interface PartitionJobData {
  readonly run_id: string;
  /** The partition key, e.g. `330102/2025-03`, or `_` for tenders without region or publication time. */
  readonly key: string;
  /** The partition's number, zero-padded: its folders are `in/<table>/part=<part>` and `out/part=<part>`. */
  readonly part: string;
  /** The work folder as the coordinator sees it (a worker may see it elsewhere: `--work-dir`). */
  readonly work_dir: string;
  readonly slice: Readonly<Record<SliceTable, readonly SliceFile[]>>;
  readonly rows: Readonly<Record<SliceTable, number>>;
  readonly settings: TenderLocalSettings;
  /** Digest of the feature SQL the coordinator runs (FEATURE_SQL_FILES); a worker with other SQL refuses the job. */
  readonly sql_digest: string;
}

/** What a worker returns for a partition. */
export interface PartitionJobResult {
  readonly part: string;
  readonly key: string;
  /** `host:pid` of the worker process. */
  readonly worker: string;
  readonly host: string;
  readonly pid: number;
  readonly seconds: number;
  readonly rows: Readonly<Record<TenderLocalTable, number>>;
}

export interface PartitionReport {
  readonly run_id: string;
  readonly scheme: PartitionScheme;
  readonly work_dir: string;
  readonly queue: string;
  readonly partitions: readonly {
    readonly part: string;
    readonly key: string;
    readonly job_id: string;
    readonly tenders: number;
    readonly bids: number;
    readonly worker: string;
    readonly seconds: number;
    readonly rows: Readonly<Record<TenderLocalTable, number>>;
  }[];
  /** Seconds spent writing slices, waiting for the workers, loading their results. */
  readonly seconds: { readonly split: number; readonly workers: number; readonly merge: number };
}

export interface PartitionedRunResult extends RunResult {
  readonly partitions: PartitionReport;
}

const q = (name: string) => sqlSection(import.meta.url, "partitioned.sql", name);
/** A section with `{{table}}` replaced by the quoted name of one of bidwatch's own tables. */
const withTable = (name: string, table: string) => q(name).replaceAll("{{table}}", ident(table));

/** The SQL files behind the tender-local tables (whole files: a change anywhere in them counts). */
const FEATURE_SQL_FILES = ["screen-stage.sql", "screens.sql", "price-pattern.sql", "process.sql"] as const;

/**
 * sha256 over FEATURE_SQL_FILES: coordinator and workers must compute the tender-local tables with the same
 * SQL, or the merged tables would mix two versions (machines updated at different times).
 */
export function featureSqlDigest(): string {
  const hash = createHash("sha256");
  const dir = new URL("../src/features/", import.meta.url).href;
  for (const name of FEATURE_SQL_FILES) hash.update(`${name}\n`).update(sqlFile(dir, name));
  return hash.digest("hex");
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** `run-20260105T020000000Z` for 2026-01-05T02:00:00.000Z. */
export function defaultRunId(at: Date): string {
  return `run-${at.toISOString().replace(/[-:.]/g, "")}`;
}

/**
 * The nightly run with the tender-local phase done by `bidwatch worker` processes, one BullMQ job per
 * partition. Writes the same outputs as runPipeline, plus `partitions.json` (who computed which partition).
 */
export async function runPartitioned(
  options: RunOptions,
  partition: PartitionOptions,
  fx: RunEffects,
): Promise<PartitionedRunResult> {
  const scheme = partition.scheme ?? "region-month";
  if (!PARTITION_SCHEMES.includes(scheme)) {
    throw new UsageError(`partition scheme must be one of ${PARTITION_SCHEMES.join(", ")}, not "${scheme}"`);
  }
  const runId = partition.runId ?? defaultRunId(fx.clock.now());
  if (!RUN_ID.test(runId)) {
    throw new UsageError(`run id "${runId}" must be letters, digits, ".", "_" or "-" (at most 100)`);
  }
  const timeoutSeconds = partition.timeoutSeconds ?? DEFAULT_PARTITION_TIMEOUT_SECONDS;
  if (!(timeoutSeconds > 0))
    throw new UsageError(`partition timeout must be > 0 seconds, not ${timeoutSeconds}`);
  // Fail before the ingest, not after it, when the workers' Redis does not answer.
  const down = await probeRedis(partition.redisUrl, 2000);
  if (down) {
    throw new BidwatchError(
      "E_PARTITION_REDIS",
      `partitioned run: Redis at ${safeUrl(partition.redisUrl)} is not reachable (${down})`,
    );
  }
  let report: PartitionReport | undefined;
  const result = await runPipeline(options, {
    ...fx,
    tenderLocal: async (db, settings) => {
      report = await partitionedTenderLocal(
        db,
        settings,
        { ...partition, scheme, runId, timeoutSeconds, workDir: resolve(partition.workDir) },
        fx.logger,
      );
    },
  });
  if (!report)
    throw new BidwatchError("E_PARTITION_INTERNAL", "partitioned run: the partitions were not run");
  await writeFile(join(options.outDir, "partitions.json"), `${JSON.stringify(report, null, 2)}\n`);
  return { ...result, partitions: report };
}

interface ResolvedPartitionOptions extends PartitionOptions {
  readonly scheme: PartitionScheme;
  readonly runId: string;
  readonly timeoutSeconds: number;
}

interface PartitionRow {
  readonly part: number;
  readonly key: string;
  readonly tenders: number;
  readonly bids: number;
}

/** The tender-local phase of a partitioned run: split, have the workers compute, merge. */
async function partitionedTenderLocal(
  db: Db,
  settings: TenderLocalSettings,
  p: ResolvedPartitionOptions,
  logger: Logger,
): Promise<PartitionReport> {
  const runDir = join(p.workDir, p.runId);
  const since = (t: number) => Math.round(performance.now() - t) / 1000;
  const t0 = performance.now();
  let jobs: PartitionJobData[];
  let results: PartitionJobResult[];
  let split: number;
  let t1 = t0;
  await db.exec(q("assign"));
  try {
    const parts = await db.all<PartitionRow & Record<string, unknown>>(q("partitions"));
    if (parts.length === 0) {
      // Nothing to split: the (empty) tables are made here.
      await computeTenderLocalTables(db, settings);
      return {
        run_id: p.runId,
        scheme: p.scheme,
        work_dir: p.workDir,
        queue: PARTITION_QUEUE,
        partitions: [],
        seconds: { split: 0, workers: 0, merge: 0 },
      };
    }
    const width = Math.max(5, String(parts.length).length);
    const names = parts.map((r) => String(r.part).padStart(width, "0"));
    const board = await openBoard(p);
    try {
      // Before anything is written: a run id used before must not pick up old jobs or files.
      await checkFree(board, names, parts, p.runId);
      await mkdir(p.workDir, { recursive: true });
      await mkdir(runDir).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== "EEXIST") throw err;
        throw new BidwatchError(
          "E_PARTITION_WORKDIR",
          `partitioned run: ${runDir} exists already (run id "${p.runId}" used before?)`,
        );
      });
      jobs = await writeSlices(db, runDir, parts, names, p, settings).catch((err: unknown) => {
        throw new BidwatchError(
          "E_PARTITION_SPLIT",
          `partitioned run: cannot write the slices to ${runDir}: ${errorText(err)}`,
        );
      });
      split = since(t0);
      t1 = performance.now();
      results = await runJobs(board, jobs, p, runDir, logger);
    } finally {
      await board.close();
    }
  } finally {
    await db.exec(q("drop_assign"));
  }
  const workers = since(t1);

  const t2 = performance.now();
  for (const table of TENDER_LOCAL_TABLES) {
    const files = jobs.map((j) => join(runDir, "out", `part=${j.part}`, `${table}.parquet`));
    try {
      await db.exec(withTable("load_table", table), { files: listValue(files) });
    } catch (err) {
      throw new BidwatchError(
        "E_PARTITION_MERGE",
        `partitioned run: cannot load ${table} from the workers' results in ${runDir}: ${errorText(err)}`,
      );
    }
    const n = (await db.one<{ n: number }>(withTable("count_table", table)))?.n ?? 0;
    const expected = results.reduce((s, r) => s + r.rows[table], 0);
    if (n !== expected) {
      throw new BidwatchError(
        "E_PARTITION_MERGE",
        `partitioned run: ${table} has ${n} rows from the workers' files, the workers reported ${expected} (${runDir})`,
      );
    }
  }
  const merge = since(t2);
  if (!p.keepWork) await rm(runDir, { recursive: true, force: true });
  logger.info("partitions merged", { run: p.runId, partitions: jobs.length, split, workers, merge });
  return {
    run_id: p.runId,
    scheme: p.scheme,
    work_dir: p.workDir,
    queue: PARTITION_QUEUE,
    partitions: jobs.map((j, i) => {
      const r = results[i] as PartitionJobResult;
      return {
        part: j.part,
        key: j.key,
        job_id: jobId(p.runId, j.part),
        tenders: j.rows.tenders,
        bids: j.rows.bids,
        worker: r.worker,
        seconds: r.seconds,
        rows: r.rows,
      };
    }),
    seconds: { split, workers, merge },
  };
}

function jobId(runId: string, part: string): string {
  return `${runId}.${part}`;
}

/** Writes every partition's slice (one pass per table) and returns the jobs, in partition order. */
async function writeSlices(
  db: Db,
  runDir: string,
  parts: readonly PartitionRow[],
  names: readonly string[],
  p: ResolvedPartitionOptions,
  settings: TenderLocalSettings,
): Promise<PartitionJobData[]> {
  const width = names[0]?.length ?? 5;
  const slices = parts.map(() => ({}) as Record<SliceTable, SliceFile[]>);
  await mkdir(join(runDir, "in"), { recursive: true });
  await db.exec(q("slice_views"));
  for (const table of SLICE_TABLES) {
    await db.exec(q(`write_${table}`), { dir: join(runDir, "in", table), width });
    for (const [i, name] of names.entries()) {
      const rel = posix.join("in", table, `part=${name}`);
      const dir = join(runDir, ...rel.split("/"));
      let files = (await readdir(dir).catch(() => [] as string[]))
        .filter((f) => f.endsWith(".parquet"))
        .sort();
      if (files.length === 0) {
        await mkdir(dir, { recursive: true });
        await db.exec(withTable("write_empty", `bw_slice_${table}`), { file: join(dir, "empty.parquet") });
        files = ["empty.parquet"];
      }
      (slices[i] as Record<SliceTable, SliceFile[]>)[table] = await Promise.all(
        files.map(async (f) => {
          const path = join(dir, f);
          return { file: posix.join(rel, f), sha256: await sha256File(path), bytes: (await stat(path)).size };
        }),
      );
    }
  }
  const sqlDigest = featureSqlDigest();
  return parts.map((row, i) => ({
    run_id: p.runId,
    key: row.key,
    part: names[i] as string,
    work_dir: p.workDir,
    slice: slices[i] as Record<SliceTable, SliceFile[]>,
    rows: { tenders: row.tenders, bids: row.bids },
    settings: { pricePattern: settings.pricePattern },
    sql_digest: sqlDigest,
  }));
}

/** The partition queue and its events, on connections of their own. */
interface Board {
  readonly prefix: string;
  readonly queue: Queue<PartitionJobData, PartitionJobResult>;
  readonly events: QueueEvents;
  close(): Promise<void>;
}

async function openBoard(p: ResolvedPartitionOptions): Promise<Board> {
  const prefix = p.prefix ?? QUEUE_PREFIX;
  const connection = new Redis(p.redisUrl, { maxRetriesPerRequest: null });
  const eventsConnection = new Redis(p.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue<PartitionJobData, PartitionJobResult>(PARTITION_QUEUE, { connection, prefix });
  const events = new QueueEvents(PARTITION_QUEUE, { connection: eventsConnection, prefix });
  // Listening before any job exists, so no completion is missed.
  await events.waitUntilReady();
  return {
    prefix,
    queue,
    events,
    close: async () => {
      // Never masks the error that ends a run. BullMQ leaves connections it was handed open.
      await events.close().catch(() => undefined);
      await queue.close().catch(() => undefined);
      eventsConnection.disconnect();
      connection.disconnect();
    },
  };
}

async function checkFree(
  board: Board,
  names: readonly string[],
  parts: readonly PartitionRow[],
  runId: string,
): Promise<void> {
  for (const [i, name] of names.entries()) {
    const id = jobId(runId, name);
    const state = await board.queue.getJobState(id);
    if (state !== "unknown") {
      throw new BidwatchError(
        "E_PARTITION_JOB_EXISTS",
        `partitioned run: job ${id} (partition ${parts[i]?.key}) exists already (${state}); use another run id`,
      );
    }
  }
}

/** Enqueues one job per partition and waits for all; the first failure (or the timeout) ends the wait. */
async function runJobs(
  board: Board,
  datas: readonly PartitionJobData[],
  p: ResolvedPartitionOptions,
  runDir: string,
  logger: Logger,
): Promise<PartitionJobResult[]> {
  const { queue, events } = board;
  const ids = datas.map((d) => jobId(p.runId, d.part));
  const finished = new Set<string>();
  // One `closing` listener per job wait.
  queue.setMaxListeners(datas.length + 10);
  try {
    const jobs = await queue.addBulk(
      datas.map((data, i) => ({
        name: data.key,
        data,
        opts: {
          jobId: ids[i] as string,
          attempts: PARTITION_ATTEMPTS,
          removeOnComplete: { age: 24 * 3600 },
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      })),
    );
    const listening = await queue.getWorkersCount().catch(() => undefined);
    logger.info("partitions enqueued", {
      run: p.runId,
      partitions: jobs.length,
      queue: `${board.prefix}:${PARTITION_QUEUE}`,
      redis: safeUrl(p.redisUrl),
      ...(listening === undefined ? {} : { workers: listening }),
    });
    if (listening === 0) {
      logger.warn("no `bidwatch worker` listens on the partition queue yet; waiting for one", {
        timeout_s: p.timeoutSeconds,
      });
    }
    return await waitForAll(jobs, events, datas, p, runDir, finished);
  } catch (err) {
    // Jobs nobody has started yet are taken back; running ones finish on their own.
    for (const id of ids) if (!finished.has(id)) await queue.remove(id).catch(() => 0);
    throw err;
  }
}

function waitForAll(
  jobs: readonly Job<PartitionJobData, PartitionJobResult>[],
  events: QueueEvents,
  datas: readonly PartitionJobData[],
  p: ResolvedPartitionOptions,
  runDir: string,
  finished: Set<string>,
): Promise<PartitionJobResult[]> {
  return new Promise((resolvePromise, reject) => {
    const results: (PartitionJobResult | undefined)[] = new Array(jobs.length);
    let left = jobs.length;
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      f();
    };
    // One timer for the whole wait (waitUntilFinished's own would keep the process alive after a failure).
    const timer = setTimeout(
      () => {
        const open = datas.filter((_, i) => results[i] === undefined).map((d) => d.key);
        settle(() =>
          reject(
            new BidwatchError(
              "E_PARTITION_TIMEOUT",
              `partitioned run: ${open.length} partition(s) not done after ${p.timeoutSeconds} s (${open
                .slice(0, 5)
                .join(
                  ", ",
                )}${open.length > 5 ? ", …" : ""}); is a \`bidwatch worker\` running against ${safeUrl(
                p.redisUrl,
              )} with queue prefix "${p.prefix ?? QUEUE_PREFIX}"? Slices are kept in ${runDir}`,
            ),
          ),
        );
      },
      Math.min(p.timeoutSeconds * 1000, 2 ** 31 - 1),
    );
    for (const [i, job] of jobs.entries()) {
      job.waitUntilFinished(events).then(
        (r) => {
          results[i] = r;
          finished.add(job.id as string);
          if (--left === 0) settle(() => resolvePromise(results as PartitionJobResult[]));
        },
        (err: unknown) => {
          finished.add(job.id as string);
          const d = datas[i] as PartitionJobData;
          settle(() =>
            reject(
              new BidwatchError(
                "E_PARTITION_FAILED",
                `partitioned run: partition ${d.key} (job ${job.id}) failed: ${errorText(err)}; slices and results are kept in ${runDir}`,
              ),
            ),
          );
        },
      );
    }
  });
}

export interface PartitionWorkerOptions {
  /** Where this machine sees the shared work folder (default: the coordinator's path, from the job). */
  readonly workDir?: string;
  /** DuckDB threads per job (default: all cores). */
  readonly threads?: number;
}

const PART = /^[0-9]{1,12}$/;
const SLICE_FILE = /^in\/(tenders|bids)\/part=[0-9]{1,12}\/[A-Za-z0-9_.-]+\.parquet$/;

/**
 * A worker's job: one partition's slice into a fresh in-memory DuckDB, the tender-local tables computed with
 * the coordinator's settings, each written to WORK_DIR/<run>/out/part=<part>/<table>.parquet (written under
 * a temporary name, then renamed, so a reader never sees half a file). Errors name the partition and the
 * worker; a slice that fails its checksum or row count fails the job without another try.
 */
export async function processPartition(
  data: PartitionJobData,
  opts: PartitionWorkerOptions = {},
): Promise<PartitionJobResult> {
  const t0 = performance.now();
  const host = hostname();
  const pid = process.pid;
  const worker = `${host}:${pid}`;
  const where = `partition ${String(data?.key)} (part ${String(data?.part)}) on worker ${worker}`;
  try {
    checkJobData(data);
    if (data.sql_digest !== featureSqlDigest()) {
      throw new UnrecoverableError(
        "this worker's feature SQL differs from the coordinator's (another bidwatch version?): update it and rerun",
      );
    }
    const runDir = join(opts.workDir ?? data.work_dir, data.run_id);
    for (const table of SLICE_TABLES) {
      for (const f of data.slice[table]) {
        const path = join(runDir, ...f.file.split("/"));
        let digest: string;
        try {
          digest = await sha256File(path);
        } catch (err) {
          throw new Error(
            `cannot read slice ${path}: ${errorText(err)} (does this machine see the work folder there? see --work-dir)`,
          );
        }
        if (digest !== f.sha256) {
          throw new UnrecoverableError(
            `slice ${f.file} does not match its checksum: corrupt, or changed since the coordinator wrote it`,
          );
        }
      }
    }
    const db = await Db.open(":memory:", opts.threads ? { threads: opts.threads } : {});
    try {
      for (const table of SLICE_TABLES) {
        const files = data.slice[table].map((f) => join(runDir, ...f.file.split("/")));
        await db.exec(withTable("load_table", table), { files: listValue(files) });
        const n = (await db.one<{ n: number }>(withTable("count_table", table)))?.n ?? 0;
        if (n !== data.rows[table]) {
          throw new UnrecoverableError(
            `slice of ${table} has ${n} rows, the coordinator wrote ${data.rows[table]}`,
          );
        }
      }
      await computeTenderLocalTables(db, data.settings);
      const outDir = join(runDir, "out", `part=${data.part}`);
      await mkdir(outDir, { recursive: true });
      const rows = {} as Record<TenderLocalTable, number>;
      for (const table of TENDER_LOCAL_TABLES) {
        rows[table] = (await db.one<{ n: number }>(withTable("count_table", table)))?.n ?? 0;
        const file = join(outDir, `${table}.parquet`);
        const tmp = `${file}.${host}-${pid}.tmp`;
        await db.exec(withTable("write_table", table), { file: tmp });
        await rename(tmp, file);
      }
      return {
        part: data.part,
        key: data.key,
        worker,
        host,
        pid,
        seconds: Math.round(performance.now() - t0) / 1000,
        rows,
      };
    } finally {
      db.close();
    }
  } catch (err) {
    const msg = `${where}: ${errorText(err)}`;
    throw err instanceof UnrecoverableError ? new UnrecoverableError(msg) : new Error(msg);
  }
}

/** Job data comes from Redis: its paths must stay inside the run's folder, its settings must be numbers. */
function checkJobData(data: PartitionJobData): void {
  const bad = (what: string) => new UnrecoverableError(`malformed partition job: ${what}`);
  if (typeof data !== "object" || data === null) throw bad("no data");
  if (typeof data.run_id !== "string" || !RUN_ID.test(data.run_id)) throw bad("run_id");
  if (typeof data.part !== "string" || !PART.test(data.part)) throw bad("part");
  if (typeof data.work_dir !== "string" || data.work_dir === "") throw bad("work_dir");
  for (const table of SLICE_TABLES) {
    const files = data.slice?.[table];
    if (!Array.isArray(files) || files.length === 0) throw bad(`slice.${table}`);
    for (const f of files) {
      if (typeof f?.file !== "string" || !SLICE_FILE.test(f.file) || !f.file.startsWith(`in/${table}/`))
        throw bad(`slice file ${String(f?.file)}`);
      if (typeof f.sha256 !== "string") throw bad(`checksum of ${f.file}`);
    }
    if (!Number.isInteger(data.rows?.[table])) throw bad(`rows.${table}`);
  }
  const pp = data.settings?.pricePattern;
  if (
    !pp ||
    !Number.isFinite(pp.tolerance) ||
    !Number.isFinite(pp.maxSpan) ||
    !Number.isFinite(pp.minTenders)
  )
    throw bad("settings.pricePattern");
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
