/**
 * IDENTICAL_PRICES — different firms bid exactly the same price in one tender. cardinal-rs R028 ("Identical bid
 * prices").
 *
 * Method: over all submitted bids of a tender (valid or disqualified, as cardinal-rs), group by exact price
 * (yuan, 2 decimals); a group holding two or more different firms flags the tender and those firms.
 * Red flag: a leaked price copied by the favoured bidder, or cover bids produced from one calculation;
 * 条例 Art. 40 (4) deems bids "abnormally identical" to be collusion.
 * Exclusions: tenders whose method is in `excludeMethods` (prices set by the tenderee; cardinal-rs
 * `no_price_comparison_procurement_methods`, empty by default); with `excludeAtCeiling` (default on, a bidwatch
 * addition) a price equal to the tender's ceiling price (最高投标限价) — bidding the ceiling is a common
 * honest choice and makes identical prices expected.
 * Defaults: weight 0.35 (the strongest process flag: exact ties between independent estimates are rare).
 * Finding: kind `tender`, firms = every firm in an identical-price group.
 */
import type { ProcessFeatures } from "../features/process.ts";
import type { Finding } from "../types.ts";
import { checkSettings, methodMatches, sortFindings, uniqSorted, yuan } from "./process-common.ts";

export const RULE = "IDENTICAL_PRICES";

export interface IdenticalPricesSettings {
  readonly weight: number;
  /** Skip prices equal to the ceiling price. */
  readonly excludeAtCeiling: boolean;
  /** Methods in which prices are predetermined (no price comparison). */
  readonly excludeMethods: readonly string[];
}

export const DEFAULTS: IdenticalPricesSettings = {
  weight: 0.35,
  excludeAtCeiling: true,
  excludeMethods: [],
};

export function run(features: ProcessFeatures, settings: IdenticalPricesSettings = DEFAULTS): Finding[] {
  checkSettings(RULE, DEFAULTS, settings);
  const tenderOf = new Map(features.tenders.map((t) => [t.tender_id, t]));
  const byTender = new Map<string, { price: number; firms: readonly string[] }[]>();
  for (const g of features.identicalPrices) {
    if (settings.excludeAtCeiling && g.at_ceiling) continue;
    const m = tenderOf.get(g.tender_id)?.method ?? null;
    if (settings.excludeMethods.length > 0 && methodMatches(m, settings.excludeMethods)) continue;
    const list = byTender.get(g.tender_id) ?? [];
    list.push({ price: g.price, firms: g.firms });
    byTender.set(g.tender_id, list);
  }
  const findings: Finding[] = [];
  for (const [tender, groups] of byTender) {
    groups.sort((a, b) => a.price - b.price);
    const firms = uniqSorted(groups.flatMap((g) => g.firms));
    const zh = groups.map((g) => `${g.firms.join("、")} 报价均为 ${yuan(g.price)} 元`).join("；");
    const en = groups.map((g) => `${g.firms.join(", ")} all bid ${yuan(g.price)} yuan`).join("; ");
    findings.push({
      rule: RULE,
      kind: "tender",
      firms,
      tenders: [tender],
      weight: settings.weight,
      text_zh: `标段 ${tender} 中不同投标人报价完全相同：${zh}。`,
      text_en: `In tender ${tender} different firms bid identical prices: ${en}.`,
      facts: {
        tender_id: tender,
        groups: groups.map((g) => ({ price: g.price, firms: g.firms })),
        ceiling_price: tenderOf.get(tender)?.ceiling_price ?? null,
        thresholds: {
          exclude_at_ceiling: settings.excludeAtCeiling,
          exclude_methods: settings.excludeMethods,
        },
      },
    });
  }
  return sortFindings(findings);
}
