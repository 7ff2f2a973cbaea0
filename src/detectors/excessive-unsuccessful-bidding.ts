/**
 * EXCESSIVE_UNSUCCESSFUL_BIDDING — a top bidder that (almost) never wins. cardinal-rs R025 ("Excessive
 * unsuccessful bids").
 *
 * Method: over tenders with exactly one winning firm, per bidder: n = tenders in which it had a valid bid (each
 * tender once), ratio = tenders won / n. A bidder is flagged when n ≥ the upper fence — the 75th percentile of
 * n over all bidders (feature option `unsuccessfulPercentile`) — and ratio ≤ the lower fence Q1 − 1.5·IQR of
 * the ratios (statrs / type-8 quartiles), or ≤ `threshold` when one is set.
 * Red flag: a professional loser — a firm that mimics competition with deliberately losing (cover) bids in
 * tenders where a colluding partner takes turns to win (陪标).
 * Exclusions (as cardinal-rs): tenders with no or several winning firms; disqualified bids; without a threshold
 * the rule is skipped when Q1 ≤ 0 or the lower fence ≤ 0 (when a quarter of bidders never win, most top bidders
 * would be flagged); a threshold ≤ 0 flags nothing.
 * Defaults: threshold null (data-driven fence), weight 0.2.
 * Finding: kind `firm`, firms = [bidder], tenders = the tenders it bid in.
 */
import { findFence, type ProcessFeatures } from "../features/process.ts";
import type { Finding } from "../types.ts";
import { checkSettings, fenceFacts, pct, round6, sortFindings } from "./process-common.ts";

export const RULE = "EXCESSIVE_UNSUCCESSFUL_BIDDING";

export interface ExcessiveUnsuccessfulBiddingSettings {
  readonly weight: number;
  /** Fixed lower fence on the win ratio; `null` = Q1 − k·IQR of the data. cardinal-rs `[R025] threshold`. */
  readonly threshold: number | null;
}

export const DEFAULTS: ExcessiveUnsuccessfulBiddingSettings = { weight: 0.2, threshold: null };

export function run(
  features: ProcessFeatures,
  settings: ExcessiveUnsuccessfulBiddingSettings = DEFAULTS,
): Finding[] {
  checkSettings(RULE, DEFAULTS, settings);
  const counts = findFence(features, "valid_tenders");
  const ratios = findFence(features, "win_ratio");
  if (!counts || !ratios) return [];
  const upper = counts.pct;
  let lower: number;
  let basis: Record<string, unknown>;
  if (settings.threshold !== null) {
    lower = settings.threshold;
    basis = { threshold: settings.threshold };
  } else {
    if (!(ratios.q1 > 0)) return [];
    lower = ratios.lower_fence;
    basis = { fence: fenceFacts(ratios), k: features.options.fenceK };
  }
  if (!(lower > 0)) return [];
  const findings: Finding[] = [];
  for (const r of features.firmWins) {
    if (r.n_valid_tenders < upper || r.win_ratio > lower) continue;
    findings.push({
      rule: RULE,
      kind: "firm",
      firms: [r.firm_id],
      tenders: [...r.tenders],
      weight: settings.weight,
      text_zh: `投标人 ${r.firm_id} 在 ${r.n_valid_tenders} 个标段有效投标（不少于第 ${counts.percentile} 百分位 ${round6(upper)}），仅中标 ${r.n_won} 个（${pct(r.win_ratio)}），不高于异常下限 ${pct(lower)}，疑似陪标。`,
      text_en: `Bidder ${r.firm_id} made valid bids in ${r.n_valid_tenders} tenders (at or above the ${counts.percentile}th percentile, ${round6(upper)}) and won ${r.n_won} (${pct(r.win_ratio)}), at or below the lower fence ${pct(lower)}: a possible cover bidder.`,
      facts: {
        firm_id: r.firm_id,
        n_valid_tenders: r.n_valid_tenders,
        n_won: r.n_won,
        win_ratio: round6(r.win_ratio),
        lower_fence: round6(lower),
        upper_fence_bids: round6(upper),
        bids_percentile: counts.percentile,
        bids_fence_n: counts.n,
        ...basis,
      },
    });
  }
  return sortFindings(findings);
}
