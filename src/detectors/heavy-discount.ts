/**
 * HEAVY_DISCOUNT — the winning bid is unusually far below the lowest losing valid bid. cardinal-rs R058
 * ("Heavily discounted bid").
 *
 * Method: the same difference as PRICE_CLOSE_TO_WINNER (R024): (lowest valid bid of the other firms − winning
 * bid) / winning bid, for tenders with exactly one winning firm that bid lowest. The tender is flagged when the
 * difference ≥ the upper fence Q3 + 1.5·IQR of all differences (statrs / type-8 quartiles), or ≥ `threshold`.
 * Facts also give the winning bid's discount to the ceiling price (最高投标限价) when the tender has one.
 * Red flag: an abnormally low bid (低于成本报价) wins, to be recovered later through variations and claims, or
 * lemons are delivered where quality criteria are weak; it can also be a ring's designated winner bidding
 * low to a leaked floor.
 * Exclusions (as cardinal-rs): as PRICE_CLOSE_TO_WINNER; the rule is skipped when the upper fence ≤ 0 (when
 * three quarters of tenders have no difference at all).
 * Defaults: threshold null (data-driven fence), weight 0.15 (price dispersion is also honest competition).
 * Finding: kind `tender`, firms = the winner (cardinal-rs flags the winner only).
 */
import { findFence, type ProcessFeatures } from "../features/process.ts";
import type { Finding } from "../types.ts";
import { checkSettings, fenceFacts, pct, round6, sortFindings, yuan } from "./process-common.ts";

export const RULE = "HEAVY_DISCOUNT";

export interface HeavyDiscountSettings {
  readonly weight: number;
  /** Fixed upper fence (a ratio, e.g. 0.5); `null` = Q3 + k·IQR of the data. cardinal-rs `[R058] threshold`. */
  readonly threshold: number | null;
}

export const DEFAULTS: HeavyDiscountSettings = { weight: 0.15, threshold: null };

export function run(features: ProcessFeatures, settings: HeavyDiscountSettings = DEFAULTS): Finding[] {
  checkSettings(RULE, DEFAULTS, settings);
  const fence = findFence(features, "second_lowest_ratio");
  let upper: number;
  let basis: Record<string, unknown>;
  if (settings.threshold !== null) {
    upper = settings.threshold;
    basis = { threshold: settings.threshold };
  } else {
    if (!fence) return [];
    upper = fence.upper_fence;
    basis = { fence: fenceFacts(fence), k: features.options.fenceK };
  }
  if (!(upper > 0)) return [];
  const findings: Finding[] = [];
  for (const t of features.tenders) {
    const ratio = t.second_lowest_ratio;
    if (ratio === null || ratio < upper) continue;
    const winner = t.winner_firms[0] as string;
    const winPrice = t.winner_price as number;
    const secondPrice = t.lowest_non_winner_price as number;
    const ceiling = t.ceiling_price;
    const discount = ceiling !== null && ceiling > 0 ? round6(1 - winPrice / ceiling) : null;
    findings.push({
      rule: RULE,
      kind: "tender",
      firms: [winner],
      tenders: [t.tender_id],
      weight: settings.weight,
      text_zh: `标段 ${t.tender_id} 中标人 ${winner} 报价 ${yuan(winPrice)} 元，低于次低有效报价 ${yuan(secondPrice)} 元达 ${pct(ratio)}，不低于异常上限 ${pct(upper)}${discount !== null ? `；较最高投标限价下浮 ${pct(discount)}` : ""}。`,
      text_en: `In tender ${t.tender_id} the winner ${winner} bid ${yuan(winPrice)} yuan; the lowest losing valid bid ${yuan(secondPrice)} yuan is ${pct(ratio)} higher, at or above the upper fence ${pct(upper)}${discount !== null ? `; ${pct(discount)} below the ceiling price` : ""}.`,
      facts: {
        tender_id: t.tender_id,
        winner,
        winner_price: winPrice,
        second_lowest_firms: t.lowest_non_winner_firms,
        second_lowest_price: secondPrice,
        difference: round6(ratio),
        upper_fence: round6(upper),
        ceiling_price: ceiling,
        discount_to_ceiling: discount,
        ...basis,
      },
    });
  }
  return sortFindings(findings);
}
