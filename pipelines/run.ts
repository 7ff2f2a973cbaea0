/**
 * The nightly job: ingest → features → detectors → alerts → outputs (contract §2).
 * Effects (database, clock, logger, output folder) come in from the caller.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { buildAlerts } from "../src/alerts/build.ts";
import {
  readBidCounts,
  readFirmNames,
  readTableCounts,
  readTenderValues,
  writeAlerts,
  writeRejects,
  writeTenderRisk,
} from "../src/alerts/outputs.ts";
import { tenderRisk } from "../src/alerts/tender-risk.ts";
import type { Db } from "../src/db/duckdb.ts";
import { initDb } from "../src/db/init.ts";
import { runDetectors } from "../src/detectors/index.ts";
import { computeSharedValues, readSharedValues } from "../src/features/identity.ts";
import { type FileReport, ingest } from "../src/ingest/index.ts";
import type { FirmIdMode } from "../src/ingest/normalise.ts";
import type { Alert, Clock, Logger } from "../src/types.ts";

export interface RunOptions {
  readonly inputs: readonly string[];
  readonly outDir: string;
  readonly firmIds?: FirmIdMode;
}

export interface RunEffects {
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface RunSummary {
  readonly started_at: string;
  readonly finished_at: string;
  readonly files: readonly Omit<FileReport, "path">[];
  readonly totals: { read: number; loaded: number; updated: number; rejected: number; duplicates: number };
  readonly tables: Record<string, number>;
  readonly stages: Record<string, { seconds: number; [k: string]: number }>;
  readonly alerts: {
    total: number;
    by_kind: Record<string, number>;
    by_channel: Record<string, number>;
    by_rule: Record<string, number>;
  };
  readonly rejects: number;
  readonly warnings: readonly string[];
}

export interface RunResult {
  readonly summary: RunSummary;
  readonly alerts: readonly Alert[];
}

export async function runPipeline(options: RunOptions, fx: RunEffects): Promise<RunResult> {
  const { db, clock, logger } = fx;
  const startedAt = clock.now();
  const stages: Record<string, { seconds: number; [k: string]: number }> = {};
  const timed = async <T>(name: string, fn: () => Promise<T>, counts?: (r: T) => Record<string, number>) => {
    const t0 = performance.now();
    const r = await fn();
    const seconds = Math.round(performance.now() - t0) / 1000;
    stages[name] = { seconds, ...(counts ? counts(r) : {}) };
    logger.info(`stage ${name} done`, { seconds, ...(counts ? counts(r) : {}) });
    return r;
  };

  await initDb(db);
  const files = await timed(
    "ingest",
    () => ingest(db, options.inputs, { firmIds: options.firmIds ?? "uscc", now: () => clock.now() }),
    (r) => ({
      files: r.length,
      loaded: r.reduce((s, f) => s + f.loaded, 0),
      rejected: r.reduce((s, f) => s + f.rejected, 0),
    }),
  );

  const features = await timed(
    "features",
    async () => {
      await computeSharedValues(db);
      return { sharedValues: await readSharedValues(db) };
    },
    (f) => ({ shared_values: f.sharedValues.length }),
  );

  const findings = await timed(
    "detectors",
    async () => runDetectors(features),
    (f) => ({ findings: f.length }),
  );

  const { alerts, risks } = await timed(
    "alerts",
    async () => {
      const ctx = { tenderValue: await readTenderValues(db), firmNames: await readFirmNames(db) };
      return { alerts: buildAlerts(findings, ctx), risks: tenderRisk([...ctx.tenderValue.keys()], findings) };
    },
    (r) => ({ alerts: r.alerts.length }),
  );

  const summary = await timed("outputs", async () => {
    await mkdir(options.outDir, { recursive: true });
    await writeAlerts(options.outDir, alerts);
    await writeTenderRisk(options.outDir, risks, await readBidCounts(db), { names: [], values: new Map() });
    const rejects = await writeRejects(
      db,
      options.outDir,
      files.map((f) => f.file_id),
    );
    const summary: RunSummary = {
      started_at: startedAt.toISOString(),
      finished_at: clock.now().toISOString(),
      files: files.map(({ path: _path, ...f }) => f),
      totals: {
        read: sum(files, (f) => f.read),
        loaded: sum(files, (f) => f.loaded),
        updated: sum(files, (f) => f.updated),
        rejected: sum(files, (f) => f.rejected),
        duplicates: sum(files, (f) => f.duplicates),
      },
      tables: await readTableCounts(db),
      stages,
      alerts: {
        total: alerts.length,
        by_kind: tally(alerts.map((a) => a.kind)),
        by_channel: tally(alerts.flatMap((a) => a.channels)),
        by_rule: tally(findings.map((f) => f.rule)),
      },
      rejects,
      warnings: [],
    };
    return summary;
  });
  await writeFile(join(options.outDir, "run_summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
  return { summary, alerts };
}

function sum<T>(xs: readonly T[], f: (x: T) => number): number {
  return xs.reduce((s, x) => s + f(x), 0);
}

function tally(xs: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of [...xs].sort()) out[x] = (out[x] ?? 0) + 1;
  return out;
}
