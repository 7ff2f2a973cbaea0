/**
 * SINGLE_BID — only one firm submitted a bid in a competitive tender. cardinal-rs R018 ("Single bid received").
 *
 * Method: a tender is flagged when its bids come from exactly one distinct firm and its method (`method`,
 * 招标方式/采购方式) is competitive: one of `methods` (default 公开招标, 邀请招标 and OCDS `open`, `selective`,
 * cardinal-rs's default `open|selective`). `methods: null` takes every method, including a missing one.
 * Red flag: in a competitive procedure a lack of competition may be suppressed competition — the ideal outcome
 * for a corrupt tenderee and a pre-determined bidder (招标投标法 Art. 28 requires re-tendering with fewer than
 * three bidders; a single bid that is awarded all the same deserves a look).
 * Exclusions: tenders without bids; tenders whose method is missing or not competitive (as cardinal-rs).
 * Defaults: weight 0.15 (weak on its own: markets with one capable supplier exist).
 * Finding: kind `tender`, firms = the single bidder.
 */
import type { ProcessFeatures } from "../features/process.ts";
import type { Finding } from "../types.ts";
import { checkSettings, methodMatches, sortFindings } from "./process-common.ts";

export const RULE = "SINGLE_BID";

export interface SingleBidSettings {
  readonly weight: number;
  /** Competitive methods (exact, trimmed); `null` = every method. cardinal-rs `procurement_methods`. */
  readonly methods: readonly string[] | null;
}

export const DEFAULTS: SingleBidSettings = {
  weight: 0.15,
  methods: ["公开招标", "邀请招标", "open", "selective"],
};

export function run(features: ProcessFeatures, settings: SingleBidSettings = DEFAULTS): Finding[] {
  checkSettings(RULE, DEFAULTS, settings);
  const findings: Finding[] = [];
  for (const t of features.tenders) {
    if (t.n_firms !== 1 || !methodMatches(t.method, settings.methods)) continue;
    const firm = t.firms[0] as string;
    const method = t.method ?? "?";
    findings.push({
      rule: RULE,
      kind: "tender",
      firms: [firm],
      tenders: [t.tender_id],
      weight: settings.weight,
      text_zh: `标段 ${t.tender_id}（${method}）仅有 1 家投标人 ${firm} 递交投标文件${t.winner_firms.length > 0 ? "，且已中标" : ""}。`,
      text_en: `Tender ${t.tender_id} (${method}) received bids from a single firm, ${firm}${t.winner_firms.length > 0 ? ", which won" : ""}.`,
      facts: {
        tender_id: t.tender_id,
        method: t.method,
        firm_id: firm,
        n_bids: t.n_bids,
        n_firms: t.n_firms,
        awarded: t.winner_firms.length > 0,
        thresholds: { methods: settings.methods, n_firms: 1 },
      },
    });
  }
  return sortFindings(findings);
}
