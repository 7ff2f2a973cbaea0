/**
 * The benchmark (issue 5): generates (and caches) synthetic exports of about 100k, 1M and optionally 10M
 * bids, then for each size measures, in this process and each in a fresh temp-file DuckDB:
 *   - the bare load: DuckDB reading every file of the export into a table (CREATE TABLE … AS SELECT * FROM
 *     read_csv(…)), the physical floor on this machine;
 *   - the full nightly pipeline (runPipeline) on the same files;
 * with per-stage seconds, CPU seconds, rows per second and peak RSS. The headline is the ratio pipeline /
 * bare load, which carries across machines better than absolute times. Results go to stdout and to
 * docs/performance.md. Effects (clock, logger, progress, generator) come in from the caller.
 */
import { spawn } from "node:child_process";
import { createReadStream, existsSync } from "node:fs";
import { mkdir, mkdtemp, open, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { arch, cpus, platform, release, tmpdir, totalmem } from "node:os";
import { basename, dirname, extname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { getHeapStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { type Command, InvalidArgumentError } from "commander";
import { Db, ident } from "../src/db/duckdb.ts";
import { BidwatchError } from "../src/errors.ts";
import { noProgress, type Progress, terminalProgress } from "../src/progress.ts";
import type { Clock, Logger } from "../src/types.ts";
import { runPipeline } from "./run.ts";

/** Bids per tender in generated exports (≈ 8.8), so `tenders = round(bids × TENDERS_PER_BID)`. */
export const TENDERS_PER_BID = 0.114;
export const DEFAULT_SIZES = [100_000, 1_000_000] as const;
export const TEN_MILLION = 10_000_000;
/**
 * Measurements per size below 10M bids: bare load and pipeline alternate this many times and the median run
 * of each is reported. One run of each swings by ±15 % on a shared 2-core machine (the same code measured
 * 27–35 s at 1M), and the bare load, the ratio's denominator, by as much (3.4–5.0 s).
 */
export const DEFAULT_REPEATS = 3;

/** Targets of issue 5, checked (not enforced) by the benchmark. */
export const TARGETS = {
  /** 1M bids end to end ≤ this multiple of the bare DuckDB load. */
  maxRatio: 4,
  /** Peak RSS at 1M bids, bytes. */
  maxRssBytes: 3 * 1024 ** 3,
  /** 100k → 1M: pipeline seconds grow by at most about this factor. */
  maxGrowth: 12,
} as const;

export interface BenchOptions {
  /** Export sizes in bids (approximate: the generator draws bids per tender). */
  readonly sizes: readonly number[];
  readonly seed: number;
  /** Where generated exports are kept between runs (keyed by size and seed). */
  readonly cacheDir: string;
  /** Markdown file for the figures; none written when undefined. */
  readonly outFile?: string;
  /** Where the temporary databases go (default: the OS temp folder). */
  readonly workDir?: string;
  /** DuckDB settings for both measurements (default: DuckDB's own). */
  readonly threads?: number;
  readonly memoryLimit?: string;
  /** Runs of each measurement per size below 10M bids (default DEFAULT_REPEATS); 10M runs once. */
  readonly repeats?: number;
}

/** Writes an export of `tenders` tenders with `seed` into `outDir`. */
export type GenerateFn = (tenders: number, seed: number, outDir: string) => Promise<void>;

export interface BenchEffects {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly progress?: Progress;
  /** How exports are generated (default: `bidwatch generate` in a child process, so its memory is not ours). */
  readonly generate?: GenerateFn;
}

export interface Peak {
  /** Highest RSS seen by sampling during the measurement, bytes. */
  readonly sampledRss: number;
}

export interface SizeResult {
  readonly label: string;
  readonly targetBids: number;
  readonly tenders: number;
  readonly bids: number;
  readonly inputBytes: number;
  readonly generate: { readonly cached: boolean; readonly seconds: number };
  readonly bare: {
    readonly seconds: number;
    readonly cpuSeconds: number;
    readonly rows: number;
    readonly files: Record<string, number>;
    readonly peak: Peak;
  };
  readonly pipeline: {
    readonly seconds: number;
    readonly cpuSeconds: number;
    readonly stages: Record<string, number>;
    readonly alerts: number;
    readonly peak: Peak;
  };
  /** Seconds of every run in run order (bare load and pipeline alternate); the median run is reported above. */
  readonly runs: {
    readonly bare: readonly number[];
    readonly pipeline: readonly number[];
    /** Sampled peak RSS of each pipeline run, bytes. */
    readonly pipelinePeakRss: readonly number[];
  };
  /** pipeline seconds / bare seconds, of the median runs. */
  readonly ratio: number;
  /** Bids per second through the whole pipeline. */
  readonly bidsPerSecond: number;
  /** Process-lifetime maximum RSS after this size (process.resourceUsage().maxRSS), bytes. */
  readonly maxRss: number;
}

export interface Machine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryBytes: number;
  readonly platform: string;
  readonly node: string;
  readonly duckdb: string;
  /** V8's heap limit in this process (bin/bidwatch.js raises it to half the machine's memory). */
  readonly heapLimitBytes: number;
  /** DuckDB's memory_limit setting as DuckDB reports it. */
  readonly duckdbMemoryLimit: string;
}

export interface BenchReport {
  readonly date: string;
  readonly machine: Machine;
  readonly seed: number;
  readonly results: readonly SizeResult[];
  /** Pipeline seconds at the larger of 100k/1M over the smaller, with the bids ratio beside it. */
  readonly growth?: {
    readonly from: string;
    readonly to: string;
    readonly seconds: number;
    readonly bids: number;
  };
}

// ---------------------------------------------------------------------------------------------------------
// Sizes

/** "100k,1m,10m" → [100000, 1000000, 10000000]. Accepts plain integers and k/m suffixes. */
export function parseSizes(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(",")) {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([km]?)\s*$/i.exec(part);
    const unit = m?.[2]?.toLowerCase();
    const n = m ? Math.round(Number(m[1]) * (unit === "k" ? 1e3 : unit === "m" ? 1e6 : 1)) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < 100) {
      throw new BidwatchError(
        "E_USAGE",
        `bench: size "${part.trim()}" is not a number of bids ≥ 100 (e.g. 100k, 1m)`,
      );
    }
    out.push(n);
  }
  return [...new Set(out)].sort((a, b) => a - b);
}

/** 100000 → "100k", 1000000 → "1M", 2500 → "2.5k". */
export function sizeLabel(bids: number): string {
  if (bids >= 1e6) return `${+(bids / 1e6).toFixed(2)}M`;
  if (bids >= 1e3) return `${+(bids / 1e3).toFixed(2)}k`;
  return String(bids);
}

// ---------------------------------------------------------------------------------------------------------
// Measuring

/** Samples RSS on an interval (long synchronous work delays samples; maxRSS covers what sampling misses). */
export class RssSampler {
  private peak = 0;
  private readonly timer: ReturnType<typeof setInterval>;
  constructor(intervalMs = 50) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref?.();
  }
  sample(): void {
    this.peak = Math.max(this.peak, process.memoryUsage.rss());
  }
  stop(): Peak {
    clearInterval(this.timer);
    this.sample();
    return { sampledRss: this.peak };
  }
}

/**
 * V8's full garbage collection, as `--expose-gc` would give it. Each measurement starts from a collected
 * heap: with the CLI's large heap limit V8 otherwise carries one run's garbage into the next. Repeated 1M
 * runs in one process took 25.7, 27.9 and 30.3 s (peaks 1.7, 2.2 and 3.0 GB); collected between runs, four
 * took 27.7, 27.1, 26.8 and 26.5 s. Peaks still grow with collection (memory the allocators keep), hence the
 * first run's peak is the one reported.
 */
const collectGarbage: () => void = (() => {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
})();

interface Measured<T> {
  readonly value: T;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly peak: Peak;
}

/** The run with the median seconds (of an even number, the slower of the middle two). */
export function medianRun<T extends { readonly seconds: number }>(runs: readonly T[]): T {
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
  const m = sorted[Math.floor(sorted.length / 2)];
  if (!m) throw new BidwatchError("E_BENCH", "bench: no runs measured");
  return m;
}

async function measure<T>(fn: () => Promise<T>): Promise<Measured<T>> {
  collectGarbage();
  const sampler = new RssSampler();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    const value = await fn();
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    return { value, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, peak: sampler.stop() };
  } catch (err) {
    sampler.stop();
    throw err;
  }
}

async function withTempDb<T>(
  workDir: string,
  options: BenchOptions,
  fn: (db: Db, dir: string) => Promise<T>,
): Promise<T> {
  await mkdir(workDir, { recursive: true });
  const dir = await mkdtemp(join(workDir, "bidwatch-bench-"));
  const db = await Db.open(join(dir, "bench.duckdb"), {
    ...(options.threads ? { threads: options.threads } : {}),
    ...(options.memoryLimit ? { memoryLimit: options.memoryLimit } : {}),
  });
  try {
    return await fn(db, dir);
  } finally {
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The export's data files (what `bidwatch run` reads from the folder). */
async function exportFiles(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => extname(n) === ".csv" && !n.startsWith("_")).sort();
  return names.map((n) => join(dir, n));
}

/** Reads the files once so that neither measurement pays for a cold page cache. */
async function warm(files: readonly string[]): Promise<number> {
  let bytes = 0;
  for (const f of files) {
    for await (const chunk of createReadStream(f, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      bytes += chunk.length;
    }
  }
  return bytes;
}

/** DuckDB alone: every file into a table of its own, in one fresh database. */
async function bareLoad(
  db: Db,
  files: readonly string[],
): Promise<{ rows: number; files: Record<string, number> }> {
  const perFile: Record<string, number> = {};
  let rows = 0;
  for (const f of files) {
    const t0 = performance.now();
    const table = basename(f, extname(f));
    await db.exec(`CREATE TABLE ${ident(table)} AS SELECT * FROM read_csv($path)`, { path: f });
    perFile[table] = round3((performance.now() - t0) / 1000);
    rows += (await db.one<{ n: number }>(`SELECT count(*) AS n FROM ${ident(table)}`))?.n ?? 0;
  }
  return { rows, files: perFile };
}

// ---------------------------------------------------------------------------------------------------------
// Exports (cached)

interface CacheMarker {
  readonly tenders: number;
  readonly seed: number;
  readonly bids: number;
  readonly generator_seconds: number;
}

const MARKER = "_bench.json";

/** `bidwatch generate` in a child process. */
export const generateInChild: GenerateFn = async (tenders, seed, outDir) => {
  const bin = fileURLToPath(new URL("../bin/bidwatch.js", import.meta.url));
  const args = [bin, "generate", "--tenders", String(tenders), "--seed", String(seed), "--out", outDir];
  await new Promise<void>((done, fail) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => {
      err = (err + d.toString("utf8")).slice(-4000);
    });
    child.on("error", fail);
    child.on("exit", (code) =>
      code === 0
        ? done()
        : fail(new BidwatchError("E_BENCH", `bench: bidwatch generate exited with ${code}: ${err.trim()}`)),
    );
  });
};

/** Bids in a generated export: from the head of _truth.json, else by counting lines of bids.csv. */
async function countBids(dir: string): Promise<number> {
  const truth = join(dir, "_truth.json");
  if (existsSync(truth)) {
    const fh = await open(truth, "r");
    try {
      const { buffer, bytesRead } = await fh.read(Buffer.alloc(4096), 0, 4096, 0);
      const m = /"bids":\s*(\d+)/.exec(buffer.subarray(0, bytesRead).toString("utf8"));
      if (m?.[1]) return Number(m[1]);
    } finally {
      await fh.close();
    }
  }
  let lines = 0;
  for await (const chunk of createReadStream(join(dir, "bids.csv")) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  }
  return Math.max(0, lines - 1);
}

async function ensureExport(
  cacheDir: string,
  targetBids: number,
  seed: number,
  generate: GenerateFn,
  logger: Logger,
): Promise<{ dir: string; marker: CacheMarker; cached: boolean }> {
  const tenders = Math.max(1, Math.round(targetBids * TENDERS_PER_BID));
  const dir = resolve(cacheDir, `bids-${sizeLabel(targetBids).toLowerCase()}-t${tenders}-seed${seed}`);
  const markerPath = join(dir, MARKER);
  if (existsSync(markerPath)) {
    const marker = JSON.parse(await readFile(markerPath, "utf8")) as CacheMarker;
    if (marker.tenders === tenders && marker.seed === seed) return { dir, marker, cached: true };
  }
  logger.info("bench: generating export", { bids: targetBids, tenders, seed, dir });
  const partial = `${dir}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(dirname(dir), { recursive: true });
  const t0 = performance.now();
  await generate(tenders, seed, partial);
  const seconds = round3((performance.now() - t0) / 1000);
  const marker: CacheMarker = { tenders, seed, bids: await countBids(partial), generator_seconds: seconds };
  await writeFile(join(partial, MARKER), `${JSON.stringify(marker, null, 2)}\n`);
  await rm(dir, { recursive: true, force: true });
  await rename(partial, dir);
  return { dir, marker, cached: false };
}

// ---------------------------------------------------------------------------------------------------------
// The run

/** The pipeline's stage lines (so a long size shows where it is), nothing else. */
function stagesOnly(logger: Logger, size: string): Logger {
  return {
    info: (msg, fields) => {
      if (msg.startsWith("stage ")) logger.info(`bench: ${size} ${msg}`, fields);
    },
    warn: () => {},
  };
}

export async function machineInfo(): Promise<Machine> {
  const db = await Db.open();
  try {
    const v = await db.one<{ v: string }>("SELECT version() AS v");
    const limit = await db.one<{ l: string }>("SELECT current_setting('memory_limit') AS l");
    const list = cpus();
    return {
      cpus: list.length,
      cpuModel: list[0]?.model.trim() ?? "unknown",
      memoryBytes: totalmem(),
      platform: `${platform()} ${release()} ${arch()}`,
      node: process.version,
      duckdb: v?.v ?? "unknown",
      heapLimitBytes: getHeapStatistics().heap_size_limit,
      duckdbMemoryLimit: limit?.l ?? "unknown",
    };
  } finally {
    db.close();
  }
}

export async function runBench(options: BenchOptions, fx: BenchEffects): Promise<BenchReport> {
  const progress = fx.progress ?? noProgress;
  const generate = fx.generate ?? generateInChild;
  const workDir = options.workDir ?? tmpdir();
  const results: SizeResult[] = [];
  const machine = await machineInfo();
  for (const targetBids of options.sizes) {
    const label = sizeLabel(targetBids);
    const n = targetBids >= TEN_MILLION ? 1 : Math.max(1, options.repeats ?? DEFAULT_REPEATS);
    const task = progress.start(`bench ${label}`, 1 + 2 * n);
    try {
      task.update(0, "export");
      const exp = await ensureExport(options.cacheDir, targetBids, options.seed, generate, fx.logger);
      const files = await exportFiles(exp.dir);
      const inputBytes = await warm(files);

      const bares: Measured<Awaited<ReturnType<typeof bareLoad>>>[] = [];
      const runs: Measured<Awaited<ReturnType<typeof runPipeline>>>[] = [];
      for (let i = 0; i < n; i++) {
        const of = n > 1 ? ` ${i + 1}/${n}` : "";
        task.update(1 + 2 * i, `bare DuckDB load${of}`);
        const b = await withTempDb(workDir, options, (db) => measure(() => bareLoad(db, files)));
        bares.push(b);
        fx.logger.info("bench: bare load", { size: label, run: i + 1, seconds: round3(b.seconds) });
        task.update(2 + 2 * i, `pipeline${of}`);
        const r = await withTempDb(workDir, options, (db, dir) =>
          measure(() =>
            runPipeline(
              { inputs: [exp.dir], outDir: join(dir, "out") },
              { db, clock: fx.clock, logger: stagesOnly(fx.logger, label) },
            ),
          ),
        );
        runs.push(r);
        fx.logger.info("bench: pipeline run", {
          size: label,
          run: i + 1,
          seconds: round3(r.seconds),
          peak_rss_mb: Math.round(r.peak.sampledRss / 2 ** 20),
        });
      }
      task.update(1 + 2 * n);
      // Peak RSS is the first run's: later runs in this process start with what the allocators kept of the
      // runs before them (collected or not, repeated 1M runs peaked 1.9, 2.2 and 2.5 GB).
      const bare = { ...medianRun(bares), peak: (bares[0] as (typeof bares)[number]).peak };
      const run = { ...medianRun(runs), peak: (runs[0] as (typeof runs)[number]).peak };
      const stages = Object.fromEntries(
        Object.entries(run.value.summary.stages).map(([k, v]) => [k, round3(v.seconds)]),
      );
      const result: SizeResult = {
        label,
        targetBids,
        tenders: exp.marker.tenders,
        bids: exp.marker.bids,
        inputBytes,
        generate: { cached: exp.cached, seconds: exp.marker.generator_seconds },
        bare: {
          seconds: round3(bare.seconds),
          cpuSeconds: round3(bare.cpuSeconds),
          rows: bare.value.rows,
          files: bare.value.files,
          peak: bare.peak,
        },
        pipeline: {
          seconds: round3(run.seconds),
          cpuSeconds: round3(run.cpuSeconds),
          stages,
          alerts: run.value.summary.alerts.total,
          peak: run.peak,
        },
        runs: {
          bare: bares.map((b) => round3(b.seconds)),
          pipeline: runs.map((r) => round3(r.seconds)),
          pipelinePeakRss: runs.map((r) => r.peak.sampledRss),
        },
        ratio: round3(run.seconds / bare.seconds),
        bidsPerSecond: Math.round(exp.marker.bids / run.seconds),
        maxRss: process.resourceUsage().maxRSS * 1024,
      };
      fx.logger.info("bench: pipeline", {
        size: label,
        seconds: result.pipeline.seconds,
        ratio: result.ratio,
        peak_rss_mb: Math.round(result.pipeline.peak.sampledRss / 2 ** 20),
      });
      results.push(result);
    } finally {
      task.done();
    }
  }
  const report: BenchReport = {
    date: fx.clock.now().toISOString(),
    machine,
    seed: options.seed,
    results,
    ...growthOf(results),
  };
  if (options.outFile) await writeReport(report, options.outFile);
  return report;
}

function growthOf(results: readonly SizeResult[]): Pick<BenchReport, "growth"> {
  const a = results.find((r) => r.targetBids === 100_000);
  const b = results.find((r) => r.targetBids === 1_000_000);
  if (!a || !b) return {};
  return {
    growth: {
      from: a.label,
      to: b.label,
      seconds: round3(b.pipeline.seconds / a.pipeline.seconds),
      bids: round3(b.bids / a.bids),
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Reporting

const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20).toLocaleString("en-US")} MB`;
const secs = (s: number) => (s >= 100 ? s.toFixed(0) : s >= 10 ? s.toFixed(1) : s.toFixed(2));
const int = (n: number) => Math.round(n).toLocaleString("en-US");
/** "3 times (`--repeats`)" from the runs measured below 10M bids. */
const repeatsNote = (report: BenchReport) => {
  const n = Math.max(
    1,
    ...report.results.filter((r) => r.targetBids < TEN_MILLION).map((r) => r.runs.pipeline.length),
  );
  return `${n} time${n === 1 ? "" : "s"} (\`--repeats\`)`;
};
/** Each pipeline run's sampled peak RSS: "1,948, 2,232, 2,494 MB". */
const runPeaks = (r: SizeResult) =>
  `${r.runs.pipelinePeakRss.map((b) => Math.round(b / 2 ** 20).toLocaleString("en-US")).join(", ")} MB`;
/** Each run's pipeline seconds over the bare load measured just before it: "6.9×, 7.3×, 8.2×". */
const runRatios = (r: SizeResult) =>
  r.runs.pipeline.map((p, i) => `${(p / (r.runs.bare[i] ?? Number.NaN)).toFixed(1)}×`).join(", ");

/** Stage names in pipeline order, as they appear in the results. */
function stageNames(results: readonly SizeResult[]): string[] {
  const names: string[] = [];
  for (const r of results)
    for (const k of Object.keys(r.pipeline.stages)) if (!names.includes(k)) names.push(k);
  return names;
}

/** Pipeline seconds not in a timed stage (database set-up, run summary, report). */
function outsideStages(r: SizeResult): number {
  const staged = Object.values(r.pipeline.stages).reduce((a, b) => a + b, 0);
  return Math.max(0, r.pipeline.seconds - staged);
}

/** Whether each target is met, with the measured figure (only for sizes that were run). */
export function targetChecks(report: BenchReport): { target: string; measured: string; met: boolean }[] {
  const out: { target: string; measured: string; met: boolean }[] = [];
  const m1 = report.results.find((r) => r.targetBids === 1_000_000);
  if (m1) {
    out.push({
      target: `1M bids end to end ≤ ${TARGETS.maxRatio}× the bare DuckDB load`,
      measured: `${m1.ratio.toFixed(2)}× (${secs(m1.pipeline.seconds)} s vs ${secs(m1.bare.seconds)} s)`,
      met: m1.ratio <= TARGETS.maxRatio,
    });
    const peak = Math.max(m1.pipeline.peak.sampledRss, m1.bare.peak.sampledRss);
    out.push({
      target: `1M bids peak RSS ≤ ${mb(TARGETS.maxRssBytes)}`,
      measured: `${mb(peak)} sampled (process maxRSS ${mb(m1.maxRss)})`,
      met: peak <= TARGETS.maxRssBytes,
    });
  }
  if (report.growth) {
    out.push({
      target: `100k → 1M within ~${TARGETS.maxGrowth}×`,
      measured: `${report.growth.seconds.toFixed(2)}× for ${report.growth.bids.toFixed(2)}× the bids`,
      met: report.growth.seconds <= TARGETS.maxGrowth,
    });
  }
  const m10 = report.results.find((r) => r.targetBids === TEN_MILLION);
  if (m10) {
    out.push({
      target: "10M bids completes",
      measured: `${secs(m10.pipeline.seconds)} s, peak ${mb(m10.pipeline.peak.sampledRss)}`,
      met: true,
    });
  }
  return out;
}

/** The figures as a plain-text table (stdout). */
export function renderTable(report: BenchReport): string {
  const rs = report.results;
  const rows: string[][] = [
    ["", ...rs.map((r) => r.label)],
    ["bids", ...rs.map((r) => int(r.bids))],
    ["tenders", ...rs.map((r) => int(r.tenders))],
    ["input", ...rs.map((r) => mb(r.inputBytes))],
    ["bare DuckDB load (s)", ...rs.map((r) => secs(r.bare.seconds))],
    ["pipeline (s)", ...rs.map((r) => secs(r.pipeline.seconds))],
    ["ratio pipeline / bare", ...rs.map((r) => `${r.ratio.toFixed(2)}×`)],
    ["  ratio of each run", ...rs.map(runRatios)],
    ...stageNames(rs).map((s) => [
      `  ${s} (s)`,
      ...rs.map((r) => (s in r.pipeline.stages ? secs(r.pipeline.stages[s] ?? 0) : "–")),
    ]),
    ["  outside stages (s)", ...rs.map((r) => secs(outsideStages(r)))],
    ["pipeline CPU (s)", ...rs.map((r) => secs(r.pipeline.cpuSeconds))],
    ["bare CPU (s)", ...rs.map((r) => secs(r.bare.cpuSeconds))],
    ["bids / s", ...rs.map((r) => int(r.bidsPerSecond))],
    ["peak RSS pipeline (1st run)", ...rs.map((r) => mb(r.pipeline.peak.sampledRss))],
    ["  peak RSS of each run", ...rs.map(runPeaks)],
    ["peak RSS bare", ...rs.map((r) => mb(r.bare.peak.sampledRss))],
    ["process maxRSS", ...rs.map((r) => mb(r.maxRss))],
    ["alerts", ...rs.map((r) => int(r.pipeline.alerts))],
    ["generator (s)", ...rs.map((r) => `${secs(r.generate.seconds)}${r.generate.cached ? " (cached)" : ""}`)],
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  const lines = rows.map((r) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  "),
  );
  if (report.growth) {
    lines.push(
      `growth ${report.growth.from} → ${report.growth.to}: ${report.growth.seconds.toFixed(2)}× time for ${report.growth.bids.toFixed(2)}× bids`,
    );
  }
  for (const c of targetChecks(report))
    lines.push(`${c.met ? "met    " : "NOT MET"}  ${c.target}: ${c.measured}`);
  return `${lines.join("\n")}\n`;
}

/** docs/performance.md. */
export function renderPerformanceMarkdown(report: BenchReport): string {
  const rs = report.results;
  const m = report.machine;
  const head = `| | ${rs.map((r) => r.label).join(" | ")} |\n|---|${rs.map(() => "---:").join("|")}|`;
  const row = (name: string, cells: string[]) => `| ${name} | ${cells.join(" | ")} |`;
  const table = [
    head,
    row(
      "bids",
      rs.map((r) => int(r.bids)),
    ),
    row(
      "tenders",
      rs.map((r) => int(r.tenders)),
    ),
    row(
      "input (CSV)",
      rs.map((r) => mb(r.inputBytes)),
    ),
    row(
      "**bare DuckDB load** (s)",
      rs.map((r) => secs(r.bare.seconds)),
    ),
    row(
      "**pipeline, end to end** (s)",
      rs.map((r) => secs(r.pipeline.seconds)),
    ),
    row(
      "**ratio pipeline / bare load**",
      rs.map((r) => `**${r.ratio.toFixed(2)}×**`),
    ),
    row("&nbsp;&nbsp;ratio of each run (pipeline / the bare load before it)", rs.map(runRatios)),
    ...stageNames(rs).map((s) =>
      row(
        `&nbsp;&nbsp;${s} (s)`,
        rs.map((r) => (s in r.pipeline.stages ? secs(r.pipeline.stages[s] ?? 0) : "–")),
      ),
    ),
    row(
      "&nbsp;&nbsp;outside stages: set-up, summary, report (s)",
      rs.map((r) => secs(outsideStages(r))),
    ),
    row(
      "pipeline CPU time (s)",
      rs.map((r) => secs(r.pipeline.cpuSeconds)),
    ),
    row(
      "bare load CPU time (s)",
      rs.map((r) => secs(r.bare.cpuSeconds)),
    ),
    row(
      "bids per second",
      rs.map((r) => int(r.bidsPerSecond)),
    ),
    row(
      "peak RSS, pipeline (sampled, first run)",
      rs.map((r) => mb(r.pipeline.peak.sampledRss)),
    ),
    row("&nbsp;&nbsp;peak RSS of each run, in run order", rs.map(runPeaks)),
    row(
      "peak RSS, bare load (sampled, first run)",
      rs.map((r) => mb(r.bare.peak.sampledRss)),
    ),
    row(
      "process maxRSS after the size",
      rs.map((r) => mb(r.maxRss)),
    ),
    row(
      "alerts",
      rs.map((r) => int(r.pipeline.alerts)),
    ),
    row(
      "generator (s, not in the ratio)",
      rs.map((r) => `${secs(r.generate.seconds)}${r.generate.cached ? " (cached)" : ""}`),
    ),
  ].join("\n");
  const checks = targetChecks(report)
    .map((c) => `- ${c.met ? "✅ met" : "❌ not met"}: ${c.target} — ${c.measured}`)
    .join("\n");
  const growth = report.growth
    ? `\nGrowth ${report.growth.from} → ${report.growth.to}: the pipeline took ${report.growth.seconds.toFixed(2)}× as long for ${report.growth.bids.toFixed(2)}× the bids.\n`
    : "";
  return `# Performance

Latest figures of \`npm run bench\` (\`bidwatch bench\`), which regenerates this file. Each size is a synthetic
export from \`bidwatch generate\` (seed ${report.seed}; cached under \`.bench/\`). In one process, each in a fresh
temp-file DuckDB database, the benchmark measures

- the **bare load**: DuckDB alone reading every file of the export into a table
  (\`CREATE TABLE … AS SELECT * FROM read_csv(…)\`), the physical floor on this machine;
- the **pipeline**: the whole nightly run (\`bidwatch run\`: ingest, features, detectors, alerts, outputs and
  the report) on the same files. The alerts stage also writes alerts.json, alerts.csv and tender_risk.csv
  (while DuckDB commits the outbox); the outputs stage writes the rejects and reads the run's counts.

The headline is the ratio of the two: absolute times depend on the machine (and on whatever else it is
running), the ratio much less. Below 10M bids the two measurements alternate ${repeatsNote(report)}, and the
table shows the median run of each (its stages, CPU time and rows per second). The heap is collected before
each measurement. Peak RSS is sampled every 50 ms during each measurement and reported for the first run of
each size: later runs in the same process start with the memory the allocators kept from the runs before
(listed per run below the peak; a nightly run has its process to itself). The process maxRSS
(\`process.resourceUsage().maxRSS\`) is the high-water mark of the whole benchmark process up to that size.

Measured ${report.date.slice(0, 10)} on ${m.cpus} × ${m.cpuModel}, ${mb(m.memoryBytes)} memory, ${m.platform},
Node ${m.node} (heap limit ${mb(m.heapLimitBytes)}), DuckDB ${m.duckdb} (memory_limit ${m.duckdbMemoryLimit}).

${table}
${growth}
## Targets (issue 5)

${checks || "- (run the 1M size to check the targets)"}

Regenerate with \`npm run bench\` (sizes 100k and 1M), \`npm run bench -- --with-10m\`, or
\`npm run bench -- --sizes 100k,1m --cache .bench --out docs/performance.md\`.
`;
}

// ---------------------------------------------------------------------------------------------------------
// Command line

function intOption(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("expected a non-negative integer");
  return n;
}

/** Adds `bidwatch bench` to the command line. */
export function registerBenchCommand(program: Command): Command {
  return program
    .command("bench")
    .description("benchmark the pipeline against DuckDB's bare load of the same files (100k and 1M bids)")
    .option("--sizes <list>", "export sizes in bids, comma-separated (k/m suffixes)", "100k,1m")
    .option("--with-10m", "also run 10M bids (generating it takes a few minutes the first time)")
    .option("--seed <n>", "generator seed", intOption, 1)
    .option("--cache <dir>", "where generated exports are kept", ".bench")
    .option("--out <file>", "Markdown file for the figures", "docs/performance.md")
    .option("--threads <n>", "DuckDB threads (default: all cores)", intOption)
    .option("--memory-limit <size>", "DuckDB memory limit, e.g. 2GB (default: DuckDB's)")
    .option(
      "--repeats <n>",
      "runs of each measurement per size below 10M (the median run is reported)",
      intOption,
      DEFAULT_REPEATS,
    )
    .action(
      async (opts: {
        sizes: string;
        with10m?: boolean;
        seed: number;
        cache: string;
        out: string;
        threads?: number;
        memoryLimit?: string;
        repeats: number;
      }) => {
        const sizes = parseSizes(opts.sizes);
        if (opts.with10m && !sizes.includes(TEN_MILLION)) sizes.push(TEN_MILLION);
        const logger: Logger = {
          info: (msg, fields) => process.stderr.write(`bidwatch: ${msg}${fmt(fields)}\n`),
          warn: (msg, fields) => process.stderr.write(`bidwatch: warning: ${msg}${fmt(fields)}\n`),
        };
        const report = await runBench(
          {
            sizes,
            seed: opts.seed,
            cacheDir: opts.cache,
            outFile: opts.out,
            repeats: opts.repeats,
            ...(opts.threads ? { threads: opts.threads } : {}),
            ...(opts.memoryLimit ? { memoryLimit: opts.memoryLimit } : {}),
          },
          { clock: { now: () => new Date() }, logger, progress: terminalProgress(process.stderr) },
        );
        process.stdout.write(renderTable(report));
        logger.info("bench: figures written", { out: opts.out });
      },
    );
}

/** Writes docs/performance.md (creating its folder). */
export async function writeReport(report: BenchReport, outFile: string): Promise<void> {
  await mkdir(dirname(resolve(outFile)), { recursive: true });
  await writeFile(outFile, renderPerformanceMarkdown(report));
}

function fmt(fields?: Record<string, unknown>): string {
  if (!fields) return "";
  return ` ${Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ")}`;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
