import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type BenchReport,
  medianRun,
  parseSizes,
  renderPerformanceMarkdown,
  renderTable,
  runBench,
  type SizeResult,
  sizeLabel,
  targetChecks,
} from "../../pipelines/bench.ts";
import { generateExport } from "../../src/generate/index.ts";
import { tempDir } from "../helpers/db.ts";

describe("bench sizes", () => {
  it("reads k/m suffixes, sorts and deduplicates", () => {
    expect(parseSizes("1m,100k,100000")).toEqual([100_000, 1_000_000]);
    expect(parseSizes("2.5k")).toEqual([2500]);
    expect(sizeLabel(100_000)).toBe("100k");
    expect(sizeLabel(10_000_000)).toBe("10M");
  });

  it("rejects what is not a size with E_USAGE", () => {
    expect(() => parseSizes("lots")).toThrow(expect.objectContaining({ code: "E_USAGE" }));
    expect(() => parseSizes("10")).toThrow(expect.objectContaining({ code: "E_USAGE" }));
  });
});

function result(targetBids: number, bare: number, pipeline: number, rss: number): SizeResult {
  return {
    label: sizeLabel(targetBids),
    targetBids,
    tenders: Math.round(targetBids * 0.114),
    bids: targetBids,
    inputBytes: targetBids * 300,
    generate: { cached: true, seconds: 1 },
    bare: { seconds: bare, cpuSeconds: bare, rows: targetBids, files: {}, peak: { sampledRss: rss / 2 } },
    pipeline: {
      seconds: pipeline,
      cpuSeconds: pipeline,
      stages: { ingest: pipeline / 2, features: pipeline / 4 },
      alerts: 10,
      peak: { sampledRss: rss },
    },
    runs: {
      bare: [bare * 1.2, bare, bare * 0.9],
      pipeline: [pipeline, pipeline * 1.1, pipeline * 0.8],
      pipelinePeakRss: [rss, rss * 1.5, rss * 2],
    },
    ratio: pipeline / bare,
    bidsPerSecond: Math.round(targetBids / pipeline),
    maxRss: rss,
  };
}

const report: BenchReport = {
  date: "2025-06-30T12:00:00.000Z",
  machine: {
    cpus: 2,
    cpuModel: "Test CPU",
    memoryBytes: 2 ** 34,
    platform: "linux",
    node: "v20",
    duckdb: "v1",
    heapLimitBytes: 2 ** 33,
    duckdbMemoryLimit: "6.3 GiB",
  },
  seed: 1,
  results: [result(100_000, 1, 5, 2 ** 30), result(1_000_000, 10, 50, 4 * 2 ** 30)],
  growth: { from: "100k", to: "1M", seconds: 10, bids: 10 },
};

describe("medianRun", () => {
  it("picks the middle run, and of an even number the slower middle one", () => {
    const runs = [5, 1, 4, 2, 3].map((seconds, i) => ({ seconds, i }));
    expect(medianRun(runs)).toEqual({ seconds: 3, i: 4 });
    expect(medianRun(runs.slice(0, 4))).toEqual({ seconds: 4, i: 2 });
    expect(medianRun([{ seconds: 7 }])).toEqual({ seconds: 7 });
    expect(() => medianRun([])).toThrow(expect.objectContaining({ code: "E_BENCH" }));
  });
});

describe("bench report", () => {
  it("checks the targets against the measured figures", () => {
    expect(targetChecks(report).map((c) => c.met)).toEqual([false, false, true]);
  });

  it("renders the table and docs/performance.md with machine, date and ratio", () => {
    const md = renderPerformanceMarkdown(report);
    expect(md).toContain("Measured 2025-06-30 on 2 × Test CPU");
    expect(md).toContain("**5.00×**");
    expect(md).toContain("| &nbsp;&nbsp;ingest (s) | 2.50 | 25.0 |");
    // Each run's ratio is its pipeline over the bare load measured just before it.
    expect(md).toContain(
      "| &nbsp;&nbsp;ratio of each run (pipeline / the bare load before it) | 4.2×, 5.5×, 4.4× |",
    );
    expect(md).toContain("alternate 3 times");
    expect(md).toContain(
      "| &nbsp;&nbsp;peak RSS of each run, in run order | 1,024, 1,536, 2,048 MB | 4,096, 6,144, 8,192 MB |",
    );
    expect(renderTable(report)).toContain("growth 100k → 1M: 10.00× time for 10.00× bids");
  });

  it("runs a tiny export end to end and writes the figures", async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const generated: number[] = [];
      const out = join(dir, "performance.md");
      const r = await runBench(
        { sizes: [300], seed: 3, cacheDir: join(dir, "cache"), outFile: out, workDir: dir, repeats: 2 },
        {
          clock: { now: () => new Date("2025-06-30T12:00:00Z") },
          logger: { info: () => {}, warn: () => {} },
          generate: async (tenders, seed, outDir) => {
            generated.push(tenders);
            await generateExport({ tenders, seed }, outDir);
          },
        },
      );
      const size = r.results[0];
      expect(size?.bids).toBeGreaterThan(0);
      expect(size?.bare.rows).toBeGreaterThan(size?.bids ?? 0);
      expect(size?.pipeline.stages).toHaveProperty("ingest");
      expect(size?.ratio).toBeGreaterThan(0);
      // Two alternating runs of each; the slower of the two is the reported (median) run.
      expect(size?.runs.bare).toHaveLength(2);
      expect(size?.runs.pipeline).toHaveLength(2);
      expect(size?.pipeline.seconds).toBe(Math.max(...(size?.runs.pipeline ?? [])));
      expect(size?.bare.seconds).toBe(Math.max(...(size?.runs.bare ?? [])));
      // Peak RSS is the first run's.
      expect(size?.pipeline.peak.sampledRss).toBe(size?.runs.pipelinePeakRss[0]);
      expect(await readFile(out, "utf8")).toContain("| bids |");
      // The second run uses the cached export.
      const again = await runBench(
        { sizes: [300], seed: 3, cacheDir: join(dir, "cache"), workDir: dir },
        {
          clock: { now: () => new Date("2025-06-30T12:00:00Z") },
          logger: { info: () => {}, warn: () => {} },
          generate: async () => {
            throw new Error("should not generate again");
          },
        },
      );
      expect(again.results[0]?.generate.cached).toBe(true);
      expect(generated).toEqual([34]);
    } finally {
      await cleanup();
    }
  });
});
