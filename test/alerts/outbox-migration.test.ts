/**
 * An outbox written by an earlier version (the alert's JSON in a `payload` column of every (alert, channel)
 * row) is moved to the current layout when the database is opened: pending rows keep the payload they were
 * enqueued with and are delivered once to the real Redis (test/setup/redis.ts), delivered rows are never
 * sent again, and enqueueing the same pairs adds nothing.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { deliverPending } from "../../src/alerts/deliver.ts";
import { enqueueAlerts, pendingCounts, pendingRows } from "../../src/alerts/outbox.ts";
import { Db } from "../../src/db/duckdb.ts";
import { initDb } from "../../src/db/init.ts";
import type { Alert } from "../../src/types.ts";
import { tempDir } from "../helpers/db.ts";

const redisUrl = inject("redisUrl");
const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
const clock = { now: () => new Date("2026-02-02T02:00:00Z") };
const CHANNELS = ["analyst", "inspection", "discipline", "public-security"] as const;

/** The outbox as earlier versions created it. */
const LEGACY_OUTBOX = `CREATE TABLE outbox (
  alert_id     VARCHAR NOT NULL,
  channel      VARCHAR NOT NULL,
  payload      JSON NOT NULL,
  created_at   TIMESTAMPTZ NOT NULL,
  delivered_at TIMESTAMPTZ,
  attempts     INTEGER NOT NULL DEFAULT 0,
  last_error   VARCHAR,
  PRIMARY KEY (alert_id, channel)
)`;

function alert(id: string, channels: Alert["channels"], summary: string): Alert {
  return {
    id,
    rank: 1,
    score: 0.9,
    kind: "pair",
    firms: ["F1", "F2"],
    tenders: ["T1"],
    amount: 1000,
    channels,
    evidence: [],
    summary_zh: summary,
    summary_en: summary,
  };
}

// A1 went to the analyst and waits for inspection (one payload); A2 waits on two channels enqueued on
// different nights (two payloads, the second night's summary differs); A3 was delivered.
const A1 = alert("A1", ["analyst", "inspection"], "night 1");
const A2 = alert("A2", ["analyst"], "night 1");
const A2b = alert("A2", ["analyst", "discipline"], "night 2");
const A3 = alert("A3", ["public-security"], "night 1");
const LEGACY_ROWS: [string, string, Alert, string, string | null, number, string | null][] = [
  ["A1", "analyst", A1, "2026-01-01T02:00:00Z", "2026-01-01T02:05:00Z", 1, null],
  ["A1", "inspection", A1, "2026-01-01T02:00:00Z", null, 2, "Redis down"],
  ["A2", "analyst", A2, "2026-01-01T02:00:00Z", null, 2, "Redis down"],
  ["A2", "discipline", A2b, "2026-01-02T02:00:00Z", null, 1, "Redis down"],
  ["A3", "public-security", A3, "2026-01-01T02:00:00Z", "2026-01-01T02:05:00Z", 1, null],
];

let dir: string;
let cleanup: () => Promise<void>;
let prefix: string;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  prefix = `bidwatch-test-${randomUUID()}`;
});
afterEach(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await cleanup();
});
afterAll(() => redis.disconnect());

/** A database file with the legacy outbox holding LEGACY_ROWS; returns its path. */
async function legacyDatabase(): Promise<string> {
  const path = join(dir, "old.duckdb");
  const db = await Db.open(path);
  await db.exec(LEGACY_OUTBOX);
  for (const [alert_id, channel, a, created, delivered, attempts, error] of LEGACY_ROWS) {
    await db.exec(
      `INSERT INTO outbox VALUES ($alert_id, $channel, $payload::JSON, $created::TIMESTAMPTZ,
         $delivered::TIMESTAMPTZ, $attempts, $error)`,
      { alert_id, channel, payload: JSON.stringify(a), created, delivered, attempts, error },
    );
  }
  db.close();
  return path;
}

async function jobsByQueue(): Promise<Record<string, { id: string; data: unknown }[]>> {
  const out: Record<string, { id: string; data: unknown }[]> = {};
  for (const name of CHANNELS) {
    const q = new Queue(name, { connection: redis, prefix });
    const jobs = await q.getJobs(["waiting", "active", "delayed", "completed", "failed", "prioritized"]);
    out[name] = jobs
      .map((j) => ({ id: j.id as string, data: j.data }))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    await q.close();
  }
  return out;
}

describe("outbox of an earlier version", () => {
  it("is migrated on open without losing or changing a row", async () => {
    const db = await Db.open(await legacyDatabase());
    try {
      await initDb(db);
      const columns = await db.all<{ column_name: string }>(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = 'outbox' ORDER BY column_index",
      );
      expect(columns.map((c) => c.column_name)).not.toContain("payload");
      expect(await pendingCounts(db)).toEqual({ pending: 3, delivered: 2 });
      expect(await pendingRows(db)).toEqual([
        { alert_id: "A1", channel: "inspection", payload: JSON.stringify(A1) },
        { alert_id: "A2", channel: "analyst", payload: JSON.stringify(A2) },
        { alert_id: "A2", channel: "discipline", payload: JSON.stringify(A2b) },
      ]);
      const kept = await db.all<{
        key: string;
        created: string;
        delivered: string | null;
        attempts: number;
        error: string;
      }>(
        `SELECT alert_id || '/' || channel AS key, strftime(created_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS created,
                strftime(delivered_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS delivered, attempts,
                coalesce(last_error, '') AS error
         FROM outbox ORDER BY alert_id, channel`,
      );
      expect(kept).toEqual(
        LEGACY_ROWS.map(([id, channel, , created, delivered, attempts, error]) => ({
          key: `${id}/${channel}`,
          created,
          delivered,
          attempts,
          error: error ?? "",
        })),
      );
      // One stored payload per distinct (alert, payload): A1 once for its two rows, A2 twice.
      const payloads = await db.all<{ alert_id: string; n: number }>(
        "SELECT alert_id, count(*)::INTEGER AS n FROM outbox_payload GROUP BY alert_id ORDER BY alert_id",
      );
      expect(payloads).toEqual([
        { alert_id: "A1", n: 1 },
        { alert_id: "A2", n: 2 },
        { alert_id: "A3", n: 1 },
      ]);
    } finally {
      db.close();
    }
  });

  it("delivers the pending rows once, never the delivered ones, and enqueues nothing twice", async () => {
    const path = await legacyDatabase();
    let db = await Db.open(path);
    try {
      await initDb(db);
      expect(await deliverPending(db, { redisUrl, prefix }, clock)).toEqual({ delivered: 3, pending: 0 });
      const job = (a: Alert) => ({ id: a.id, data: JSON.parse(JSON.stringify(a)) });
      const expected = {
        analyst: [job(A2)],
        inspection: [job(A1)],
        discipline: [job(A2b)],
        "public-security": [],
      };
      expect(await jobsByQueue()).toEqual(expected);

      // Opening the migrated database again changes nothing; the same pairs are not enqueued again, a new one is.
      db.close();
      db = await Db.open(path);
      await initDb(db);
      expect(await pendingCounts(db)).toEqual({ pending: 0, delivered: 5 });
      expect(await enqueueAlerts(db, [A1, A2b, A3], clock)).toBe(0);
      const A3next = alert("A3", ["public-security", "inspection"], "night 3");
      expect(await enqueueAlerts(db, [A3next], clock)).toBe(1);
      expect(await pendingRows(db)).toEqual([
        { alert_id: "A3", channel: "inspection", payload: JSON.stringify(A3next) },
      ]);
      expect(await deliverPending(db, { redisUrl, prefix }, clock)).toEqual({ delivered: 1, pending: 0 });
      expect(await jobsByQueue()).toEqual({ ...expected, inspection: [job(A1), job(A3next)] });
    } finally {
      db.close();
    }
  });
});
