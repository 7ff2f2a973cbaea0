/**
 * LOWEST_BID_DISQUALIFIED — the lowest bid was disqualified in a lowest-price evaluation. cardinal-rs R036
 * ("Lowest bid disqualified").
 *
 * Method: a tender with at least one winning bid is flagged when every bid at its lowest submitted price is
 * disqualified and its `evaluation_method` (评标办法) is a lowest-price method (`lowestPriceMethods`, default
 * `lowest_price`, 经评审的最低投标价法, 最低投标价法, 最低评标价法, 最低价法).
 * `lowestPriceMethods: null` takes every evaluation method, as cardinal-rs's code does.
 * Red flag: under lowest price the cheapest bid should win; disqualifying it on a pretext hands the contract
 * to a dearer, possibly pre-determined bidder. The disqualification reasons go into the facts: 低于成本
 * (below cost) can be a legitimate ground and is for the analyst to weigh.
 * Exclusions: no winning bid (cardinal-rs: no active award); evaluation method missing or not lowest-price;
 * a tie at the lowest price with a bid that stayed valid (cardinal-rs keeps whichever tied bid it saw first).
 * Defaults: weight 0.25.
 * Finding: kind `tender`, firms = the disqualified lowest bidder(s) and the winner(s).
 */
import type { ProcessFeatures } from "../features/process.ts";
import type { Finding } from "../types.ts";
import { checkSettings, methodMatches, sortFindings, uniqSorted, yuan } from "./process-common.ts";

export const RULE = "LOWEST_BID_DISQUALIFIED";

export interface LowestBidDisqualifiedSettings {
  readonly weight: number;
  /** Evaluation methods that award on price alone (exact, trimmed); `null` = every method. */
  readonly lowestPriceMethods: readonly string[] | null;
}

export const DEFAULTS: LowestBidDisqualifiedSettings = {
  weight: 0.25,
  lowestPriceMethods: ["lowest_price", "经评审的最低投标价法", "最低投标价法", "最低评标价法", "最低价法"],
};

export function run(
  features: ProcessFeatures,
  settings: LowestBidDisqualifiedSettings = DEFAULTS,
): Finding[] {
  checkSettings(RULE, DEFAULTS, settings);
  const findings: Finding[] = [];
  for (const t of features.tenders) {
    if (t.winner_firms.length === 0 || !t.lowest_all_disqualified || t.lowest_price === null) continue;
    if (!methodMatches(t.evaluation_method, settings.lowestPriceMethods)) continue;
    const lowest = t.lowest_firms;
    const reasons = t.lowest_disqualify_reasons;
    const why = reasons.length > 0;
    findings.push({
      rule: RULE,
      kind: "tender",
      firms: uniqSorted([...lowest, ...t.winner_firms]),
      tenders: [t.tender_id],
      weight: settings.weight,
      text_zh: `标段 ${t.tender_id}（${t.evaluation_method ?? "?"}）最低报价 ${yuan(t.lowest_price)} 元（${lowest.join("、")}）被否决${why ? `（${reasons.join("；")}）` : ""}，由 ${t.winner_firms.join("、")} 中标。`,
      text_en: `In tender ${t.tender_id} (${t.evaluation_method ?? "?"}) the lowest bid, ${yuan(t.lowest_price)} yuan by ${lowest.join(", ")}, was disqualified${why ? ` (${reasons.join("; ")})` : ""}; ${t.winner_firms.join(", ")} won.`,
      facts: {
        tender_id: t.tender_id,
        evaluation_method: t.evaluation_method,
        lowest_price: t.lowest_price,
        lowest_firms: lowest,
        disqualify_reasons: reasons,
        winners: t.winner_firms,
        winner_price: t.winner_price,
        thresholds: { lowest_price_methods: settings.lowestPriceMethods },
      },
    });
  }
  return sortFindings(findings);
}
