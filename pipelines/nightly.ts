/**
 * The nightly job: every batch folder that has appeared in the inbox and was not processed yet is run
 * through the pipeline, once, in name order (platforms name batches by date). A batch is done when its
 * run finishes; a failed batch is retried on the next scan. Outputs go to OUT_ROOT/<batch name>/.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { Db } from "../src/db/duckdb.ts";
import { sqlSection } from "../src/db/duckdb.ts";
import type { Clock, Logger } from "../src/types.ts";
import { runPipeline } from "./run.ts";

const q = (name: string) => sqlSection(import.meta.url, "nightly.sql", name);

export interface InboxOptions {
  readonly inbox: string;
  readonly outRoot: string;
  readonly redisUrl?: string;
}

export interface InboxResult {
  readonly processed: { name: string; alerts: number }[];
  readonly failed: { name: string; error: string }[];
}

export async function processInbox(
  options: InboxOptions,
  fx: { db: Db; clock: Clock; logger: Logger },
): Promise<InboxResult> {
  const { db, clock, logger } = fx;
  await db.exec(q("init"));
  const done = new Set((await db.all<{ name: string }>(q("done"))).map((r) => r.name));
  const entries = await readdir(options.inbox, { withFileTypes: true });
  const batches = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith(".") && !done.has(e.name))
    .map((e) => e.name)
    .sort();
  const result: InboxResult = { processed: [], failed: [] };
  for (const name of batches) {
    const path = join(options.inbox, name);
    await db.exec(q("start"), { name, path, at: clock.now().toISOString() });
    logger.info("batch start", { batch: name });
    try {
      const { summary } = await runPipeline(
        {
          inputs: [path],
          outDir: join(options.outRoot, name),
          ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}),
        },
        fx,
      );
      await db.exec(q("finish"), { name, at: clock.now().toISOString(), alerts: summary.alerts.total });
      result.processed.push({ name, alerts: summary.alerts.total });
      logger.info("batch done", { batch: name, alerts: summary.alerts.total });
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      await db.exec(q("fail"), { name, error });
      result.failed.push({ name, error });
      logger.warn("batch failed", { batch: name, error });
    }
  }
  return result;
}
