import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  type Candidate,
  conflictReasons,
  DrawError,
  drawPlan,
  drawTenders,
  HashRng,
  type Inspector,
  selectionUnits,
  shuffled,
  UNIT,
} from "../../src/inspect/draw.ts";
import { probabilityFloor, sampleSize, WEIGHT_DEFAULTS } from "../../src/inspect/weights.ts";
import { cand, population, ROSTER } from "./fixtures.ts";

const params = (ratio: number, perItem = 2) => ({ ratio, perItem, weights: WEIGHT_DEFAULTS });

describe("HashRng", () => {
  it("is SHA-256 in counter mode over JSON [tag, seed, stream, block]", () => {
    const rng = new HashRng("s1", "order");
    const d0 = createHash("sha256").update('["bidwatch-inspect-rng/1","s1","order",0]').digest();
    const d1 = createHash("sha256").update('["bidwatch-inspect-rng/1","s1","order",1]').digest();
    const got = Array.from({ length: 9 }, () => rng.nextUint32());
    expect(got.slice(0, 8)).toEqual(Array.from({ length: 8 }, (_, i) => d0.readUInt32BE(4 * i)));
    expect(got[8]).toBe(d1.readUInt32BE(0));
  });

  it("draws uniform integers and permutations", () => {
    const rng = new HashRng("u", "t");
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) {
      const k = rng.int(3);
      counts[k] = (counts[k] ?? 0) + 1;
    }
    for (const c of counts) expect(Math.abs(c / 30_000 - 1 / 3)).toBeLessThan(0.02);
    const a = [1, 2, 3, 4, 5];
    const s = shuffled(a, new HashRng("u", "p"));
    expect([...s].sort()).toEqual(a);
    expect(a).toEqual([1, 2, 3, 4, 5]);
  });
});

describe("selection units", () => {
  it("realises π_i as integers out of 2^32 summing to n·U", () => {
    const u = selectionUnits([1, 0.5, 1 / 3, 1 / 3, 1 / 3, 0.5], 3);
    expect(u.reduce((s, x) => s + x, 0)).toBe(3 * UNIT);
    expect(u[0]).toBe(UNIT);
    for (const x of u) expect(x).toBeLessThanOrEqual(UNIT);
  });
});

describe("drawing tenders", () => {
  it("realises at least the ratio: n = ⌈ratio·N⌉ distinct tenders in every draw", () => {
    for (const N of [1, 7, 20, 199, 400]) {
      const pop = population(Math.floor(N / 10), N - Math.floor(N / 10));
      for (const ratio of [0.01, 0.05, 0.13, 0.5]) {
        for (let s = 0; s < 20; s++) {
          const sel = drawTenders(`seed-${s}`, pop, params(ratio));
          expect(new Set(sel.selected).size).toBe(sel.selected.length);
          expect(sel.selected.length).toBe(sampleSize(ratio, N));
          expect(sel.selected.length / N).toBeGreaterThanOrEqual(ratio);
        }
      }
    }
  });

  it("draws high-risk tenders 5× as often as low-risk ones (the documented factor), and every tender keeps a chance", () => {
    const pop = population(40, 360); // N = 400, n = 20, Σw = 40·5 + 360 = 560
    const draws = 1000;
    const freq = new Map<string, number>();
    let probs: readonly number[] = [];
    let cands: readonly Candidate[] = [];
    for (let s = 0; s < draws; s++) {
      const sel = drawTenders(`stat-${s}`, pop, params(0.05));
      probs = sel.probabilities;
      cands = sel.candidates;
      for (const i of sel.selected) {
        const id = sel.candidates[i]?.tender_id as string;
        freq.set(id, (freq.get(id) ?? 0) + 1);
      }
    }
    // exact inclusion probabilities: 5/28 and 1/28
    const hiP = probs[cands.findIndex((c) => c.tender_id === "H0000")] as number;
    const loP = probs[cands.findIndex((c) => c.tender_id === "L0000")] as number;
    expect(hiP).toBeCloseTo(5 / 28, 9);
    expect(loP).toBeCloseTo(1 / 28, 9);
    const rate = (prefix: string, n: number) =>
      [...freq].filter(([id]) => id.startsWith(prefix)).reduce((s, [, c]) => s + c, 0) / (n * draws);
    const hi = rate("H", 40);
    const lo = rate("L", 360);
    expect(hi).toBeCloseTo(5 / 28, 1);
    expect(lo).toBeCloseTo(1 / 28, 1);
    expect(Math.abs(hi / lo / 5 - 1)).toBeLessThan(0.1);
    // floor: every single tender was drawn, and its probability is above the guaranteed floor
    for (const c of cands) expect(freq.get(c.tender_id) ?? 0).toBeGreaterThan(0);
    for (const p of probs) expect(p).toBeGreaterThanOrEqual(probabilityFloor(0.05));
  });

  it("sanctioned and watched bidders raise the probability by 3× and 2×", () => {
    const pop = [
      ...Array.from({ length: 50 }, (_, i) => cand(`S${i}`, { sanctioned: ["F9"] })),
      ...Array.from({ length: 50 }, (_, i) => cand(`W${i}`, { watched: ["F8"] })),
      ...Array.from({ length: 300 }, (_, i) => cand(`C${i}`)),
    ];
    const sel = drawTenders("credit", pop, params(0.05));
    const p = (id: string) =>
      sel.probabilities[sel.candidates.findIndex((c) => c.tender_id === id)] as number;
    expect(p("S0") / p("C0")).toBeCloseTo(3, 6);
    expect(p("W0") / p("C0")).toBeCloseTo(2, 6);
  });

  it("is reproducible from the seed and independent of input order", () => {
    const pop = population(10, 90);
    const a = drawPlan("same", pop, ROSTER, params(0.1));
    const b = drawPlan("same", [...pop].reverse(), [...ROSTER].reverse(), params(0.1));
    expect(b).toEqual(a);
    const c = drawPlan("other", pop, ROSTER, params(0.1));
    expect(c.items.map((i) => i.tender_id)).not.toEqual(a.items.map((i) => i.tender_id));
  });

  it("rejects duplicate tenders", () => {
    expect(() => drawTenders("x", [cand("T1"), cand("T1")], params(0.5))).toThrow(/listed twice/);
  });
});

describe("matching inspectors", () => {
  it("never matches a conflicting inspector and always mixes two departments", () => {
    const pop = Array.from({ length: 60 }, (_, i) =>
      cand(`T${i}`, {
        tenderee_id: i % 3 === 0 ? "OWNER" : `ORG${i}`,
        agency_id: i % 4 === 0 ? "AGENCY" : "AG2",
        bidders: i % 2 ? ["F1", "F7"] : ["F6", "F7"],
      }),
    );
    const byName = new Map(ROSTER.map((p) => [p.name, p]));
    let teams = 0;
    for (let s = 0; s < 100; s++) {
      for (const perItem of [2, 3]) {
        const plan = drawPlan(`m-${s}`, pop, ROSTER, params(0.2, perItem));
        for (const item of plan.items) {
          const c = plan.candidates.find((x) => x.tender_id === item.tender_id) as Candidate;
          expect(item.inspectors).toHaveLength(perItem);
          expect(new Set(item.inspectors).size).toBe(perItem);
          expect(new Set(item.departments).size).toBeGreaterThanOrEqual(2);
          for (const name of item.inspectors) {
            expect(conflictReasons(byName.get(name) as Inspector, c)).toEqual([]);
          }
          if (c.tenderee_id === "OWNER") expect(item.inspectors).not.toContain("周七"); // department OWNER
          if (c.tenderee_id === "OWNER") expect(item.inspectors).not.toContain("赵四"); // declared OWNER
          if (c.agency_id === "AGENCY") expect(item.inspectors).not.toContain("孙六"); // declared AGENCY
          if (c.bidders.includes("F1")) expect(item.inspectors).not.toContain("李二"); // declared bidder F1
          teams++;
        }
      }
    }
    expect(teams).toBeGreaterThan(500);
  });

  it("explains conflicts", () => {
    const c = cand("T1", { tenderee_id: "住建局", agency_id: "AGENCY", bidders: ["F1"] });
    expect(
      conflictReasons(
        { name: "x", department: "住建局", certification: "c", conflicts: ["f1", "AGENCY"] },
        c,
      ),
    ).toEqual([
      "department 住建局 is the tenderee",
      "declared a relationship with agency AGENCY",
      "declared a relationship with bidder F1",
    ]);
  });

  it("fails clearly when no valid team exists", () => {
    const oneDept: Inspector[] = [
      { name: "a", department: "住建局", certification: "1", conflicts: [] },
      { name: "b", department: "住建局", certification: "2", conflicts: [] },
      { name: "c", department: "财政局", certification: "3", conflicts: ["OWNER"] },
    ];
    let err: unknown;
    try {
      drawPlan("x", [cand("T1")], oneDept, params(1));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DrawError);
    expect((err as DrawError).code).toBe("E_INSPECT_NO_MATCH");
    expect((err as Error).message).toMatch(/tender T1: no valid inspection team — 2 of 3 inspectors/);
    expect(() => drawPlan("x", [cand("T1")], ROSTER, params(1, 1))).toThrow(/≥ 2/);
    expect(() =>
      drawPlan(
        "x",
        [cand("T1")],
        [...ROSTER, { name: "王一", department: "d", certification: "c", conflicts: [] }],
        params(1),
      ),
    ).toThrow(/twice/);
  });
});
