import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Db } from "../../src/db/duckdb.ts";
import { allSettledOrThrow } from "../../src/domain/settled.ts";
import { tempDir } from "../helpers/db.ts";

describe("Db.connect: a second connection to the same database", () => {
  let cleanup: () => Promise<void>;
  let db: Db;
  beforeEach(async () => {
    const t = await tempDir("bw-connect-");
    cleanup = t.cleanup;
    db = await Db.open(join(t.dir, "db.duckdb"));
  });
  afterEach(async () => {
    db.close();
    await cleanup();
  });

  it("sees stored tables, not the first connection's temp tables, and interprets local times in Asia/Shanghai", async () => {
    await db.exec("CREATE TABLE t AS SELECT 1 AS x; CREATE TEMP TABLE only_here AS SELECT 2 AS y");
    const sibling = await db.connect();
    try {
      expect(await sibling.one("SELECT x FROM t")).toEqual({ x: 1 });
      await expect(sibling.one("SELECT y FROM only_here")).rejects.toThrow(/only_here/);
      const zone = await sibling.one<{ z: string }>("SELECT current_setting('TimeZone') AS z");
      expect(zone?.z).toBe("Asia/Shanghai");
      // A table it stores is visible to the first connection.
      await sibling.exec("CREATE TABLE u AS SELECT 3 AS z");
      expect(await db.one("SELECT z FROM u")).toEqual({ z: 3 });
    } finally {
      sibling.close();
    }
    // Closing the sibling leaves the database open.
    expect(await db.one("SELECT x FROM t")).toEqual({ x: 1 });
  });

  it("runs queries at the same time as the first connection", async () => {
    const sibling = await db.connect();
    try {
      const [a, b] = await Promise.all([
        db.one<{ n: number }>("SELECT count(*)::INTEGER AS n FROM range(2000000) r(i) WHERE i % 7 = 0"),
        sibling.one<{ n: number }>("SELECT count(*)::INTEGER AS n FROM range(2000000) r(i) WHERE i % 11 = 0"),
      ]);
      expect(a?.n).toBe(285715);
      expect(b?.n).toBe(181819);
    } finally {
      sibling.close();
    }
  });
});

describe("allSettledOrThrow", () => {
  it("returns every value in argument order", async () => {
    const slow = new Promise<string>((r) => setTimeout(() => r("slow"), 20));
    expect(await allSettledOrThrow([slow, Promise.resolve(2)] as const)).toEqual(["slow", 2]);
  });

  it("throws the first rejection only after the other work has finished", async () => {
    let finished = false;
    const slow = new Promise<void>((r) =>
      setTimeout(() => {
        finished = true;
        r();
      }, 30),
    );
    await expect(
      allSettledOrThrow([
        slow,
        Promise.reject(new Error("first")),
        Promise.reject(new Error("second")),
      ] as const),
    ).rejects.toThrow("first");
    expect(finished).toBe(true);
  });
});
