import { describe, expect, it } from "vitest";
import { alertId, buildAlerts, combineWeights, subjectKey } from "../../src/alerts/build.ts";
import type { Finding } from "../../src/types.ts";

const f = (rule: string, firms: string[], tenders: string[], weight: number): Finding => ({
  rule,
  kind: "pair",
  firms,
  tenders,
  weight,
  text_zh: `${rule} 中文`,
  text_en: `${rule} english`,
  facts: {},
});

const ctx = {
  tenderValue: new Map([
    ["T1", 1_000_000],
    ["T2", 5_000_000],
    ["T3", 2_000_000],
  ]),
  firmNames: new Map([["A", "甲公司"]]),
};

describe("alerts", () => {
  it("combines the strongest weight per rule with noisy-OR", () => {
    expect(combineWeights([0.5, 0.5])).toBe(0.75);
    expect(combineWeights([])).toBe(0);
    const [a] = buildAlerts(
      [
        f("SHARED_IP", ["A", "B"], ["T1"], 0.5),
        f("SHARED_IP", ["A", "B"], ["T1"], 0.3),
        f("SHARED_MAC", ["A", "B"], ["T1"], 0.6),
      ],
      ctx,
    );
    expect(a?.score).toBe(0.8);
    expect(a?.evidence.map((e) => e.rule)).toEqual(["SHARED_MAC", "SHARED_IP", "SHARED_IP"]);
  });

  it("ranks by score, then amount at stake, then id, and numbers ranks from 1", () => {
    const alerts = buildAlerts(
      [f("R", ["A", "B"], ["T1"], 0.5), f("R", ["C", "D"], ["T2"], 0.5), f("R", ["E", "F"], ["T3"], 0.9)],
      ctx,
    );
    expect(alerts.map((a) => [a.rank, a.firms.join("+"), a.amount])).toEqual([
      [1, "E+F", 2_000_000],
      [2, "C+D", 5_000_000],
      [3, "A+B", 1_000_000],
    ]);
  });

  it("gives the same subject the same id whatever the order of findings or firms", () => {
    const one = buildAlerts([f("R", ["B", "A"], ["T1"], 0.5), f("Q", ["C", "D"], ["T2"], 0.4)], ctx);
    const two = buildAlerts([f("Q", ["D", "C"], ["T2"], 0.4), f("R", ["A", "B"], ["T1"], 0.5)], ctx);
    expect(two).toEqual(one);
    expect(one[0]?.id).toBe(alertId(subjectKey("pair", ["A", "B"], [])));
    expect(one[0]?.id).toMatch(/^A-[0-9a-f]{16}$/);
  });

  it("writes bilingual summaries with names and the amount", () => {
    const [a] = buildAlerts([f("SHARED_IP", ["A", "B"], ["T2"], 0.5)], ctx);
    expect(a?.summary_zh).toContain("甲公司");
    expect(a?.summary_zh).toContain("500.00 万元");
    expect(a?.summary_en).toContain("5000000.00 yuan");
  });
});
