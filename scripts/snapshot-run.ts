/**
 * Runs the nightly pipeline on an export with the clock fixed, into a fresh temp database, and writes its
 * outputs to a folder: `node --import tsx scripts/snapshot-run.ts <input> <out>`. Two snapshots of the same
 * input taken before and after a change must be identical (`diff -r`) apart from run_summary.json's
 * timings, which this script blanks. Used to check that performance work changes nothing users see.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runPipeline } from "../pipelines/run.ts";
import { Db } from "../src/db/duckdb.ts";

process.env.TZ = "Asia/Shanghai";
const [input, out] = process.argv.slice(2);
if (!input || !out) throw new Error("usage: snapshot-run.ts <input> <out>");
const dir = await mkdtemp(join(tmpdir(), "bw-snap-"));
const db = await Db.open(join(dir, "db.duckdb"));
const at = new Date("2026-01-15T01:00:00Z");
try {
  await runPipeline(
    { inputs: [input], outDir: out },
    { db, clock: { now: () => at }, logger: { info: () => {}, warn: () => {} } },
  );
} finally {
  db.close();
  await rm(dir, { recursive: true, force: true });
}
const summaryPath = join(out, "run_summary.json");
const summary = JSON.parse(await readFile(summaryPath, "utf8"));
for (const stage of Object.values(summary.stages ?? {})) (stage as { seconds: number }).seconds = 0;
await writeFile(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
