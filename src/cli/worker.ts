/**
 * `bidwatch worker` runs the BullMQ workers: the nightly queue (scheduled inbox scans) and the commands
 * queue (workflow operations from other systems). `bidwatch schedule` registers the nightly job scheduler.
 * The database file is opened per job and closed after, so CLI commands can use it between jobs.
 */
import { type Job, Queue, Worker } from "bullmq";
import type { Command } from "commander";
import { Redis } from "ioredis";
import { processInbox } from "../../pipelines/nightly.ts";
import { COMMANDS_QUEUE, executeCommand } from "../alerts/commands.ts";
import { DEFAULT_REDIS_URL, QUEUE_PREFIX, safeUrl } from "../alerts/deliver.ts";
import { UsageError } from "../errors.ts";
import { DB_DEFAULT, stderrLogger, systemClock, withDb } from "./common.ts";

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
}

/** Starts both workers; resolves to a function that stops them. */
export async function startWorkers(o: WorkerOptions): Promise<() => Promise<void>> {
  const connection = new Redis(o.redisUrl, { maxRetriesPerRequest: null });
  const prefix = o.prefix ?? QUEUE_PREFIX;
  // One job at a time across both queues: DuckDB allows one writer per file.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn);
    chain = run.catch(() => undefined);
    return run;
  };
  const nightly = new Worker(
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
  );
  const commands = new Worker(
    COMMANDS_QUEUE,
    (job: Job) =>
      serial(() =>
        withDb(o.db, async (db) => {
          const r = await executeCommand(db, systemClock, job.data);
          return { alert_id: r.alert.id, status: r.alert.status };
        }),
      ),
    { connection, prefix, concurrency: 1 },
  );
  for (const w of [nightly, commands]) {
    w.on("failed", (job, err) =>
      stderrLogger.warn("job failed", { queue: w.name, job: job?.id ?? "", error: err.message }),
    );
    w.on("completed", (job) => stderrLogger.info("job done", { queue: w.name, job: job.id ?? "" }));
  }
  return async () => {
    await nightly.close();
    await commands.close();
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
    .description("run the BullMQ workers (nightly inbox scans, workflow commands) until stopped")
    .option("--db <file>", "database file", DB_DEFAULT)
    .option("--redis <url>", "Redis URL (default $REDIS_URL or redis://127.0.0.1:6379)")
    .action(async (o: { db: string; redis?: string }) => {
      const redisUrl = o.redis ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
      const stop = await startWorkers({ db: o.db, redisUrl });
      stderrLogger.info("workers running", {
        redis: safeUrl(redisUrl),
        queues: `${NIGHTLY_QUEUE},${COMMANDS_QUEUE}`,
      });
      await new Promise<void>((resolve) => {
        const end = () => {
          stop().then(resolve, resolve);
        };
        process.once("SIGINT", end);
        process.once("SIGTERM", end);
      });
    });

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
      const { resolve } = await import("node:path");
      await registerSchedule(redisUrl, o.cron, { inbox: resolve(o.inbox), outRoot: resolve(o.outRoot) });
      stderrLogger.info("scheduled", {
        cron: o.cron,
        tz: "Asia/Shanghai",
        inbox: o.inbox,
        redis: safeUrl(redisUrl),
      });
    });
}
