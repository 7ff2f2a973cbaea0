import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/duckdb.ts";
import * as priceClose from "../../src/detectors/price-close-to-winner.ts";
import { PROCESS_DETECTORS, runProcessDetectors } from "../../src/detectors/process-flags.ts";
import * as singleBid from "../../src/detectors/single-bid.ts";
import {
  buildProcessFences,
  computeProcessFeatures,
  findFence,
  PROCESS_FEATURE_DEFAULTS,
  type ProcessFeatures,
} from "../../src/features/process.ts";
import { ingest } from "../../src/ingest/index.ts";
import { memoryDb, tempDir } from "../helpers/db.ts";

const dir = fileURLToPath(new URL("../../data/fixtures/detectors/", import.meta.url));
const epoch = () => new Date(0);

let db: Db;
beforeEach(async () => {
  db = await memoryDb();
});
afterEach(() => db.close());

async function featuresOf(rule: string): Promise<ProcessFeatures> {
  await ingest(db, [join(dir, rule)], { firmIds: "any", now: epoch });
  return computeProcessFeatures(db);
}

describe("process flags: golden fixtures", () => {
  it("lists ten detectors with distinct rule codes", () => {
    const rules = PROCESS_DETECTORS.map((d) => d.rule);
    expect(new Set(rules).size).toBe(10);
  });

  it.each(PROCESS_DETECTORS.map((d) => d.rule))("%s", async (rule) => {
    const detector = PROCESS_DETECTORS.find((d) => d.rule === rule);
    if (!detector) throw new Error(rule);
    const findings = detector.run(await featuresOf(rule));
    for (const f of findings) {
      expect(f.rule).toBe(rule);
      expect(f.text_zh.length).toBeGreaterThan(0);
      expect(f.text_en.length).toBeGreaterThan(0);
      expect(f.weight).toBeGreaterThanOrEqual(0.1);
      expect(f.weight).toBeLessThanOrEqual(0.35);
    }
    const got = JSON.parse(JSON.stringify(findings.map(({ text_zh: _zh, text_en: _en, ...rest }) => rest)));
    const expected = JSON.parse(readFileSync(join(dir, `${rule}.expected.json`), "utf8"));
    expect(got).toEqual(expected);
    expect(expected.length).toBeGreaterThan(0);
  });

  it("is deterministic: the same database gives the same findings", async () => {
    const f = await featuresOf("PRICE_CLOSE_TO_WINNER");
    expect(runProcessDetectors(f)).toEqual(runProcessDetectors(await computeProcessFeatures(db)));
  });
});

describe("process features: fences", () => {
  it("computes cardinal-rs quartiles (statrs, type 8) and Tukey fences: hand-computed example", async () => {
    // Ratios 0.01 … 0.09. n = 9: h(¼) = (9 + ⅓)·¼ + ⅓ = 2⅔ → Q1 = x2 + ⅔(x3 − x2) = 0.02666…;
    // h(¾) = 7⅓ → Q3 = x7 + ⅓(x8 − x7) = 0.07333…; IQR = 0.04666…; fences Q1 − 1.5·IQR, Q3 + 1.5·IQR.
    const rows = Array.from(
      { length: 9 },
      (_, i) => `T${i + 1},W,100000,1\nT${i + 1},C1,${100000 + (i + 1) * 1000},0`,
    );
    const tmp = await tempDir();
    try {
      await writeFile(join(tmp.dir, "bids.csv"), `tender_id,firm_id,price,is_winner\n${rows.join("\n")}\n`);
      await ingest(db, [tmp.dir], { firmIds: "any", now: epoch });
    } finally {
      await tmp.cleanup();
    }
    const f = await computeProcessFeatures(db);
    const fence = findFence(f, "second_lowest_ratio");
    expect(fence?.n).toBe(9);
    expect(fence?.q1).toBeCloseTo(0.02 + (2 / 3) * 0.01, 12);
    expect(fence?.q3).toBeCloseTo(0.07 + (1 / 3) * 0.01, 12);
    expect(fence?.iqr).toBeCloseTo(0.14 / 3, 12);
    expect(fence?.lower_fence).toBeCloseTo(0.08 / 3 - 0.07, 12);
    expect(fence?.upper_fence).toBeCloseTo(0.22 / 3 + 0.07, 12);
    // W won all nine tenders (ratio 1), C1 none (ratio 0): two values, h(¼) < 1 → min, h(¾) ≥ 2 → max.
    expect(findFence(f, "win_ratio")).toMatchObject({ n: 2, q1: 0, q3: 1, iqr: 1 });
    // Every ratio is above the (negative) lower fence: nothing is close to the winner.
    expect(priceClose.run(f)).toEqual([]);
    // A fixed threshold replaces the fence (cardinal-rs `threshold`) and drops the Q1 guard.
    expect(priceClose.run(f, { ...priceClose.DEFAULTS, threshold: 0.02 }).map((x) => x.tenders[0])).toEqual([
      "T1",
      "T2",
    ]);
  });

  it("matches statrs's own quantile test values (percentiles 20 and 70)", async () => {
    // statrs slice_statistics.rs test_quantile_short: quantile(0.2) = −4/5, quantile(0.7) = 137/30.
    const data = [-1, 5, 0, -3, 10, -0.5, 4, 0.2, 1, 6];
    await db.exec(
      `CREATE TABLE proc_tenders AS SELECT CAST(v AS DOUBLE) AS second_lowest_ratio, NULL::VARCHAR AS category,
         NULL::INTEGER AS submission_days_calendar, NULL::INTEGER AS submission_days_elapsed
       FROM unnest([${data.join(", ")}]) AS u(v)`,
    );
    await db.exec("CREATE TABLE proc_firm_wins (win_ratio DOUBLE, n_valid_tenders INTEGER)");
    await db.exec(
      "CREATE TABLE proc_disqualification_rates (subject VARCHAR, ratio DOUBLE, eligible BOOLEAN)",
    );
    const pctOf = async (p: number) => {
      await buildProcessFences(db, { ...PROCESS_FEATURE_DEFAULTS, unsuccessfulPercentile: p });
      return db.one<{ pct: number; q1: number; q3: number }>("SELECT pct, q1, q3 FROM proc_fences");
    };
    expect((await pctOf(20))?.pct).toBeCloseTo(-4 / 5, 14);
    expect((await pctOf(70))?.pct).toBeCloseTo(137 / 30, 14);
    const r = await pctOf(75);
    // sorted −3, −1, −0.5, 0, 0.2, 1, 4, 5, 6, 10: h(¼) = 2.9166… → −1 + 0.9166…·0.5; h(¾) = 8.0833… → 5 + 1/12
    expect(r?.q1).toBeCloseTo(-1 + (11 / 12) * 0.5, 12);
    expect(r?.q3).toBeCloseTo(5 + 1 / 12, 12);
    expect(r?.pct).toBeCloseTo(5 + 1 / 12, 12);
    expect((await pctOf(0))?.pct).toBe(-3);
    expect((await pctOf(100))?.pct).toBe(10);
  });

  it("rejects unknown or bad options and settings with stable codes", async () => {
    await expect(computeProcessFeatures(db, { fenceK: -1 })).rejects.toMatchObject({
      code: "E_PROCESS_OPTIONS",
    });
    await expect(computeProcessFeatures(db, { nope: 1 } as never)).rejects.toMatchObject({
      code: "E_PROCESS_OPTIONS",
    });
    const f = await computeProcessFeatures(db);
    expect(() => singleBid.run(f, { ...singleBid.DEFAULTS, extra: true } as never)).toThrow(
      expect.objectContaining({ code: "E_SETTINGS" }),
    );
    expect(() => singleBid.run(f, { ...singleBid.DEFAULTS, weight: 2 })).toThrow(
      expect.objectContaining({ code: "E_SETTINGS" }),
    );
  });

  it("an empty database gives no findings", async () => {
    expect(runProcessDetectors(await computeProcessFeatures(db))).toEqual([]);
  });
});
