import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import { Db } from "../../src/db/duckdb.ts";
import { initDb } from "../../src/db/init.ts";

/** A fresh in-memory database with bidwatch's schema. */
export async function memoryDb(): Promise<Db> {
  const db = await Db.open(":memory:");
  await initDb(db);
  return db;
}

/** A fresh temp folder, removed by the returned cleanup. */
export async function tempDir(
  prefix = "bidwatch-test-",
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Registers, for each test of the calling file, a fresh in-memory database and temp folder (closed and
 * removed after the test). Read them as `ctx.db` and `ctx.dir` inside tests.
 */
export function perTestDbAndDir(): { readonly db: Db; readonly dir: string } {
  const ctx = {} as { db: Db; dir: string; cleanup: () => Promise<void> };
  beforeEach(async () => {
    ctx.db = await memoryDb();
    ({ dir: ctx.dir, cleanup: ctx.cleanup } = await tempDir());
  });
  afterEach(async () => {
    ctx.db.close();
    await ctx.cleanup();
  });
  return ctx;
}
