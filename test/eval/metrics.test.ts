import { describe, expect, it } from "vitest";
import { trapReason } from "../../pipelines/eval.ts";
import { auc, aucWhereDefined, balancedAccuracy, jaccard, matchAtK } from "../../src/eval/metrics.ts";
import type { Alert } from "../../src/types.ts";

describe("auc (Mann–Whitney with midranks)", () => {
  it("matches the textbook example (scikit-learn roc_auc_score docs: 0.75)", () => {
    expect(auc([0.1, 0.4, 0.35, 0.8], [false, false, true, true])).toBeCloseTo(0.75, 12);
  });

  it("counts ties as ½: positives {1, 3} vs negatives {1, 2} → (½ + 0 + 1 + 1) / 4", () => {
    expect(auc([1, 1, 2, 3], [false, true, false, true])).toBeCloseTo(0.625, 12);
  });

  it("is 1 when positives score higher, 0 when lower, ½ when everything ties", () => {
    expect(auc([1, 2, 3, 4], [false, false, true, true])).toBe(1);
    expect(auc([1, 2, 3, 4], [true, true, false, false])).toBe(0);
    expect(auc([5, 5, 5], [true, false, true])).toBe(0.5);
  });

  it("does not depend on input order and does not mutate its inputs", () => {
    const scores = [0.3, 0.9, 0.1, 0.5, 0.5, 0.7];
    const labels = [false, true, false, true, false, true];
    const a = auc(scores, labels);
    // 3 positives {0.9, 0.5, 0.7} vs 3 negatives {0.3, 0.1, 0.5}: 3 + (2 + ½) + 3 = 8.5 of 9
    expect(a).toBeCloseTo(8.5 / 9, 12);
    expect(scores).toEqual([0.3, 0.9, 0.1, 0.5, 0.5, 0.7]);
    const order = [5, 3, 1, 0, 4, 2];
    expect(
      auc(
        order.map((i) => scores[i] as number),
        order.map((i) => labels[i] as boolean),
      ),
    ).toBeCloseTo(a as number, 12);
  });

  it("is null when a class is empty; rejects mismatched lengths and non-finite scores", () => {
    expect(auc([1, 2], [true, true])).toBeNull();
    expect(auc([], [])).toBeNull();
    expect(() => auc([1], [true, false])).toThrow(RangeError);
    expect(() => auc([1, Number.NaN], [true, false])).toThrow(RangeError);
  });
});

describe("aucWhereDefined", () => {
  it("leaves out items without a finite value and counts the rest", () => {
    const items = [
      { v: 0.1, l: false },
      { v: null, l: true },
      { v: 0.4, l: false },
      { v: Number.NaN, l: false },
      { v: 0.35, l: true },
      { v: 0.8, l: true },
    ];
    // the textbook example once the null and NaN items are gone: 0.75
    const r = aucWhereDefined(
      items,
      (x) => x.l,
      (x) => x.v,
    );
    expect(r.n).toBe(4);
    expect(r.auc).toBeCloseTo(0.75, 12);
  });
});

describe("balancedAccuracy", () => {
  it("averages sensitivity and specificity: TPR 2/2, TNR 2/3 → 5/6", () => {
    expect(balancedAccuracy([true, true, false, false, true], [true, false, false, false, true])).toBeCloseTo(
      5 / 6,
      12,
    );
  });
  it("is ½ for a constant prediction and null without both classes", () => {
    expect(balancedAccuracy([true, true, true], [true, false, false])).toBe(0.5);
    expect(balancedAccuracy([true], [true])).toBeNull();
  });
});

describe("jaccard", () => {
  it("is |A ∩ B| / |A ∪ B|, duplicates ignored, 1 for two empty sets", () => {
    expect(jaccard(["a", "b", "c"], ["b", "c", "d"])).toBe(0.5);
    expect(jaccard(["a", "a", "b"], ["b"])).toBe(0.5);
    expect(jaccard([], [])).toBe(1);
    expect(jaccard(["a"], [])).toBe(0);
  });
});

describe("matchAtK", () => {
  const R1 = ["a", "b", "c"];
  const R2 = ["d", "e", "f"];

  it("matches each ring at most once, only within the top K", () => {
    const predicted = [
      ["a", "b"], // J(R1) = 2/3
      ["a", "b", "c", "x"], // J(R1) = 3/4, but R1 is already matched
      ["d", "e"], // J(R2) = 2/3
    ];
    const at2 = matchAtK(predicted, [R1, R2], 2);
    expect(at2.considered).toBe(2);
    expect(at2.matches).toHaveLength(1);
    expect(at2.recall).toBe(0.5);
    expect(at2.precision).toBe(0.5);
    const at3 = matchAtK(predicted, [R1, R2], 3);
    expect(at3.recall).toBe(1);
    expect(at3.precision).toBeCloseTo(2 / 3, 12);
  });

  it("finds the maximum matching where greedy by rank would not", () => {
    const A = ["a", "b", "c", "d"];
    const B = ["a", "b", "c", "e", "f"];
    const predicted = [
      ["a", "b", "c"], // J(A) = 3/4, J(B) = 3/5
      ["a", "b", "c", "d", "g"], // J(A) = 4/5, J(B) = 3/7
    ];
    const m = matchAtK(predicted, [A, B], 2);
    expect(m.matches.map((x) => [x.predicted, x.truth])).toEqual([
      [0, 1],
      [1, 0],
    ]);
    expect(m.matches[0]?.jaccard).toBeCloseTo(3 / 5, 12);
    expect(m.recall).toBe(1);
  });

  it("applies the Jaccard threshold (≥ 0.5) and handles short lists and no truth", () => {
    expect(matchAtK([["a", "x", "y"]], [R1], 1).matches).toHaveLength(0); // J = 1/5
    expect(matchAtK([["a", "b", "x", "y"]], [R1], 1).matches).toHaveLength(0); // J = 2/5
    expect(matchAtK([["a", "b", "x"]], [R1], 1).matches).toHaveLength(1); // J = 2/4
    const short = matchAtK([R1], [R1, R2], 2);
    expect(short.considered).toBe(1);
    expect(short.precision).toBe(1);
    expect(short.recall).toBe(0.5);
    expect(matchAtK([], [], 0)).toMatchObject({ recall: null, precision: null });
  });
});

describe("trapReason (generated scenarios)", () => {
  const alert = (firms: string[], facts: Record<string, unknown>): Alert => ({
    id: "A",
    rank: 1,
    score: 0.5,
    kind: "pair",
    firms,
    tenders: ["T1"],
    amount: 0,
    channels: ["analyst"],
    evidence: [{ rule: "SHARED_IP", weight: 0.45, text_zh: "", text_en: "", facts }],
    summary_zh: "",
    summary_en: "",
  });
  const hubs = new Set(["218.0.0.1", "Administrator"]);
  const small = new Set(["S1", "S2", "S3"]);

  it("flags alerts of small-market firms only, or citing a hub value anywhere in the facts", () => {
    expect(trapReason(alert(["S1", "S2"], {}), hubs, small)).toBe("small-market firms only");
    expect(trapReason(alert(["X", "Y"], { shared_values: ["218.0.0.1"] }), hubs, small)).toBe(
      "hub value(s) 218.0.0.1",
    );
    expect(trapReason(alert(["X", "Y"], { nested: [{ author: "Administrator" }] }), hubs, small)).toBe(
      "hub value(s) Administrator",
    );
  });

  it("leaves other alerts alone", () => {
    expect(trapReason(alert(["S1", "X"], { shared_values: ["10.1.2.3"] }), hubs, small)).toBeNull();
  });
});
