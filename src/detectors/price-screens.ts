/**
 * PRICE_SCREENS — a tender whose bid distribution lies beyond its group's fences (category × size band,
 * Tukey fences Q1 − 1.5·IQR / Q3 + 1.5·IQR over all tenders of the group, as cardinal-rs) in the direction
 * that marks collusion (Imhof 2017; Huber & Imhof 2019): low coefficient of variation, low spread, very
 * regular gaps (low gap CV), a winner far from a tight cluster of losing bids (high relative distance),
 * or a very tight group of three adjacent bids (low minimum subset CV: an incomplete cartel inside an
 * otherwise competitive tender, Wallimann, Imhof & Huber 2022).
 * Exclusions: tenders with fewer than 4 valid bids (screens are noise there).
 * Weight: 0.12 per screen beyond its fence, capped at 0.45 — statistics never outrank statutory evidence.
 */
import { cmpStr } from "../domain/compare.ts";
import { round4 } from "../domain/rounding.ts";
import type { ScreenFeatures } from "../features/screen-stage.ts";
import type { Finding } from "../types.ts";

export const RULE = "PRICE_SCREENS";

export interface PriceScreenSettings {
  readonly perScreen: number;
  readonly maxWeight: number;
}

export const DEFAULTS: PriceScreenSettings = { perScreen: 0.12, maxWeight: 0.45 };

const ZH: Readonly<Record<string, string>> = {
  cv: "变异系数偏低",
  spd: "报价极差偏小",
  gap_cv: "报价间隔异常规律",
  rd: "中标价与其余报价相对距离偏大",
  sub3_cv_min: "存在高度聚集的报价子组",
};

export function run(features: ScreenFeatures, settings: PriceScreenSettings = DEFAULTS): Finding[] {
  const byTender = new Map<string, (typeof features.flagged)[number][]>();
  for (const f of features.flagged) byTender.set(f.tender_id, [...(byTender.get(f.tender_id) ?? []), f]);
  const out: Finding[] = [];
  for (const [tender, flags] of byTender) {
    const sorted = [...flags].sort((a, b) => cmpStr(a.screen, b.screen));
    out.push({
      rule: RULE,
      kind: "tender",
      firms: [],
      tenders: [tender],
      weight: round4(Math.min(settings.maxWeight, settings.perScreen * sorted.length)),
      text_zh: `标段 ${tender} 的报价分布异常：${sorted.map((f) => `${ZH[f.screen]}（${round4(f.value)}，阈值 ${round4(f.screen === "rd" ? f.upper_fence : f.lower_fence)}）`).join("；")}。`,
      text_en: `Tender ${tender} has an unusual bid distribution: ${sorted.map((f) => `${f.screen} ${round4(f.value)} beyond fence ${round4(f.screen === "rd" ? f.upper_fence : f.lower_fence)}`).join("; ")}.`,
      facts: {
        screens: sorted.map((f) => ({
          screen: f.screen,
          value: f.value,
          q1: f.q1,
          q3: f.q3,
          lower_fence: f.lower_fence,
          upper_fence: f.upper_fence,
          basis: f.basis,
        })),
        group: { category: sorted[0]?.category, size_band: sorted[0]?.size_band },
        n_bids: sorted[0]?.n_bids,
        thresholds: {
          min_bids: features.minBids,
          per_screen: settings.perScreen,
          max_weight: settings.maxWeight,
        },
      },
    });
  }
  return out.sort((a, b) => cmpStr(a.tenders[0] ?? "", b.tenders[0] ?? ""));
}
