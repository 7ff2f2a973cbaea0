/**
 * The nightly schedule: each new batch folder in the inbox is run once; the BullMQ workers (real Redis,
 * own key prefix) run inbox scans and workflow commands; the scheduler is registered with its cron.
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Queue, QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { processInbox } from "../../pipelines/nightly.ts";
import { executeCommand } from "../../src/alerts/commands.ts";
import { getAlert } from "../../src/alerts/store.ts";
import { NIGHTLY_QUEUE, NIGHTLY_SCHEDULER, registerSchedule, startWorkers } from "../../src/cli/worker.ts";
import { Db } from "../../src/db/duckdb.ts";
import { initDb } from "../../src/db/init.ts";
import { UsageError } from "../../src/errors.ts";
import { generateExport } from "../../src/generate/index.ts";
import type { Logger } from "../../src/types.ts";
import { tempDir } from "../helpers/db.ts";

const quiet: Logger = { info: () => {}, warn: () => {} };
const clock = { now: () => new Date("2026-01-05T02:00:00Z") };
const redisUrl = inject("redisUrl");
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  await generateExport({ tenders: 60, seed: 1 }, join(dir, "inbox", "2025-06-01"));
  await generateExport({ tenders: 60, seed: 2 }, join(dir, "inbox", "2025-06-02"));
});
afterAll(() => cleanup());

describe("nightly inbox", () => {
  it("runs each new batch folder once, in name order", async () => {
    const db = await Db.open(join(dir, "inbox.duckdb"));
    await initDb(db);
    const fx = { db, clock, logger: quiet };
    const opts = { inbox: join(dir, "inbox"), outRoot: join(dir, "out") };
    const first = await processInbox(opts, fx);
    expect(first.processed.map((p) => p.name)).toEqual(["2025-06-01", "2025-06-02"]);
    expect(first.failed).toEqual([]);
    expect((await processInbox(opts, fx)).processed).toEqual([]);
    await generateExport({ tenders: 60, seed: 3 }, join(dir, "inbox", "2025-06-03"));
    expect((await processInbox(opts, fx)).processed.map((p) => p.name)).toEqual(["2025-06-03"]);
    const summary = JSON.parse(await readFile(join(dir, "out", "2025-06-03", "run_summary.json"), "utf8"));
    expect(summary.files.every((f: { status: string }) => f.status === "loaded")).toBe(true);
    db.close();
  });

  it("rejects malformed workflow commands", async () => {
    const db = await Db.open();
    await initDb(db);
    await expect(
      executeCommand(db, clock, { op: "close", alert_id: "A-1", actor: "x", verdict: "maybe", note: "n" }),
    ).rejects.toBeInstanceOf(UsageError);
    await expect(
      executeCommand(db, clock, { op: "claim", alert_id: "A-1", actor: "x", extra: 1 }),
    ).rejects.toBeInstanceOf(UsageError);
    db.close();
  });
});

describe("BullMQ workers and schedule (real Redis)", () => {
  const prefix = `bidwatch-test-${randomUUID()}`;
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it("registers the nightly scheduler with its cron in Asia/Shanghai", async () => {
    await registerSchedule(redisUrl, "0 2 * * *", { inbox: "/in", outRoot: "/out" }, prefix);
    await registerSchedule(redisUrl, "0 3 * * *", { inbox: "/in", outRoot: "/out" }, prefix); // updates, no duplicate
    const q = new Queue(NIGHTLY_QUEUE, { connection: redis, prefix });
    const schedulers = await q.getJobSchedulers();
    expect(schedulers).toHaveLength(1);
    expect(schedulers[0]).toMatchObject({
      key: NIGHTLY_SCHEDULER,
      pattern: "0 3 * * *",
      tz: "Asia/Shanghai",
    });
    await q.close();
  });

  it("a worker scans the inbox on a nightly job and applies workflow commands", async () => {
    const dbPath = join(dir, "worker.duckdb");
    const stop = await startWorkers({ db: dbPath, redisUrl, prefix, deliverTo: "redis://127.0.0.1:1" });
    try {
      const nightly = new Queue(NIGHTLY_QUEUE, { connection: redis, prefix });
      const events = new QueueEvents(NIGHTLY_QUEUE, {
        connection: new Redis(redisUrl, { maxRetriesPerRequest: null }),
        prefix,
      });
      await events.waitUntilReady();
      const job = await nightly.add("scan-inbox", { inbox: join(dir, "inbox"), outRoot: join(dir, "wout") });
      const result = (await job.waitUntilFinished(events, 120_000)) as { processed: { name: string }[] };
      expect(result.processed.map((p) => p.name)).toEqual(["2025-06-01", "2025-06-02", "2025-06-03"]);
      const alerts = JSON.parse(await readFile(join(dir, "wout", "2025-06-03", "alerts.json"), "utf8")) as {
        id: string;
      }[];
      const id = (alerts[0] as { id: string }).id;

      const commands = new Queue("commands", { connection: redis, prefix });
      const cevents = new QueueEvents("commands", {
        connection: new Redis(redisUrl, { maxRetriesPerRequest: null }),
        prefix,
      });
      await cevents.waitUntilReady();
      const c = await commands.add("claim", { op: "claim", alert_id: id, actor: "queue-consumer" });
      expect(await c.waitUntilFinished(cevents, 60_000)).toEqual({ alert_id: id, status: "in_review" });
      await Promise.all([nightly.close(), events.close(), commands.close(), cevents.close()]);
    } finally {
      await stop();
    }
    const db = await Db.open(dbPath);
    expect(
      (
        await getAlert(
          db,
          (
            JSON.parse(await readFile(join(dir, "wout", "2025-06-03", "alerts.json"), "utf8"))[0] as {
              id: string;
            }
          ).id,
        )
      )?.status,
    ).toBe("in_review");
    db.close();
  });
});
