/**
 * COVER_BIDDER — a firm that bids very often, (almost) never wins, and loses mostly to the same few
 * winners: the "professional cover bidder" (陪标专业户) that lends a ring the appearance of competition
 * (OECD 2009 checklist: "some suppliers unexpectedly withdraw or bid but never win"; "a firm bids
 * against the same winners again and again").
 *
 * Method (per firm with n_bids ≥ options.minFirmBids, from cobid.sql):
 * 1. Bids often: n_bids ≥ `minBids` and above the Tukey upper fence Q3 + fenceK·IQR of bids per firm.
 * 2. (Almost) never wins: wins / bids in tenders with a recorded winner ≤ `maxWinRate`.
 * 3. Same winners: the firm's options.topWinners most frequent winners took ≥ `minTopShare` of the
 *    tenders it lost, and that share is ≥ `minShareLift` × the share the same winners take of the
 *    decided tenders in the firm's markets (region × category, weighted by where the firm lost).
 *
 * Why 3 needs a baseline: a weak but honest firm in a small market also loses to the same two or three
 * firms — they are the whole market. Its concentration is what the market predicts (lift ≈ 1); a cover
 * bidder's losses are concentrated on its principals far beyond their market share.
 *
 * Weight: baseWeight (0.15) + noWinWeight (0.1) when the firm never won + concentratedWeight (0.05) when
 * the top winners took ≥ `concentratedShare` of its losses; 0.15–0.3.
 *
 * Exclusions: tenders without a recorded winner (they say nothing about losing); firms below the bid
 * fence; firms whose losses follow their markets' winners.
 */
import { cmpStr } from "../domain/compare.ts";
import { round4 } from "../domain/rounding.ts";
import { type CobidFeatures, upperFence } from "../features/cobid.ts";
import type { Finding } from "../types.ts";

export const RULE = "COVER_BIDDER";

export interface CoverBidderSettings {
  readonly fenceK: number;
  /** Floor under the fence of bids per firm. */
  readonly minBids: number;
  readonly maxWinRate: number;
  readonly minTopShare: number;
  readonly minShareLift: number;
  readonly concentratedShare: number;
  readonly baseWeight: number;
  readonly noWinWeight: number;
  readonly concentratedWeight: number;
}

export const DEFAULTS: CoverBidderSettings = {
  fenceK: 1.5,
  minBids: 10,
  maxWinRate: 0.05,
  minTopShare: 0.6,
  minShareLift: 2,
  concentratedShare: 0.8,
  baseWeight: 0.15,
  noWinWeight: 0.1,
  concentratedWeight: 0.05,
};

export function run(
  features: Pick<CobidFeatures, "firms" | "firmBids" | "options">,
  settings: CoverBidderSettings = DEFAULTS,
): Finding[] {
  const q = features.firmBids;
  const fence = upperFence(q, settings.fenceK);
  const findings: Finding[] = [];
  for (const f of features.firms) {
    if (f.n_bids < settings.minBids || !(f.n_bids > fence)) continue;
    if (f.n_decided === 0 || f.n_lost === 0) continue;
    const winRate = f.n_wins / f.n_decided;
    if (winRate > settings.maxWinRate) continue;
    const topShare = f.n_lost_to_top / f.n_lost;
    if (topShare < settings.minTopShare) continue;
    const shareLift = f.baseline_top_share > 0 ? topShare / f.baseline_top_share : null;
    if (shareLift !== null && shareLift < settings.minShareLift) continue;

    const weight = round4(
      settings.baseWeight +
        (f.n_wins === 0 ? settings.noWinWeight : 0) +
        (topShare >= settings.concentratedShare ? settings.concentratedWeight : 0),
    );
    const tenders = [...new Set(f.top_winners.flatMap((w) => w.tenders))].sort(cmpStr);
    const winners = f.top_winners.map((w) => w.firm_id);
    const pct = (x: number) => `${Math.round(x * 100)}%`;
    findings.push({
      rule: RULE,
      kind: "firm",
      firms: [f.firm_id],
      tenders,
      weight,
      text_zh:
        `${f.firm_id} 投标 ${f.n_bids} 次（高于阈值 ${round4(fence)}），仅中标 ${f.n_wins} 次；` +
        `其 ${f.n_lost} 次落标中 ${f.n_lost_to_top} 次（${pct(topShare)}）输给同一批中标人（${winners.join("、")}），` +
        `而这些企业在同市场仅占已定标标段的 ${pct(f.baseline_top_share)}，疑似长期陪标。`,
      text_en:
        `${f.firm_id} bid ${f.n_bids} times (above the fence ${round4(fence)}) and won ${f.n_wins}; ` +
        `${f.n_lost_to_top} of its ${f.n_lost} losses (${pct(topShare)}) went to the same winners ` +
        `(${winners.join(", ")}), who take only ${pct(f.baseline_top_share)} of the decided tenders in its ` +
        `markets. Possible habitual cover bidder.`,
      facts: {
        n_bids: f.n_bids,
        n_valid: f.n_valid,
        n_disqualified: f.n_disqualified,
        n_wins: f.n_wins,
        n_decided: f.n_decided,
        win_rate: round4(winRate),
        n_lost: f.n_lost,
        n_distinct_winners: f.n_distinct_winners,
        n_lost_to_top: f.n_lost_to_top,
        top_share: round4(topShare),
        baseline_top_share: round4(f.baseline_top_share),
        share_lift: shareLift === null ? null : round4(shareLift),
        top_winners: f.top_winners.map((w) => ({ firm_id: w.firm_id, n_tenders: w.n })),
        thresholds: {
          bids_q1: round4(q.q1),
          bids_median: round4(q.median),
          bids_q3: round4(q.q3),
          n_firms: q.n,
          fence_k: settings.fenceK,
          bids_fence: round4(fence),
          min_bids: settings.minBids,
          max_win_rate: settings.maxWinRate,
          top_winners: features.options.topWinners,
          min_top_share: settings.minTopShare,
          min_share_lift: settings.minShareLift,
        },
      },
    });
  }
  findings.sort((x, y) => cmpStr(x.firms.join(","), y.firms.join(",")));
  return findings;
}
