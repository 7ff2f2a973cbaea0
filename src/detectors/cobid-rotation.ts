/**
 * COBID_ROTATION — two firms that bid together far more often than their markets explain and take turns
 * beating each other (bid rotation, OECD 2009 "Guidelines for fighting bid rigging": "the same suppliers
 * submit bids and each company seems to take a turn being the successful bidder").
 *
 * Method (per pair with n_together ≥ options.minTogether, from cobid.sql):
 * 1. Frequent co-bidding: Jaccard = together / (n_a + n_b − together) above the Tukey upper fence
 *    Q3 + fenceK·IQR of Jaccard over all pairs that met that often, and at least `minJaccard`.
 * 2. Not explained by a small market: lift = together / expected ≥ `minLift`, where `expected` is the
 *    number of meetings if each firm chose its tenders independently within each market
 *    (region × category): Σ_m n_a,m · n_b,m / N_m. Honest firms of a small market meet in most of its
 *    tenders simply because there is nobody else; their meetings are what independent entry predicts
 *    (lift ≈ 1). A ring coordinates entry — the covers must show up where the designated winner bids —
 *    so its members meet more than their markets explain (Conley & Decarolis 2016, coordinated entry).
 * 3. Rotation symmetry: each firm beat the other in at least `minWinsEach` shared tenders (a cover
 *    bidder that never wins is COVER_BIDDER's business).
 *
 * Weight: baseWeight + pairWinWeight × (share of the pair's decided shared tenders won by one of the two)
 * + alternationWeight when, in time order, the pair's wins (≥ 3) strictly alternate between the two.
 * Defaults 0.2 + 0.1 + 0.1, so 0.2–0.4: co-bidding patterns are circumstantial and need another
 * channel (prices, identifiers) before anyone acts.
 *
 * Exclusions: tenders with more than options.maxBidders bidders (cobid.sql); pairs meeting fewer than
 * options.minTogether times; pairs whose meetings the market explains (lift < minLift); pairs where one
 * never beats the other.
 */
import { cmpStr } from "../domain/compare.ts";
import { round4 } from "../domain/rounding.ts";
import { type CobidFeatures, type CobidPair, type SharedWinner, upperFence } from "../features/cobid.ts";
import type { Finding } from "../types.ts";

export const RULE = "COBID_ROTATION";

export interface CobidRotationSettings {
  /** Fence width in IQRs of the Jaccard distribution. */
  readonly fenceK: number;
  /** Floor under the fence (a sparse market can have a tiny fence). */
  readonly minJaccard: number;
  /** Meetings must be at least this many times what independent entry in the markets predicts. */
  readonly minLift: number;
  /** Each firm must have beaten the other in at least this many shared tenders. */
  readonly minWinsEach: number;
  readonly baseWeight: number;
  readonly pairWinWeight: number;
  readonly alternationWeight: number;
}

export const DEFAULTS: CobidRotationSettings = {
  fenceK: 1.5,
  minJaccard: 0.1,
  minLift: 2,
  minWinsEach: 1,
  baseWeight: 0.2,
  pairWinWeight: 0.1,
  alternationWeight: 0.1,
};

/** In time order, the pair's own wins (a or b) and how often consecutive ones switch winner. */
export function alternation(winners: readonly SharedWinner[]): { pair_wins: number; switches: number } {
  const seq = winners.filter((w) => w === "a" || w === "b" || w === "ab");
  let switches = 0;
  for (let i = 1; i < seq.length; i++) {
    const prev = seq[i - 1];
    const cur = seq[i];
    if (prev !== "ab" && cur !== "ab" && prev !== cur) switches++;
  }
  return { pair_wins: seq.length, switches };
}

function winnerLabel(p: CobidPair, w: SharedWinner): string {
  switch (w) {
    case "a":
      return p.firm_a;
    case "b":
      return p.firm_b;
    case "ab":
      return `${p.firm_a}+${p.firm_b}`;
    default:
      return w;
  }
}

export function run(
  features: Pick<CobidFeatures, "pairs" | "pairJaccard" | "options">,
  settings: CobidRotationSettings = DEFAULTS,
): Finding[] {
  const q = features.pairJaccard;
  const fence = upperFence(q, settings.fenceK);
  const findings: Finding[] = [];
  for (const p of features.pairs) {
    if (!(p.jaccard > fence && p.jaccard >= settings.minJaccard)) continue;
    if (p.lift === null || p.lift < settings.minLift) continue;
    if (p.a_lost_to_b < settings.minWinsEach || p.b_lost_to_a < settings.minWinsEach) continue;

    const pairWins = p.n_decided - p.outsider_wins;
    const pairWinShare = p.n_decided > 0 ? pairWins / p.n_decided : 0;
    const alt = alternation(p.winners);
    const alternating = alt.pair_wins >= 3 && alt.switches === alt.pair_wins - 1;
    const weight = round4(
      settings.baseWeight +
        settings.pairWinWeight * pairWinShare +
        (alternating ? settings.alternationWeight : 0),
    );
    const firms = [p.firm_a, p.firm_b].sort(cmpStr);
    const tenders = [...p.tenders].sort(cmpStr);
    const [a, b] = [p.firm_a, p.firm_b];
    findings.push({
      rule: RULE,
      kind: "pair",
      firms,
      tenders,
      weight,
      text_zh:
        `${a} 与 ${b} 共同投标 ${p.n_together} 次（Jaccard ${round4(p.jaccard)}，高于阈值 ${round4(fence)}；` +
        `为同市场独立投标预期的 ${round4(p.lift)} 倍），且互有胜负：${b} 胜 ${a} ${p.a_lost_to_b} 次，` +
        `${a} 胜 ${b} ${p.b_lost_to_a} 次；共同投标的 ${p.n_decided} 个已定标标段中 ${pairWins} 个由二者之一中标` +
        `${alternating ? "，且中标顺序交替轮换" : ""}，疑似轮流坐庄。`,
      text_en:
        `${a} and ${b} bid together in ${p.n_together} tenders (Jaccard ${round4(p.jaccard)}, above the fence ` +
        `${round4(fence)}; ${round4(p.lift)}× what independent entry in their markets predicts) and take turns ` +
        `winning: ${b} beat ${a} ${p.a_lost_to_b} time(s), ${a} beat ${b} ${p.b_lost_to_a} time(s); ${pairWins} of ` +
        `the ${p.n_decided} decided shared tenders went to one of the two${alternating ? ", alternating in time" : ""}. ` +
        `Possible bid rotation.`,
      facts: {
        n_together: p.n_together,
        n_a: p.n_a,
        n_b: p.n_b,
        jaccard: round4(p.jaccard),
        expected_together: round4(p.expected_together),
        lift: round4(p.lift),
        wins_a: p.wins_a,
        wins_b: p.wins_b,
        a_lost_to_b: p.a_lost_to_b,
        b_lost_to_a: p.b_lost_to_a,
        n_decided: p.n_decided,
        outsider_wins: p.outsider_wins,
        pair_win_share: round4(pairWinShare),
        pair_wins_in_order: alt.pair_wins,
        winner_switches: alt.switches,
        alternating,
        sequence: p.tenders.map((t, i) => ({ tender_id: t, winner: winnerLabel(p, p.winners[i] ?? "none") })),
        thresholds: {
          jaccard_q1: round4(q.q1),
          jaccard_median: round4(q.median),
          jaccard_q3: round4(q.q3),
          n_pairs: q.n,
          fence_k: settings.fenceK,
          jaccard_fence: round4(fence),
          min_jaccard: settings.minJaccard,
          min_lift: settings.minLift,
          min_wins_each: settings.minWinsEach,
          min_together: features.options.minTogether,
          max_bidders: features.options.maxBidders,
        },
      },
    });
  }
  findings.sort((x, y) => cmpStr(x.firms.join(","), y.firms.join(",")));
  return findings;
}
