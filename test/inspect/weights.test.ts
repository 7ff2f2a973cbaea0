import { describe, expect, it } from "vitest";
import { BidwatchError } from "../../src/errors.ts";
import {
  effectFactor,
  inclusionProbabilities,
  maxWeight,
  probabilityFloor,
  sampleSize,
  tenderWeight,
  WEIGHT_DEFAULTS,
  weightSettings,
} from "../../src/inspect/weights.ts";

const clean = { risk: 0, sanctioned: false, watched: false };

describe("weights", () => {
  it("w = 1 + 4·risk + 2·sanctioned + 1·watched, floor 1", () => {
    expect(tenderWeight(clean)).toBe(1);
    expect(tenderWeight({ ...clean, risk: 1 })).toBe(5);
    expect(tenderWeight({ ...clean, risk: 0.5 })).toBe(3);
    expect(tenderWeight({ ...clean, sanctioned: true })).toBe(3);
    expect(tenderWeight({ ...clean, watched: true })).toBe(2);
    expect(tenderWeight({ risk: 1, sanctioned: true, watched: true })).toBe(8);
    expect(maxWeight()).toBe(8);
    // risk is clamped to 0..1
    expect(tenderWeight({ ...clean, risk: 3 })).toBe(5);
    expect(tenderWeight({ ...clean, risk: -1 })).toBe(1);
  });

  it("documents the expected effect factor", () => {
    expect(effectFactor({ ...clean, risk: 1 }, clean)).toBe(5);
    expect(effectFactor({ ...clean, sanctioned: true }, clean)).toBe(3);
    expect(effectFactor({ risk: 1, sanctioned: false, watched: true }, { ...clean, risk: 0.25 })).toBe(3);
  });

  it("rejects unknown or negative settings", () => {
    expect(weightSettings({ risk: 2 })).toEqual({ ...WEIGHT_DEFAULTS, risk: 2 });
    expect(() => weightSettings({ riks: 2 } as never)).toThrow(/unknown weight setting "riks"/);
    expect(() => weightSettings({ watch: -1 })).toThrow(BidwatchError);
  });

  it("n = ⌈ratio·N⌉, never below the ratio, robust to binary rounding", () => {
    expect(sampleSize(0.05, 200)).toBe(10);
    expect(sampleSize(0.05, 201)).toBe(11);
    expect(sampleSize(0.05, 1)).toBe(1);
    expect(sampleSize(0.05, 0)).toBe(0);
    expect(sampleSize(1, 7)).toBe(7);
    for (let N = 1; N < 500; N++) {
      for (const r of [0.01, 0.03, 0.05, 0.1, 0.07, 1 / 3]) {
        const n = sampleSize(r, N);
        expect(n / N).toBeGreaterThanOrEqual(r - 1e-12);
        expect((n - 1) / N).toBeLessThan(r);
      }
    }
    expect(() => sampleSize(0, 10)).toThrow(/ratio/);
    expect(() => sampleSize(1.5, 10)).toThrow(/ratio/);
  });

  it("π_i = min(1, c·w_i) sums to n, is proportional to w below 1, and stays above the floor", () => {
    const w = [1, 1, 1, 5, 5, 8, 2, 3, 1, 1];
    const { probabilities: p, certain } = inclusionProbabilities(w, 3);
    expect(p.reduce((s, x) => s + x, 0)).toBeCloseTo(3, 12);
    expect(certain).toBe(0);
    expect(p[3] as number).toBeCloseTo(5 * (p[0] as number), 12);
    for (const x of p) expect(x).toBeGreaterThanOrEqual(probabilityFloor(0.3));
  });

  it("caps probabilities at 1 and redistributes, keeping the floor", () => {
    const w = [8, 8, 1, 1, 1, 1];
    const r = inclusionProbabilities(w, 3);
    expect(r.certain).toBe(2);
    expect(r.probabilities.slice(0, 2)).toEqual([1, 1]);
    expect(r.probabilities[2]).toBeCloseTo(0.25, 12);
    expect(r.probabilities.reduce((s, x) => s + x, 0)).toBeCloseTo(3, 12);
    for (const x of r.probabilities) expect(x).toBeGreaterThanOrEqual(probabilityFloor(0.5));
    expect(inclusionProbabilities([1, 2, 3], 3).probabilities).toEqual([1, 1, 1]);
  });

  it("guarantees π ≥ ratio / w_max whatever the population", () => {
    // Worst case for a clean tender: everybody else has the maximum weight.
    for (const others of [0, 1, 10, 100, 999]) {
      const w = [1, ...Array.from({ length: others }, () => maxWeight())];
      const n = sampleSize(0.05, w.length);
      const p = inclusionProbabilities(w, n).probabilities[0] as number;
      expect(p).toBeGreaterThanOrEqual(probabilityFloor(0.05) - 1e-12);
    }
    expect(probabilityFloor(0.05)).toBeCloseTo(0.00625, 12);
  });
});
