/**
 * RING — collusion rings found as communities of the firm graph.
 *
 * Graph: firms are nodes; an edge joins two firms with pair evidence (identity links, shared people,
 * co-bidding with rotation, price structure), its weight the pair's combined evidence
 * 1 − Π_rules (1 − w_rule). Only evidence-bearing edges exist.
 * Communities: Louvain (graphology-communities-louvain), seeded, weighted; modularity from `detailed()`.
 * Each community of ≥ 3 firms becomes a ring finding; two-firm communities stay pair alerts.
 *
 * Ring score, all parts in 0..1 and reported in the facts:
 * - evidence: mean over members of the member's strongest internal edge (every member must be tied in);
 * - cohesion: internal edge density, edges / (k·(k−1)/2);
 * - exclusivity: internal edge weight / (internal + boundary edge weight);
 * - rotation: share of members that won at least one of the ring's tenders (taking turns);
 * weight = evidence · (0.6 + 0.25·cohesion + 0.15·exclusivity) + 0.1·rotation, capped at 0.99.
 * The award value at stake ranks rings of equal weight (alert ranking).
 * Tenders: those in which at least two members bid.
 */
import { UndirectedGraph } from "graphology";
import louvainModule from "graphology-communities-louvain";
import { cmpStr } from "../domain/compare.ts";
import { round4 } from "../domain/rounding.ts";
import { mulberry32 } from "../domain/seeded.ts";
import type { Finding } from "../types.ts";

export const RULE = "RING";

// The package is CommonJS (`module.exports = louvain`); its types declare an ES default export.
const louvain = louvainModule as unknown as typeof louvainModule.default;

export interface RingSettings {
  readonly seed: number;
  readonly resolution: number;
  readonly minSize: number;
  /** Edges weaker than this are left out of the graph. */
  readonly minEdgeWeight: number;
}

export const DEFAULTS: RingSettings = { seed: 20250524, resolution: 1, minSize: 3, minEdgeWeight: 0.2 };

/** What the ring detector needs beyond pair findings: who bid and who won each tender. */
export interface TenderParticipation {
  readonly tender_id: string;
  readonly firms: readonly string[];
  readonly winners: readonly string[];
}

export interface Ring {
  readonly firms: readonly string[];
  readonly tenders: readonly string[];
  readonly weight: number;
  readonly parts: { evidence: number; cohesion: number; exclusivity: number; rotation: number };
  readonly edges: readonly { a: string; b: string; weight: number; rules: readonly string[] }[];
}

export interface RingResult {
  readonly rings: readonly Ring[];
  readonly modularity: number;
  readonly communities: number;
  readonly nodes: number;
  readonly edges: number;
}

/** Pair edges from pair findings: combined weight and rules per firm pair. */
export function pairEdges(
  findings: readonly Finding[],
): Map<string, { a: string; b: string; weight: number; rules: string[] }> {
  const perPair = new Map<string, { a: string; b: string; best: Map<string, number> }>();
  for (const f of findings) {
    if (f.kind !== "pair" || f.firms.length !== 2) continue;
    const [a, b] = [...f.firms].sort(cmpStr) as [string, string];
    const key = `${a}\u0000${b}`;
    let e = perPair.get(key);
    if (!e) {
      e = { a, b, best: new Map() };
      perPair.set(key, e);
    }
    e.best.set(f.rule, Math.max(e.best.get(f.rule) ?? 0, f.weight));
  }
  const out = new Map<string, { a: string; b: string; weight: number; rules: string[] }>();
  for (const [key, e] of perPair) {
    const weight = 1 - [...e.best.values()].reduce((p, w) => p * (1 - w), 1);
    out.set(key, { a: e.a, b: e.b, weight: round4(weight), rules: [...e.best.keys()].sort(cmpStr) });
  }
  return out;
}

export function findRings(
  findings: readonly Finding[],
  participation: readonly TenderParticipation[],
  settings: RingSettings = DEFAULTS,
  rng: () => number = mulberry32(settings.seed),
): RingResult {
  const edges = [...pairEdges(findings).values()].filter((e) => e.weight >= settings.minEdgeWeight);
  edges.sort((x, y) => cmpStr(x.a, y.a) || cmpStr(x.b, y.b));
  const graph = new UndirectedGraph();
  for (const e of edges) {
    graph.mergeNode(e.a);
    graph.mergeNode(e.b);
    graph.addEdge(e.a, e.b, { weight: e.weight });
  }
  if (graph.size === 0) return { rings: [], modularity: 0, communities: 0, nodes: 0, edges: 0 };
  const detailed = louvain.detailed(graph, { getEdgeWeight: "weight", rng, resolution: settings.resolution });

  const community = (n: string) => detailed.communities[n] as number;
  const members = new Map<number, string[]>();
  for (const node of [...graph.nodes()].sort(cmpStr)) push(members, community(node), node);
  // Bucket edges once: internal to a community, or on the boundary of both ends' communities.
  const internalOf = new Map<number, typeof edges>();
  const boundaryWeight = new Map<number, number>();
  const strongest = new Map<string, number>();
  for (const e of edges) {
    const ca = community(e.a);
    const cb = community(e.b);
    if (ca === cb) {
      push(internalOf, ca, e);
      strongest.set(e.a, Math.max(strongest.get(e.a) ?? 0, e.weight));
      strongest.set(e.b, Math.max(strongest.get(e.b) ?? 0, e.weight));
    } else {
      boundaryWeight.set(ca, (boundaryWeight.get(ca) ?? 0) + e.weight);
      boundaryWeight.set(cb, (boundaryWeight.get(cb) ?? 0) + e.weight);
    }
  }
  const candidates = new Set([...members.values()].filter((m) => m.length >= settings.minSize).flat());
  const firmTenders = new Map<string, string[]>();
  for (const p of participation) {
    for (const f of p.firms) if (candidates.has(f)) push(firmTenders, f, p.tender_id);
  }
  const byTender = new Map(participation.map((p) => [p.tender_id, p]));

  const rings: Ring[] = [];
  for (const [c, firms] of members) {
    if (firms.length < settings.minSize) continue;
    const set = new Set(firms);
    const internal = internalOf.get(c) ?? [];
    const evidence = firms.reduce((s, f) => s + (strongest.get(f) ?? 0), 0) / firms.length;
    const k = firms.length;
    const cohesion = internal.length / ((k * (k - 1)) / 2);
    const wIn = internal.reduce((s, e) => s + e.weight, 0);
    const exclusivity = wIn / (wIn + (boundaryWeight.get(c) ?? 0));
    const tenderCount = new Map<string, number>();
    for (const f of firms)
      for (const t of firmTenders.get(f) ?? []) tenderCount.set(t, (tenderCount.get(t) ?? 0) + 1);
    const tenders = [...tenderCount.entries()]
      .filter(([, n]) => n >= 2)
      .map(([t]) => t)
      .sort(cmpStr);
    const winners = new Set(
      tenders.flatMap((t) => (byTender.get(t)?.winners ?? []).filter((w) => set.has(w))),
    );
    const rotation = winners.size / k;
    const weight = Math.min(0.99, evidence * (0.6 + 0.25 * cohesion + 0.15 * exclusivity) + 0.1 * rotation);
    rings.push({
      firms,
      tenders,
      weight: round4(weight),
      parts: {
        evidence: round4(evidence),
        cohesion: round4(cohesion),
        exclusivity: round4(exclusivity),
        rotation: round4(rotation),
      },
      edges: internal.map((e) => ({ a: e.a, b: e.b, weight: e.weight, rules: e.rules })),
    });
  }
  rings.sort((x, y) => y.weight - x.weight || cmpStr(x.firms.join(","), y.firms.join(",")));
  return {
    rings,
    modularity: round4(detailed.modularity),
    communities: detailed.count,
    nodes: graph.order,
    edges: graph.size,
  };
}

export function ringFindings(result: RingResult): Finding[] {
  return result.rings.map((r) => ({
    rule: RULE,
    kind: "ring",
    firms: r.firms,
    tenders: r.tenders,
    weight: r.weight,
    text_zh: `${r.firms.length} 家企业（${r.firms.join("、")}）之间存在 ${r.edges.length} 条关联证据，构成疑似围标团伙：证据强度 ${r.parts.evidence}，紧密度 ${r.parts.cohesion}，排他性 ${r.parts.exclusivity}，${Math.round(r.parts.rotation * r.firms.length)} 家成员在共同参与的 ${r.tenders.length} 个标段中轮流中标。`,
    text_en: `${r.firms.length} firms (${r.firms.join(", ")}) are tied by ${r.edges.length} evidence links, a suspected bid-rigging ring: evidence ${r.parts.evidence}, cohesion ${r.parts.cohesion}, exclusivity ${r.parts.exclusivity}; ${Math.round(r.parts.rotation * r.firms.length)} members won among the ${r.tenders.length} tenders they bid in together.`,
    facts: { ...r.parts, edges: r.edges, modularity: result.modularity, n_tenders: r.tenders.length },
  }));
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
