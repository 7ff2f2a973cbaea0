/**
 * Issue 5, item 4 acceptance: a run split into region × month partitions, computed by two real
 * `bidwatch worker` processes against the real Redis (test/setup/redis.ts), writes the same alerts and tender
 * risk as the single-process run, rings spanning several partitions included; a corrupt slice fails the run
 * with an error naming the partition. Each test has its own queue prefix, removed afterwards, and stops the
 * worker processes it started.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { access, copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Queue, UnrecoverableError } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  featureSqlDigest,
  PARTITION_QUEUE,
  type PartitionJobData,
  type PartitionJobResult,
  processPartition,
  runPartitioned,
} from "../../pipelines/partitioned.ts";
import { runPipeline } from "../../pipelines/run.ts";
import { startWorkers } from "../../src/cli/worker.ts";
import { Db, type Row } from "../../src/db/duckdb.ts";
import { BidwatchError } from "../../src/errors.ts";
import { TENDER_LOCAL_TABLES } from "../../src/features/index.ts";
import { generateExport } from "../../src/generate/index.ts";
import type { Truth } from "../../src/generate/truth.ts";
import type { Alert, Logger } from "../../src/types.ts";
import { tempDir } from "../helpers/db.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const quiet: Logger = { info: () => {}, warn: () => {} };
const clock = { now: () => new Date("2026-01-05T02:00:00Z") };
const redisUrl = inject("redisUrl");
const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
const prefixes: string[] = [];
let dir: string;
let cleanup: () => Promise<void>;
let truth: Truth;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  await generateExport({ tenders: 200, seed: 7 }, join(dir, "in"));
  truth = JSON.parse(await readFile(join(dir, "in", "_truth.json"), "utf8")) as Truth;
});
afterAll(async () => {
  for (const prefix of prefixes) {
    const q = new Queue(PARTITION_QUEUE, { connection: redis, prefix });
    await q.obliterate({ force: true });
    await q.close();
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  }
  redis.disconnect();
  await cleanup();
});

function newPrefix(): string {
  const prefix = `bidwatch-test-${randomUUID()}`;
  prefixes.push(prefix);
  return prefix;
}

interface WorkerProcess {
  /** The pid the worker reports (bin/bidwatch.js may run the CLI in a child process with a larger heap). */
  readonly pid: number;
  readonly log: () => string;
  stop(): Promise<void>;
}

/** `node bin/bidwatch.js worker` for the partition queue, resolved once it says it is listening. */
async function startWorker(prefix: string): Promise<WorkerProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      "bin/bidwatch.js",
      "worker",
      "--redis",
      redisUrl,
      "--queue-prefix",
      prefix,
      "--queues",
      "partition",
      "--threads",
      "1",
    ],
    { cwd: ROOT, env: { ...process.env, TZ: "Asia/Shanghai" }, stdio: ["ignore", "ignore", "pipe"] },
  );
  let log = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const pid = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${log}`)), 30_000);
    child.stderr?.on("data", (d: Buffer) => {
      log += d.toString();
      const running = /workers running .*pid=(\d+)/.exec(log);
      if (running) {
        clearTimeout(timer);
        resolve(Number(running[1]));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}:\n${log}`));
    });
  });
  return {
    pid,
    log: () => log,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** Equal rows, except that numbers that are not integers may differ by a relative 1e-9. */
function expectRowsClose(actual: readonly Row[], expected: readonly Row[], table: string): void {
  expect(actual.length, table).toBe(expected.length);
  const close = (a: unknown, b: unknown): boolean => {
    if (typeof a === "number" && typeof b === "number" && !(Number.isInteger(a) && Number.isInteger(b)))
      return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
    if (Array.isArray(a) && Array.isArray(b))
      return a.length === b.length && a.every((x, i) => close(x, b[i]));
    return Object.is(a, b);
  };
  for (const [i, row] of actual.entries()) {
    const want = expected[i] as Row;
    expect(Object.keys(row), table).toEqual(Object.keys(want));
    const off = Object.keys(row).filter((k) => !close(row[k], want[k]));
    expect(off, `${table} row ${i}: ${off.map((k) => `${k} ${row[k]} vs ${want[k]}`).join(", ")}`).toEqual(
      [],
    );
  }
}

/** Partition key (region × month, as the coordinator assigns it) of every tender in a run's database. */
async function partitionKeys(db: Db): Promise<Map<string, string>> {
  const rows = await db.all<{ tender_id: string; key: string }>(
    `SELECT tender_id, CASE WHEN region IS NOT NULL AND published_at IS NOT NULL
       THEN region || '/' || strftime(published_at, '%Y-%m') ELSE '_' END AS key FROM tenders`,
  );
  return new Map(rows.map((r) => [r.tender_id, r.key]));
}

describe("partitioned run (two worker processes, real Redis)", () => {
  it("writes the same alerts and tender risk as the single-process run, cross-partition rings included", async () => {
    const single = await Db.open(join(dir, "single.duckdb"));
    const parted = await Db.open(join(dir, "partitioned.duckdb"));
    const prefix = newPrefix();
    const workers: WorkerProcess[] = [];
    try {
      // The workers start while the single-process run goes.
      const starting = Promise.all([startWorker(prefix), startWorker(prefix)]).then((w) =>
        workers.push(...w),
      );
      await runPipeline(
        { inputs: [join(dir, "in")], outDir: join(dir, "out-single") },
        { db: single, clock, logger: quiet },
      );
      await starting;

      // Preconditions: several partitions, and a planted ring whose tenders lie in several of them.
      const keys = await partitionKeys(single);
      const nKeys = new Set(keys.values()).size;
      expect(nKeys).toBeGreaterThanOrEqual(4);
      const spans = truth.rings.map((r) => ({ ring: r, parts: new Set(r.tenders.map((t) => keys.get(t))) }));
      const cross = [...spans].sort((a, b) => b.parts.size - a.parts.size)[0];
      expect(cross?.parts.size).toBeGreaterThanOrEqual(3);
      expect([...(cross?.parts ?? [])].every((k) => k !== undefined)).toBe(true);

      const result = await runPartitioned(
        { inputs: [join(dir, "in")], outDir: join(dir, "out-partitioned") },
        { redisUrl, prefix, workDir: join(dir, "work"), timeoutSeconds: 120 },
        { db: parted, clock, logger: quiet },
      );

      // Same outputs, byte for byte: ids, ranks, scores, evidence, screens.
      for (const file of ["alerts.json", "tender_risk.csv"]) {
        expect(await readFile(join(dir, "out-partitioned", file), "utf8")).toBe(
          await readFile(join(dir, "out-single", file), "utf8"),
        );
      }
      const alerts = JSON.parse(
        await readFile(join(dir, "out-partitioned", "alerts.json"), "utf8"),
      ) as Alert[];
      expect(alerts.length).toBeGreaterThan(0);
      expect(result.alerts).toEqual(
        JSON.parse(await readFile(join(dir, "out-single", "alerts.json"), "utf8")) as Alert[],
      );

      // One job per partition, each done by one of the two worker processes, and both did some.
      const parts = result.partitions.partitions;
      expect(parts.map((p) => p.key)).toEqual([...new Set(keys.values())].sort());
      const pids = new Set(parts.map((p) => Number(p.worker.split(":").pop())));
      expect(pids).toEqual(new Set(workers.map((w) => w.pid)));
      for (const w of workers) expect(parts.some((p) => p.worker.endsWith(`:${w.pid}`))).toBe(true);
      expect(parts.reduce((s, p) => s + p.bids, 0)).toBe(truth.bids);

      // The ring spanning most partitions is an alert of both runs, with its tenders from several partitions.
      const ring = cross?.ring;
      for (const out of ["out-single", "out-partitioned"]) {
        const list = JSON.parse(await readFile(join(dir, out, "alerts.json"), "utf8")) as Alert[];
        const found = list.find((a) => a.kind === "ring" && ring?.firms.every((f) => a.firms.includes(f)));
        expect(found, `${out}: ring ${ring?.ring_id}`).toBeDefined();
        const foundParts = new Set(
          found?.tenders.filter((t) => ring?.tenders.includes(t)).map((t) => keys.get(t)),
        );
        expect(foundParts.size).toBeGreaterThanOrEqual(2);
      }

      // The merged tender-local tables are the single run's: the same column types, and the same rows up to
      // the last bits of screens summed in another order (the worker sums a tender's bids in slice order on one
      // thread; outputs round them to 6–8 decimals).
      for (const table of TENDER_LOCAL_TABLES) {
        const describe = (db: Db) =>
          db.all(`SELECT column_name, column_type FROM (DESCRIBE ${table}) ORDER BY column_name`);
        expect(await describe(parted), table).toEqual(await describe(single));
        const rows = (db: Db) => db.all(`SELECT * FROM ${table} ORDER BY ALL`);
        expectRowsClose(await rows(parted), await rows(single), table);
      }

      // The work folder is cleared after success; partitions.json records who did what.
      await expect(access(join(dir, "work", result.partitions.run_id))).rejects.toThrow();
      const written = JSON.parse(await readFile(join(dir, "out-partitioned", "partitions.json"), "utf8"));
      expect(written.partitions).toHaveLength(parts.length);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      single.close();
      parted.close();
    }
  });

  it("fails naming the partition when a worker meets a corrupt slice", async () => {
    const db = await Db.open(join(dir, "failing.duckdb"));
    const prefix = newPrefix();
    const queue = new Queue<PartitionJobData, PartitionJobResult>(PARTITION_QUEUE, {
      connection: redis,
      prefix,
    });
    const workers: WorkerProcess[] = [];
    try {
      // The queue is paused: the workers listen, but take no job until the test has corrupted a slice.
      await queue.pause();
      workers.push(...(await Promise.all([startWorker(prefix), startWorker(prefix)])));
      const run = runPartitioned(
        { inputs: [join(dir, "in")], outDir: join(dir, "out-failing") },
        { redisUrl, prefix, workDir: join(dir, "work-failing"), runId: "corrupt-slice", timeoutSeconds: 120 },
        { db, clock, logger: quiet },
      ).then(
        () => undefined,
        (err: unknown) => err,
      );
      // (Jobs added to a paused queue wait in its `wait` list.)
      let waiting: Awaited<ReturnType<typeof queue.getJobs>> = [];
      for (let i = 0; i < 600 && waiting.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        waiting = await queue.getJobs(["waiting"]);
      }
      expect(waiting.length).toBeGreaterThanOrEqual(4);
      // Corrupt the bids slice of one partition, then let the two workers loose on the queue.
      const victim = [...waiting].sort((a, b) =>
        a.data.part < b.data.part ? -1 : 1,
      )[1] as (typeof waiting)[number];
      const file = victim.data.slice.bids[0]?.file as string;
      await writeFile(join(dir, "work-failing", "corrupt-slice", ...file.split("/")), "not a parquet file");
      await queue.resume();

      const err = await run;
      expect(err).toBeInstanceOf(BidwatchError);
      expect((err as BidwatchError).code).toBe("E_PARTITION_FAILED");
      const message = (err as Error).message;
      expect(message).toContain(
        `partition ${victim.data.key} (job corrupt-slice.${victim.data.part}) failed`,
      );
      expect(message).toMatch(
        /on worker [^ ]+:\d+: slice in\/bids\/part=\d+\/[^ ]+ does not match its checksum/,
      );
      // Failed without a second try (a corrupt slice stays corrupt), and no outputs were written.
      const failed = await queue.getJob(`corrupt-slice.${victim.data.part}`);
      expect(failed?.attemptsMade).toBe(1);
      await expect(access(join(dir, "out-failing", "alerts.json"))).rejects.toThrow();
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      await queue.close();
      db.close();
    }
  });

  it("handles tenders without region or publication time, tenders without bids and bids of unknown tenders", async () => {
    // A small export cut from the generated one, with the odd cases a platform's data has.
    const edge = join(dir, "edge");
    await mkdir(edge, { recursive: true });
    for (const f of ["firms.csv", "firm_people.csv", "sanctions.csv"])
      await copyFile(join(dir, "in", f), join(edge, f));
    const cut = await Db.open();
    const csv = (name: string) =>
      `read_csv('${join(dir, "in", name)}', all_varchar = true, header = true, delim = ',', quote = '"')`;
    await cut.exec(`CREATE TABLE t AS SELECT * FROM ${csv("tenders.csv")} WHERE published_at < '2025-03-01'`);
    await cut.exec(
      `CREATE TABLE b AS SELECT * FROM ${csv("bids.csv")} WHERE tender_id IN (SELECT tender_id FROM t)`,
    );
    const ids = (await cut.all<{ tender_id: string }>("SELECT tender_id FROM t ORDER BY tender_id")).map(
      (r) => r.tender_id,
    );
    expect(ids.length).toBeGreaterThanOrEqual(6);
    await cut.exec("UPDATE t SET region = NULL WHERE tender_id IN ($1, $2)", [
      ids[0] as string,
      ids[1] as string,
    ]);
    await cut.exec("UPDATE t SET published_at = NULL WHERE tender_id = $1", [ids[2] as string]);
    // A tender without bids, alone in its partition; bids naming a tender the export does not list.
    await cut.exec(
      `INSERT INTO t SELECT * REPLACE ('T2025-NOBIDS' AS tender_id, '339999' AS region,
         '2024-12-01 09:00:00' AS published_at) FROM t WHERE tender_id = $1`,
      [ids[3] as string],
    );
    await cut.exec(
      `INSERT INTO b SELECT * REPLACE ('T2025-UNLISTED' AS tender_id, bid_id || '-U' AS bid_id)
       FROM b WHERE tender_id = $1`,
      [ids[4] as string],
    );
    await cut.exec(`COPY t TO '${join(edge, "tenders.csv")}' (HEADER, DELIMITER ',')`);
    await cut.exec(`COPY b TO '${join(edge, "bids.csv")}' (HEADER, DELIMITER ',')`);
    cut.close();

    const prefix = newPrefix();
    // A worker in this process: the same processor as `bidwatch worker`, on the real Redis.
    const stop = await startWorkers({
      db: join(dir, "never-opened.duckdb"),
      redisUrl,
      prefix,
      queues: ["partition"],
      partitionThreads: 1,
    });
    const single = await Db.open(join(dir, "edge-single.duckdb"));
    const parted = await Db.open(join(dir, "edge-partitioned.duckdb"));
    try {
      await runPipeline(
        { inputs: [edge], outDir: join(dir, "edge-single") },
        { db: single, clock, logger: quiet },
      );
      const result = await runPartitioned(
        { inputs: [edge], outDir: join(dir, "edge-partitioned") },
        { redisUrl, prefix, workDir: join(dir, "edge-work"), timeoutSeconds: 120 },
        { db: parted, clock, logger: quiet },
      );
      for (const file of ["alerts.json", "tender_risk.csv"]) {
        expect(await readFile(join(dir, "edge-partitioned", file), "utf8")).toBe(
          await readFile(join(dir, "edge-single", file), "utf8"),
        );
      }
      const byKey = new Map(result.partitions.partitions.map((p) => [p.key, p]));
      // No region, no publication time, or a tender only bids name (derived, without region): partition `_`.
      expect(byKey.get("_")).toMatchObject({ tenders: 4 });
      expect(byKey.get("339999/2024-12")).toMatchObject({ tenders: 1, bids: 0 });
      expect(result.partitions.partitions.reduce((s, p) => s + p.bids, 0)).toBe(
        (await single.one<{ n: number }>("SELECT count(*)::INTEGER AS n FROM bids"))?.n,
      );
      for (const table of TENDER_LOCAL_TABLES) {
        const rows = (db: Db) => db.all(`SELECT * FROM ${table} ORDER BY ALL`);
        expectRowsClose(await rows(parted), await rows(single), table);
      }
      await expect(access(join(dir, "never-opened.duckdb"))).rejects.toThrow();
    } finally {
      await stop();
      single.close();
      parted.close();
    }
  });

  it("a worker refuses jobs computed with other feature SQL, or whose files lie outside the run's folder", async () => {
    const job: PartitionJobData = {
      run_id: "run-x",
      key: "330102/2025-01",
      part: "00001",
      work_dir: join(dir, "nowhere"),
      slice: {
        tenders: [{ file: "in/tenders/part=00001/data_0.parquet", sha256: "0", bytes: 1 }],
        bids: [{ file: "in/bids/part=00001/data_0.parquet", sha256: "0", bytes: 1 }],
      },
      rows: { tenders: 1, bids: 1 },
      settings: { pricePattern: { tolerance: 0.02, maxSpan: 0.1, minTenders: 2 } },
      sql_digest: "an older version",
    };
    const refused = (data: PartitionJobData) =>
      processPartition(data).then(
        () => undefined,
        (e: unknown) => e,
      );
    const skew = await refused(job);
    expect(skew).toBeInstanceOf(UnrecoverableError);
    expect((skew as Error).message).toMatch(
      /^partition 330102\/2025-01 \(part 00001\) on worker .+: this worker's feature SQL differs/,
    );
    const outside = await refused({
      ...job,
      sql_digest: featureSqlDigest(),
      slice: {
        ...job.slice,
        bids: [{ file: "in/bids/part=00001/../../../../etc/passwd.parquet", sha256: "0", bytes: 1 }],
      },
    });
    expect(outside).toBeInstanceOf(UnrecoverableError);
    expect((outside as Error).message).toContain("malformed partition job: slice file");
    // A slice the worker cannot see (work folder not shared): an ordinary error, so another worker may try.
    const unseen = await refused({ ...job, sql_digest: featureSqlDigest() });
    expect(unseen).not.toBeInstanceOf(UnrecoverableError);
    expect((unseen as Error).message).toContain("cannot read slice");
  });
});
