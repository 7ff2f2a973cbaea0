/**
 * PRICE_REGULAR_PAIR — two firms whose bids sit next to each other in regular steps (equal gaps or equal
 * ratios between three adjacent bids) in two or more tenders.
 * Red flag: 条例 Art. 40 (4) names "bid prices showing regular differences"; cover bids computed from the
 * designated winner's price (×1.01, ×1.02 …) leave exactly this trace, even without any device link.
 * Exclusions: identical prices (IDENTICAL_PRICES), wide windows (span > 10 %), single coincidences
 * (one tender). Weight 0.3 for two tenders, 1 − 0.7^(n−1) for n, capped at 0.7 — statistical evidence,
 * weaker than identity links.
 */
import { round4 } from "../domain/rounding.ts";
import type { PricePatternFeatures } from "../features/price-pattern.ts";
import type { Finding } from "../types.ts";

export const RULE = "PRICE_REGULAR_PAIR";

export interface PriceRegularSettings {
  readonly baseWeight: number;
  readonly maxWeight: number;
}

export const DEFAULTS: PriceRegularSettings = { baseWeight: 0.3, maxWeight: 0.7 };

export function run(features: PricePatternFeatures, settings: PriceRegularSettings = DEFAULTS): Finding[] {
  return features.pairs.map((p) => ({
    rule: RULE,
    kind: "pair",
    firms: [p.firm_a, p.firm_b],
    tenders: p.tenders,
    weight: round4(Math.min(settings.maxWeight, 1 - (1 - settings.baseWeight) ** (p.n_tenders - 1))),
    text_zh: `${p.firm_a} 与 ${p.firm_b} 在 ${p.n_tenders} 个标段中报价相邻且呈规律性差异（等差或等比，最小偏差 ${p.best_dev}）。`,
    text_en: `${p.firm_a} and ${p.firm_b} bid adjacent prices in regular steps (equal gaps or ratios, best deviation ${p.best_dev}) in ${p.n_tenders} tenders.`,
    facts: {
      tenders: p.tenders,
      n_tenders: p.n_tenders,
      best_deviation: p.best_dev,
      thresholds: {
        tolerance: features.settings.tolerance,
        max_span: features.settings.maxSpan,
        min_tenders: features.settings.minTenders,
      },
    },
  }));
}
