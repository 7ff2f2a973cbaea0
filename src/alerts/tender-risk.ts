/**
 * Tender-level risk (pure): every finding that names a tender contributes its weight to that tender;
 * risk = noisy-OR of the strongest weight per rule, top reasons = rules by weight.
 */
import { cmpStr } from "../domain/compare.ts";
import type { Finding } from "../types.ts";
import { combineWeights } from "./build.ts";

export interface TenderRisk {
  readonly tender_id: string;
  readonly risk_score: number;
  readonly top_reasons: readonly string[];
}

export function tenderRisk(tenderIds: readonly string[], findings: readonly Finding[]): TenderRisk[] {
  const perTender = new Map<string, Map<string, number>>();
  for (const f of findings) {
    for (const t of f.tenders) {
      let rules = perTender.get(t);
      if (!rules) {
        rules = new Map();
        perTender.set(t, rules);
      }
      rules.set(f.rule, Math.max(rules.get(f.rule) ?? 0, f.weight));
    }
  }
  // Most tenders have no finding: they share one score and one (empty, never modified) reason list.
  const none = { risk_score: combineWeights([]), top_reasons: [] as readonly string[] };
  // The default sort compares UTF-16 code units, as cmpStr does.
  return [...tenderIds].sort().map((tender_id) => {
    const rules = perTender.get(tender_id);
    if (rules === undefined) return { tender_id, ...none };
    const ordered = [...rules.entries()].sort((a, b) => b[1] - a[1] || cmpStr(a[0], b[0]));
    return {
      tender_id,
      risk_score: combineWeights(ordered.map(([, w]) => w)),
      top_reasons: ordered.slice(0, 3).map(([r]) => r),
    };
  });
}
