import { describe, expect, it } from "vitest";
import { SCORE_SCREENS, screenPercentile, screenScore } from "../../src/detectors/screen-score.ts";

/** Logistic approximation of Φ used by the module. */
const phi = (z: number) => 1 / (1 + Math.exp(-1.702 * z));

describe("screenPercentile", () => {
  const q = { q1: 1, median: 2, q3: 5 };

  it("is ½ at the median and ≈ Φ(±0.6745) ≈ 0.7591 at the quartiles on the collusive side", () => {
    expect(screenPercentile(2, q, "high")).toBe(0.5);
    expect(screenPercentile(5, q, "high")).toBeCloseTo(0.7591452363579649, 12);
    expect(screenPercentile(1, q, "low")).toBeCloseTo(0.7591452363579649, 12);
    expect(screenPercentile(1, q, "high")).toBeCloseTo(1 - 0.7591452363579649, 12);
  });

  it("scales each side by its own half-spread: 8 lies 2 upper half-IQRs above the median", () => {
    // z = (8 − 2) / ((5 − 2) / 0.6745) = 2 · 0.6745
    expect(screenPercentile(8, q, "high")).toBeCloseTo(0.9085450522826954, 12);
    expect(screenPercentile(8, q, "high")).toBeCloseTo(phi(2 * 0.6745), 12);
  });

  it("is strictly increasing in the collusive direction", () => {
    const xs = [-3, 0, 0.5, 1, 1.5, 2, 2.5, 4, 5, 9, 20];
    const high = xs.map((x) => screenPercentile(x, q, "high") as number);
    const low = xs.map((x) => screenPercentile(x, q, "low") as number);
    for (let i = 1; i < xs.length; i++) {
      expect(high[i]).toBeGreaterThan(high[i - 1] as number);
      expect(low[i]).toBeLessThan(low[i - 1] as number);
    }
  });

  it("falls back to the other half-spread, then to a step, when a half-spread is 0", () => {
    expect(screenPercentile(1, { q1: 2, median: 2, q3: 4 }, "high")).toBeCloseTo(phi(-0.6745 / 2), 12);
    expect(screenPercentile(3, { q1: 2, median: 2, q3: 2 }, "high")).toBe(1);
    expect(screenPercentile(1, { q1: 2, median: 2, q3: 2 }, "high")).toBe(0);
  });

  it("is null for a missing value or quartiles that are not finite", () => {
    expect(screenPercentile(null, q, "high")).toBeNull();
    expect(screenPercentile(Number.NaN, q, "high")).toBeNull();
    expect(screenPercentile(1, { q1: Number.NaN, median: 2, q3: 3 }, "high")).toBeNull();
  });
});

describe("screenScore", () => {
  const quartiles = {
    cv: { q1: 0.02, median: 0.04, q3: 0.08 },
    spd: { q1: 0.05, median: 0.1, q3: 0.2 },
    kurt: { q1: -1, median: 0, q3: 1 },
    rd_losing: { q1: 0.5, median: 1, q3: 2 },
  };

  it("uses cv and spd (low), kurt and rd_losing (high)", () => {
    expect(SCORE_SCREENS.map((s) => `${s.screen}:${s.direction}`)).toEqual([
      "cv:low",
      "spd:low",
      "kurt:high",
      "rd_losing:high",
    ]);
  });

  it("is the mean of the defined screens' percentiles: cv at Q1 and kurt 3 upper half-IQRs up", () => {
    const s = screenScore({ cv: 0.02, spd: null, kurt: 3 }, quartiles);
    expect(s.parts.map((p) => p.screen)).toEqual(["cv", "kurt"]);
    expect(s.score).toBeCloseTo(0.8640984247808559, 12);
    expect(s.parts[0]?.quartiles).toEqual(quartiles.cv);
  });

  it("is ½ for a tender at every median, and higher for tight bids with a distant winner", () => {
    expect(screenScore({ cv: 0.04, spd: 0.1, kurt: 0, rd_losing: 1 }, quartiles).score).toBe(0.5);
    const tight = screenScore({ cv: 0.01, spd: 0.03, kurt: 2, rd_losing: 4 }, quartiles).score as number;
    const loose = screenScore({ cv: 0.12, spd: 0.4, kurt: -1.2, rd_losing: 0.3 }, quartiles).score as number;
    expect(tight).toBeGreaterThan(0.85);
    expect(loose).toBeLessThan(0.2);
  });

  it("is null when no screen is defined or has quartiles", () => {
    expect(screenScore({ cv: null }, quartiles)).toEqual({ score: null, parts: [] });
    expect(screenScore({ cv: 0.01 }, {}).score).toBeNull();
  });
});
