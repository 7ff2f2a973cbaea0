import { describe, expect, it } from "vitest";
import { findRings, pairEdges, ringFindings } from "../../src/detectors/rings.ts";
import type { Finding } from "../../src/types.ts";

const pair = (a: string, b: string, weight: number, rule = "SHARED_HARDWARE_ID"): Finding => ({
  rule,
  kind: "pair",
  firms: [a, b].sort(),
  tenders: [],
  weight,
  text_zh: "",
  text_en: "",
  facts: {},
});

/** Two 4-cliques joined by one weak edge, plus an isolated strong pair. */
function fixture(): Finding[] {
  const out: Finding[] = [];
  for (const group of [
    ["A1", "A2", "A3", "A4"],
    ["B1", "B2", "B3", "B4"],
  ]) {
    for (let i = 0; i < group.length; i++)
      for (let j = i + 1; j < group.length; j++) out.push(pair(group[i] as string, group[j] as string, 0.8));
  }
  out.push(pair("A1", "B1", 0.25, "PRICE_REGULAR_PAIR"));
  out.push(pair("P1", "P2", 0.9));
  return out;
}

const participation = [
  { tender_id: "T1", firms: ["A1", "A2", "A3"], winners: ["A1"] },
  { tender_id: "T2", firms: ["A2", "A3", "A4"], winners: ["A2"] },
  { tender_id: "T3", firms: ["B1", "B2"], winners: ["B1"] },
];

/** Newman modularity computed directly: Q = Σ_c [ W_in(c)/m − (S(c)/2m)² ] for a weighted undirected graph. */
function modularity(
  edges: { a: string; b: string; weight: number }[],
  community: Map<string, number>,
): number {
  const m = edges.reduce((s, e) => s + e.weight, 0);
  const win = new Map<number, number>();
  const strength = new Map<number, number>();
  for (const e of edges) {
    const ca = community.get(e.a) as number;
    const cb = community.get(e.b) as number;
    if (ca === cb) win.set(ca, (win.get(ca) ?? 0) + e.weight);
    strength.set(ca, (strength.get(ca) ?? 0) + e.weight);
    strength.set(cb, (strength.get(cb) ?? 0) + e.weight);
  }
  let q = 0;
  for (const [c, s] of strength) q += (win.get(c) ?? 0) / m - (s / (2 * m)) ** 2;
  return q;
}

describe("rings (Louvain on the firm graph)", () => {
  it("finds the two cliques as rings and leaves the two-firm group as a pair", () => {
    const r = findRings(fixture(), participation);
    expect(r.rings.map((x) => x.firms)).toEqual([
      ["A1", "A2", "A3", "A4"],
      ["B1", "B2", "B3", "B4"],
    ]);
    expect(r.communities).toBe(3);
    expect(r.nodes).toBe(10);
  });

  it("reports the same modularity as an independent computation", () => {
    const findings = fixture();
    const r = findRings(findings, participation);
    const community = new Map<string, number>();
    r.rings.forEach((ring, i) => {
      for (const f of ring.firms) community.set(f, i);
    });
    community.set("P1", 99);
    community.set("P2", 99);
    const edges = [...pairEdges(findings).values()];
    expect(r.modularity).toBeCloseTo(modularity(edges, community), 4);
  });

  it("scores cohesion, exclusivity and rotation from the data", () => {
    const [a] = findRings(fixture(), participation).rings;
    expect(a?.parts.cohesion).toBe(1);
    expect(a?.parts.exclusivity).toBeCloseTo(4.8 / (4.8 + 0.25), 4);
    expect(a?.parts.rotation).toBe(0.5); // A1 and A2 won ring tenders
    expect(a?.tenders).toEqual(["T1", "T2"]);
  });

  it("is deterministic whatever the order of findings", () => {
    const f = fixture();
    const one = ringFindings(findRings(f, participation));
    const two = ringFindings(findRings([...f].reverse(), participation));
    expect(two).toEqual(one);
  });

  it("drops edges below the minimum weight", () => {
    const r = findRings([pair("A", "B", 0.1), pair("B", "C", 0.1), pair("A", "C", 0.1)], []);
    expect(r.rings).toEqual([]);
    expect(r.edges).toBe(0);
  });
});
