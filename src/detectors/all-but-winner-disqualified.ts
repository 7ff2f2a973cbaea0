/**
 * ALL_BUT_WINNER_DISQUALIFIED — every bidder except the winner was disqualified. cardinal-rs R035 ("All except
 * winning bid disqualified").
 *
 * Method: a tender is flagged when exactly one firm has valid (not disqualified) bids, that firm is the only
 * winner (the set of valid bidders equals the set of winners), and at least `threshold` other firms had bids
 * disqualified (firms with a disqualified bid and no valid bid).
 * Red flag: a corrupt tenderee or evaluation committee hands the contract to the pre-determined bidder by
 * rejecting everybody else (否决投标); it is also how rings let cover bids fail on purpose.
 * Exclusions (as cardinal-rs): no winner; several valid bidders or winners (aggregated awards are not a red
 * flag); fewer than `threshold` disqualified other firms.
 * Defaults: threshold 1 (cardinal-rs default; must be ≥ 1), weight 0.3.
 * Finding: kind `tender`, firms = the winner and the disqualified firms.
 */
import type { ProcessFeatures } from "../features/process.ts";
import type { Finding } from "../types.ts";
import { checkSettings, settingsError, sortFindings, uniqSorted } from "./process-common.ts";

export const RULE = "ALL_BUT_WINNER_DISQUALIFIED";

export interface AllButWinnerDisqualifiedSettings {
  readonly weight: number;
  /** Minimum number of other firms with disqualified bids (≥ 1). cardinal-rs `[R035] threshold`. */
  readonly threshold: number;
}

export const DEFAULTS: AllButWinnerDisqualifiedSettings = { weight: 0.3, threshold: 1 };

export function run(
  features: ProcessFeatures,
  settings: AllButWinnerDisqualifiedSettings = DEFAULTS,
): Finding[] {
  checkSettings(RULE, DEFAULTS, settings);
  if (!Number.isInteger(settings.threshold) || settings.threshold < 1) {
    throw settingsError(RULE, `threshold must be an integer ≥ 1, got ${settings.threshold}`);
  }
  const findings: Finding[] = [];
  for (const t of features.tenders) {
    if (t.valid_firms.length !== 1 || t.winner_firms.length !== 1) continue;
    const winner = t.valid_firms[0] as string;
    if (t.winner_firms[0] !== winner) continue;
    const others = t.disqualified_only_firms;
    if (others.length < settings.threshold) continue;
    findings.push({
      rule: RULE,
      kind: "tender",
      firms: uniqSorted([winner, ...others]),
      tenders: [t.tender_id],
      weight: settings.weight,
      text_zh: `标段 ${t.tender_id} 除中标人 ${winner} 外，其余 ${others.length} 家投标人（${others.join("、")}）均被否决投标。`,
      text_en: `In tender ${t.tender_id} every bidder except the winner ${winner} was disqualified: ${others.length} firm(s) (${others.join(", ")}).`,
      facts: {
        tender_id: t.tender_id,
        winner,
        disqualified_firms: others,
        n_disqualified_firms: others.length,
        n_bids: t.n_bids,
        thresholds: { min_disqualified_firms: settings.threshold },
      },
    });
  }
  return sortFindings(findings);
}
