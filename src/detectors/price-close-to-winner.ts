/**
 * PRICE_CLOSE_TO_WINNER — the lowest losing valid bid is unusually close to the winning bid. cardinal-rs R024
 * ("Price close to winning bid").
 *
 * Method: for each tender with exactly one winning firm, difference = (lowest valid bid of the other firms −
 * winning bid) / winning bid, the winning bid being the winner's lowest valid bid. The tender is flagged when the
 * difference ≤ the lower fence Q1 − 1.5·IQR of all differences (quartiles as cardinal-rs: statrs, Hyndman & Fan
 * type 8), or ≤ `threshold` when one is set.
 * Red flag: a cover bidder mimics competition with a bid just above its partner's (条例 Art. 40: bids with a
 * regular pattern of differences).
 * Exclusions (as cardinal-rs): no winner or several winning firms; the winner has no valid bid; no valid losing
 * bid; the winner did not bid lowest (the award criterion is then not price only). Without a threshold the rule
 * is skipped when Q1 ≤ 0 or the lower fence ≤ 0 — otherwise a quarter of all tenders would be flagged.
 * Defaults: threshold null (data-driven fence), weight 0.25.
 * Finding: kind `tender`, firms = the winner and the firm(s) of the lowest losing bid.
 */
import { findFence, type ProcessFeatures } from "../features/process.ts";
import type { Finding } from "../types.ts";
import { checkSettings, fenceFacts, pct, round6, sortFindings, uniqSorted, yuan } from "./process-common.ts";

export const RULE = "PRICE_CLOSE_TO_WINNER";

export interface PriceCloseToWinnerSettings {
  readonly weight: number;
  /** Fixed lower fence (a ratio, e.g. 0.005); `null` = Q1 − k·IQR of the data. cardinal-rs `[R024] threshold`. */
  readonly threshold: number | null;
}

export const DEFAULTS: PriceCloseToWinnerSettings = { weight: 0.25, threshold: null };

export function run(features: ProcessFeatures, settings: PriceCloseToWinnerSettings = DEFAULTS): Finding[] {
  checkSettings(RULE, DEFAULTS, settings);
  const fence = findFence(features, "second_lowest_ratio");
  let lower: number;
  let basis: Record<string, unknown>;
  if (settings.threshold !== null) {
    lower = settings.threshold;
    basis = { threshold: settings.threshold };
  } else {
    if (!fence || !(fence.q1 > 0 && fence.lower_fence > 0)) return [];
    lower = fence.lower_fence;
    basis = { fence: fenceFacts(fence), k: features.options.fenceK };
  }
  const findings: Finding[] = [];
  for (const t of features.tenders) {
    const ratio = t.second_lowest_ratio;
    if (ratio === null || ratio > lower) continue;
    const winner = t.winner_firms[0] as string;
    const winPrice = t.winner_price as number;
    const secondPrice = t.lowest_non_winner_price as number;
    const seconds = t.lowest_non_winner_firms;
    findings.push({
      rule: RULE,
      kind: "tender",
      firms: uniqSorted([winner, ...seconds]),
      tenders: [t.tender_id],
      weight: settings.weight,
      text_zh: `标段 ${t.tender_id} 中标人 ${winner} 报价 ${yuan(winPrice)} 元，次低有效报价（${seconds.join("、")}）${yuan(secondPrice)} 元，仅高出 ${pct(ratio)}，不高于异常下限 ${pct(lower)}。`,
      text_en: `In tender ${t.tender_id} the winner ${winner} bid ${yuan(winPrice)} yuan and the lowest losing valid bid (${seconds.join(", ")}) ${yuan(secondPrice)} yuan, only ${pct(ratio)} higher, at or below the lower fence ${pct(lower)}.`,
      facts: {
        tender_id: t.tender_id,
        winner,
        winner_price: winPrice,
        second_lowest_firms: seconds,
        second_lowest_price: secondPrice,
        difference: round6(ratio),
        lower_fence: round6(lower),
        ...basis,
      },
    });
  }
  return sortFindings(findings);
}
