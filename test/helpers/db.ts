import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
