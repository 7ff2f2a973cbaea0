/**
 * Issue 4 acceptance against the real Redis (test/setup/redis.ts): one BullMQ job per (alert, channel),
 * unchanged by a second run; with Redis unreachable the run completes and alerts wait in the outbox;
 * `deliver` then sends each exactly once. Every test uses its own key prefix and removes it afterwards.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { runPipeline } from "../../pipelines/run.ts";
import { deliverPending } from "../../src/alerts/deliver.ts";
import { pendingCounts } from "../../src/alerts/outbox.ts";
import { Db } from "../../src/db/duckdb.ts";
import { generateExport } from "../../src/generate/index.ts";
import type { Alert, Logger } from "../../src/types.ts";
import { tempDir } from "../helpers/db.ts";

const quiet: Logger = { info: () => {}, warn: () => {} };
const clock = { now: () => new Date("2026-01-05T02:00:00Z") };
const CHANNELS = ["analyst", "inspection", "discipline", "public-security"] as const;
/** Nothing listens here: Redis as seen by the app when the server is stopped. */
const DOWN = "redis://127.0.0.1:1";

const redisUrl = inject("redisUrl");
let dir: string;
let cleanup: () => Promise<void>;
let prefix: string;
const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  await generateExport({ tenders: 150, seed: 11 }, join(dir, "in"));
});
afterAll(async () => {
  redis.disconnect();
  await cleanup();
});
afterEach(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
});

async function jobsByQueue(): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const name of CHANNELS) {
    const q = new Queue(name, { connection: redis, prefix });
    const jobs = await q.getJobs(["waiting", "active", "delayed", "completed", "failed", "prioritized"]);
    out.set(name, jobs.map((j) => j.id as string).sort());
    await q.close();
  }
  return out;
}

function expected(alerts: readonly Alert[]): Map<string, string[]> {
  const out = new Map<string, string[]>(CHANNELS.map((c) => [c, []]));
  for (const a of alerts) for (const c of a.channels) out.get(c)?.push(a.id);
  for (const v of out.values()) v.sort();
  return out;
}

async function run(db: Db, url: string, out: string) {
  return runPipeline(
    { inputs: [join(dir, "in")], outDir: join(dir, out), redisUrl: url, queuePrefix: prefix },
    { db, clock, logger: quiet },
  );
}

describe("delivery to BullMQ", () => {
  it("leaves exactly one job per (alert, channel), and a second run leaves the same jobs", async () => {
    prefix = `bidwatch-test-${randomUUID()}`;
    const db = await Db.open(join(dir, `${prefix}.duckdb`));
    const first = await run(db, redisUrl, "o1");
    expect(first.alerts.length).toBeGreaterThan(0);
    expect(first.summary.delivery).toMatchObject({ configured: true, pending: 0 });
    const jobs = await jobsByQueue();
    expect(jobs).toEqual(expected(first.alerts));
    expect(first.summary.delivery.delivered).toBe([...jobs.values()].reduce((s, v) => s + v.length, 0));

    const second = await run(db, redisUrl, "o2");
    expect(second.summary.delivery).toMatchObject({ delivered: 0, pending: 0 });
    expect(await jobsByQueue()).toEqual(jobs);
    db.close();
  });

  it("keeps alerts pending while Redis is down and delivers each exactly once when it returns", async () => {
    prefix = `bidwatch-test-${randomUUID()}`;
    const db = await Db.open(join(dir, `${prefix}.duckdb`));
    const r = await run(db, DOWN, "o3");
    const total = r.alerts.reduce((s, a) => s + a.channels.length, 0);
    expect(r.summary.delivery).toMatchObject({ configured: true, delivered: 0, pending: total });
    expect(r.summary.delivery.error).toMatch(/not reachable/);
    expect(await pendingCounts(db)).toEqual({ pending: total, delivered: 0 });
    expect([...(await jobsByQueue()).values()].flat()).toEqual([]);

    const d1 = await deliverPending(db, { redisUrl, prefix }, clock);
    expect(d1).toEqual({ delivered: total, pending: 0 });
    const d2 = await deliverPending(db, { redisUrl, prefix }, clock);
    expect(d2).toEqual({ delivered: 0, pending: 0 });
    expect(await jobsByQueue()).toEqual(expected(r.alerts));
    db.close();
  });

  it("uses the alert id as job id and the alert as job data", async () => {
    prefix = `bidwatch-test-${randomUUID()}`;
    const db = await Db.open(join(dir, `${prefix}.duckdb`));
    const r = await run(db, redisUrl, "o4");
    const top = r.alerts[0] as Alert;
    const q = new Queue("analyst", { connection: redis, prefix });
    const job = await q.getJob(top.id);
    expect(job?.data).toEqual(JSON.parse(JSON.stringify(top)));
    await q.close();
    db.close();
  });
});
