/** `bidwatch run` and `bidwatch generate`. */

import { join, resolve } from "node:path";
import type { Command } from "commander";
import {
  DEFAULT_PARTITION_TIMEOUT_SECONDS,
  PARTITION_SCHEMES,
  type PartitionScheme,
  runPartitioned,
} from "../../pipelines/partitioned.ts";
import { runPipeline } from "../../pipelines/run.ts";
import { loadConfig } from "../config.ts";
import { UsageError } from "../errors.ts";
import { terminalProgress } from "../progress.ts";
import { DB_DEFAULT, stderrLogger, systemClock, withDb } from "./common.ts";

export function registerRunCommands(program: Command): void {
  program
    .command("run")
    .description("ingest an export batch, compute features, detect, and write alerts and reports")
    .argument("<inputs...>", "export files or folders (tenders, bids, firms, firm_people, sanctions)")
    .option("--db <file>", "DuckDB database file (created if missing)", DB_DEFAULT)
    .option("--out <dir>", "output folder", "out")
    .option(
      "--firm-ids <mode>",
      "firm id check: uscc (GB 32100-2015 credit codes) or any (platform ids)",
      "uscc",
    )
    .option(
      "--redis <url>",
      "deliver alerts to BullMQ at this Redis URL (default: $REDIS_URL; none: keep them pending)",
    )
    .option(
      "--partition <scheme>",
      `split the tender-local feature work into partitions computed by \`bidwatch worker\`s: ${PARTITION_SCHEMES.join(", ")}`,
    )
    .option(
      "--workers-redis <url>",
      "Redis the partition workers listen on (default: --redis, else $REDIS_URL)",
    )
    .option("--work-dir <dir>", "folder shared with the partition workers (default: OUT/work)")
    .option(
      "--queue-prefix <prefix>",
      "BullMQ key prefix of the delivery and partition queues (default bidwatch)",
    )
    .option(
      "--run-id <id>",
      "names the partitioned run's work folder and job ids (default: run-<start time>)",
    )
    .option(
      "--partition-timeout <seconds>",
      "give up when the partitions are not all done after this long",
      intArg,
      DEFAULT_PARTITION_TIMEOUT_SECONDS,
    )
    .option("--keep-work", "keep the partitioned run's slices and results after success")
    .action(async (inputs: string[], opts: RunCommandOptions) => {
      if (opts.firmIds !== "uscc" && opts.firmIds !== "any") {
        throw new UsageError(`--firm-ids must be "uscc" or "any", not "${opts.firmIds}"`);
      }
      const partitioned = partitionOptions(opts);
      const redisUrl = opts.redis ?? process.env.REDIS_URL;
      const settings = await loadConfig(opts.config);
      await withDb(opts.db, async (db) => {
        const runOptions = {
          inputs,
          outDir: opts.out,
          firmIds: opts.firmIds as "uscc" | "any",
          settings,
          ...(redisUrl ? { redisUrl } : {}),
          ...(opts.queuePrefix ? { queuePrefix: opts.queuePrefix } : {}),
        };
        const fx = {
          db,
          clock: systemClock,
          logger: stderrLogger,
          progress: terminalProgress(process.stderr),
        };
        const { summary } = partitioned
          ? await runPartitioned(runOptions, partitioned, fx)
          : await runPipeline(runOptions, fx);
        for (const w of summary.warnings) stderrLogger.warn(w);
        stderrLogger.info("run complete", {
          out: opts.out,
          loaded: summary.totals.loaded,
          rejected: summary.totals.rejected,
          alerts: summary.alerts.total,
          pending_deliveries: summary.delivery.pending,
          overdue: summary.workflow.overdue.length,
        });
      });
    });

  program
    .command("generate")
    .description(
      "write a realistic synthetic export with planted collusion rings, noise traps and ground truth",
    )
    .requiredOption("--tenders <n>", "number of tenders", intArg)
    .option("--seed <s>", "random seed", intArg, 1)
    .requiredOption("--out <dir>", "output folder")
    .option("--bids-encoding <enc>", "utf8 or gbk", "utf8")
    .option("--headers <style>", "canonical or zh (Chinese platform headers)", "canonical")
    .option("--bad-rows <n>", "inject this many bad rows into bids.csv", intArg, 0)
    .action(
      async (opts: {
        tenders: number;
        seed: number;
        out: string;
        bidsEncoding: string;
        headers: string;
        badRows: number;
      }) => {
        if (opts.bidsEncoding !== "utf8" && opts.bidsEncoding !== "gbk")
          throw new UsageError("--bids-encoding must be utf8 or gbk");
        if (opts.headers !== "canonical" && opts.headers !== "zh")
          throw new UsageError("--headers must be canonical or zh");
        const { generateExport } = await import("../generate/index.ts");
        const s = await generateExport(
          {
            tenders: opts.tenders,
            seed: opts.seed,
            bidsEncoding: opts.bidsEncoding,
            headers: opts.headers,
            badRows: opts.badRows,
          },
          opts.out,
        );
        stderrLogger.info("generated", {
          out: opts.out,
          tenders: s.tenders,
          bids: s.bids,
          firms: s.firms,
          rings: s.rings,
        });
      },
    );
}

/** The options of `bidwatch run` as commander parses them. */
interface RunCommandOptions {
  db: string;
  out: string;
  firmIds: string;
  redis?: string;
  config?: string;
  partition?: string;
  workersRedis?: string;
  workDir?: string;
  queuePrefix?: string;
  runId?: string;
  partitionTimeout: number;
  keepWork?: boolean;
}

/** The partition options of `bidwatch run`, or undefined for a single-process run. */
function partitionOptions(opts: RunCommandOptions): Parameters<typeof runPartitioned>[1] | undefined {
  if (opts.partition === undefined) {
    const stray = (["workersRedis", "workDir", "runId", "keepWork"] as const).find(
      (k) => opts[k] !== undefined,
    );
    if (stray)
      throw new UsageError(`--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --partition`);
    return undefined;
  }
  if (!(PARTITION_SCHEMES as readonly string[]).includes(opts.partition)) {
    throw new UsageError(
      `--partition must be one of ${PARTITION_SCHEMES.join(", ")}, not "${opts.partition}"`,
    );
  }
  const redisUrl = opts.workersRedis ?? opts.redis ?? process.env.REDIS_URL;
  if (!redisUrl)
    throw new UsageError("--partition needs the workers' Redis: --workers-redis URL (or $REDIS_URL)");
  if (opts.partitionTimeout < 1) throw new UsageError("--partition-timeout must be at least 1 second");
  return {
    scheme: opts.partition as PartitionScheme,
    redisUrl,
    workDir: resolve(opts.workDir ?? join(opts.out, "work")),
    timeoutSeconds: opts.partitionTimeout,
    ...(opts.queuePrefix ? { prefix: opts.queuePrefix } : {}),
    ...(opts.runId ? { runId: opts.runId } : {}),
    ...(opts.keepWork ? { keepWork: true } : {}),
  };
}

export function intArg(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`expected a non-negative integer, not "${v}"`);
  return n;
}
