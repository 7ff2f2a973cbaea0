/**
 * `bidwatch worker` runs the BullMQ workers: the nightly queue (scheduled inbox scans), the commands
 * queue (workflow operations from other systems) and the partition queue (the tender-local feature work of a
 * partitioned run, docs/scale-out.md). `bidwatch schedule` registers the nightly job scheduler.
 * The database file is opened per nightly or command job and closed after, so CLI commands can use it
 * between jobs; partition jobs never open it (each has its own in-memory DuckDB).
 */
import { availableParallelism } from "node:os";
import { resolve as resolvePath } from "node:path";
import { type Job, Queue, Worker } from "bullmq";
import type { Command } from "commander";
import { Redis } from "ioredis";
import { processInbox } from "../../pipelines/nightly.ts";
import { PARTITION_QUEUE, type PartitionJobData, processPartition } from "../../pipelines/partitioned.ts";
import { COMMANDS_QUEUE, executeCommand } from "../alerts/commands.ts";
import { DEFAULT_REDIS_URL, QUEUE_PREFIX, safeUrl } from "../alerts/deliver.ts";
import { UsageError } from "../errors.ts";
import { DB_DEFAULT, stderrLogger, systemClock, withDb } from "./common.ts";
import { intArg } from "./run.ts";

export const NIGHTLY_QUEUE = "nightly";
export const NIGHTLY_SCHEDULER = "nightly-inbox";

export interface NightlyJobData {
  readonly inbox: string;
  readonly outRoot: string;
}

export interface WorkerOptions {
  readonly db: string;
  readonly redisUrl: string;
  readonly prefix?: string;
  /** Deliver each run's alerts to this Redis (default: the worker's own). */
  readonly deliverTo?: string;
  /**
   * Queues to work (default: all of WORKER_QUEUES). A machine that only lends its cores to partitioned runs
   * works `partition` alone and needs no database file.
   */
  readonly queues?: readonly WorkerQueue[];
  /** Partition jobs worked at once (default 1); each has its own in-memory DuckDB. */
  readonly partitionConcurrency?: number;
  /** Where this machine sees the shared work folder of partitioned runs (default: the path in each job). */
  readonly workDir?: string;
  /** DuckDB threads per partition job (default: the cores shared out among the concurrent jobs). */
  readonly partitionThreads?: number;
}

export const WORKER_QUEUES = [NIGHTLY_QUEUE, COMMANDS_QUEUE, PARTITION_QUEUE] as const;
export type WorkerQueue = (typeof WORKER_QUEUES)[number];

/** Starts the workers of the chosen queues, connected; resolves to a function that stops them. */
export async function startWorkers(o: WorkerOptions): Promise<() => Promise<void>> {
  const connection = new Redis(o.redisUrl, { maxRetriesPerRequest: null });
  const prefix = o.prefix ?? QUEUE_PREFIX;
  const queues = new Set<WorkerQueue>(o.queues ?? WORKER_QUEUES);
  const workers: Worker[] = [];
  // One job at a time across both queues: DuckDB allows one writer per file.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn);
    chain = run.catch(() => undefined);
    return run;
  };
  if (queues.has(NIGHTLY_QUEUE)) {
    workers.push(
      new Worker(
        NIGHTLY_QUEUE,
        (job: Job<NightlyJobData>) =>
          serial(() =>
            withDb(o.db, (db) =>
              processInbox(
                { inbox: job.data.inbox, outRoot: job.data.outRoot, redisUrl: o.deliverTo ?? o.redisUrl },
                { db, clock: systemClock, logger: stderrLogger },
              ),
            ),
          ),
        { connection, prefix, concurrency: 1 },
      ),
    );
  }
  if (queues.has(COMMANDS_QUEUE)) {
    workers.push(
      new Worker(
        COMMANDS_QUEUE,
        (job: Job) =>
          serial(() =>
            withDb(o.db, async (db) => {
              const r = await executeCommand(db, systemClock, job.data);
              return { alert_id: r.alert.id, status: r.alert.status };
            }),
          ),
        { connection, prefix, concurrency: 1 },
      ),
    );
  }
  if (queues.has(PARTITION_QUEUE)) {
    // Not serialised with the jobs above: a partition job never touches the database file.
    const concurrency = o.partitionConcurrency ?? 1;
    const threads =
      o.partitionThreads ??
      (concurrency > 1 ? Math.max(1, Math.floor(availableParallelism() / concurrency)) : undefined);
    workers.push(
      new Worker(
        PARTITION_QUEUE,
        (job: Job<PartitionJobData>) =>
          processPartition(job.data, {
            ...(o.workDir ? { workDir: o.workDir } : {}),
            ...(threads ? { threads } : {}),
          }),
        { connection, prefix, concurrency },
      ),
    );
  }
  for (const w of workers) {
    w.on("failed", (job, err) =>
      stderrLogger.warn("job failed", { queue: w.name, job: job?.id ?? "", error: err.message }),
    );
    w.on("completed", (job) => stderrLogger.info("job done", { queue: w.name, job: job.id ?? "" }));
  }
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  return async () => {
    for (const w of workers) await w.close();
    connection.disconnect();
  };
}

/** Registers (or updates) the nightly job scheduler: a cron in Asia/Shanghai time. */
export async function registerSchedule(
  redisUrl: string,
  cron: string,
  data: NightlyJobData,
  prefix = QUEUE_PREFIX,
): Promise<void> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(NIGHTLY_QUEUE, { connection, prefix });
  try {
    await queue.upsertJobScheduler(
      NIGHTLY_SCHEDULER,
      { pattern: cron, tz: "Asia/Shanghai" },
      { name: "scan-inbox", data },
    );
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

export function registerWorkerCommands(program: Command): void {
  program
    .command("worker")
    .description(
      "run the BullMQ workers (nightly inbox scans, workflow commands, partitions of partitioned runs) until stopped",
    )
    .option("--db <file>", "database file (nightly and commands queues)", DB_DEFAULT)
    .option("--redis <url>", "Redis URL (default $REDIS_URL or redis://127.0.0.1:6379)")
    .option("--queue-prefix <prefix>", "BullMQ key prefix", QUEUE_PREFIX)
    .option("--queues <list>", `queues to work, comma-separated (default ${WORKER_QUEUES.join(",")})`)
    .option("--concurrency <n>", "partition jobs worked at once", intArg, 1)
    .option("--threads <n>", "DuckDB threads per partition job (default: cores / concurrency)", intArg)
    .option(
      "--work-dir <dir>",
      "where this machine sees the work folder of partitioned runs (default: as in each job)",
    )
    .action(
      async (o: {
        db: string;
        redis?: string;
        queuePrefix: string;
        queues?: string;
        concurrency: number;
        threads?: number;
        workDir?: string;
      }) => {
        const redisUrl = o.redis ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
        const queues = parseQueues(o.queues);
        if (o.concurrency < 1) throw new UsageError("--concurrency must be at least 1");
        if (o.threads !== undefined && o.threads < 1) throw new UsageError("--threads must be at least 1");
        const stop = await startWorkers({
          db: o.db,
          redisUrl,
          prefix: o.queuePrefix,
          queues,
          partitionConcurrency: o.concurrency,
          ...(o.threads ? { partitionThreads: o.threads } : {}),
          ...(o.workDir ? { workDir: resolvePath(o.workDir) } : {}),
        });
        stderrLogger.info("workers running", {
          redis: safeUrl(redisUrl),
          prefix: o.queuePrefix,
          queues: queues.join(","),
          pid: process.pid,
        });
        await new Promise<void>((resolve) => {
          const end = () => {
            stop().then(resolve, resolve);
          };
          process.once("SIGINT", end);
          process.once("SIGTERM", end);
        });
      },
    );

  program
    .command("schedule")
    .description("register the nightly run: each new batch folder in the inbox is processed once")
    .requiredOption("--cron <pattern>", 'cron pattern in Asia/Shanghai time, e.g. "0 2 * * *"')
    .requiredOption("--inbox <dir>", "folder where the platform drops one folder per export batch")
    .option("--out-root <dir>", "outputs go to OUT_ROOT/<batch>/", "out/batches")
    .option("--redis <url>", "Redis URL (default $REDIS_URL or redis://127.0.0.1:6379)")
    .action(async (o: { cron: string; inbox: string; outRoot: string; redis?: string }) => {
      if (o.cron.trim().split(/\s+/).length < 5)
        throw new UsageError(`--cron "${o.cron}" is not a cron pattern`);
      const redisUrl = o.redis ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
      await registerSchedule(redisUrl, o.cron, {
        inbox: resolvePath(o.inbox),
        outRoot: resolvePath(o.outRoot),
      });
      stderrLogger.info("scheduled", {
        cron: o.cron,
        tz: "Asia/Shanghai",
        inbox: o.inbox,
        redis: safeUrl(redisUrl),
      });
    });
}

function parseQueues(list: string | undefined): WorkerQueue[] {
  if (list === undefined) return [...WORKER_QUEUES];
  const names = list
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "");
  const known = new Set<string>(WORKER_QUEUES);
  const unknown = names.filter((x) => !known.has(x));
  if (names.length === 0 || unknown.length > 0) {
    throw new UsageError(`--queues: ${unknown.join(", ") || "(none)"} not among ${WORKER_QUEUES.join(", ")}`);
  }
  return [...new Set(names)] as WorkerQueue[];
}
