/**
 * EXCESSIVE_DISQUALIFICATION — a tenderee, agency or bidder whose share of disqualified bids is a high outlier.
 * cardinal-rs R038 ("Excessive disqualified bids"), with cardinal-rs's Buyer = tenderee (招标人), ProcuringEntity
 * = agency (招标代理机构), Tenderer = bidder.
 *
 * Method: per subject, ratio = disqualified bids / submitted bids over all its tenders (for a tenderee or agency:
 * the bids its tenders received; for a bidder: its own bids). Within each subject type the subject is flagged when
 * ratio ≥ the upper fence Q3 + 1.5·IQR of the ratios of that type (statrs / type-8 quartiles), or ≥ `threshold`.
 * Red flag: a tenderee or agency that disqualifies often can steer awards to pre-determined bidders; a bidder
 * that is disqualified often may be submitting deliberately invalid cover bids.
 * Exclusions (as cardinal-rs): bidders with fewer than 2 submitted bids, tenderees/agencies with fewer than 2
 * tenders (feature options `disqualificationMinBids`, `disqualificationMinTenders`; they shape the fence);
 * a subject type is skipped when its upper fence ≤ 0 (when three quarters have no disqualification at all).
 * Defaults: threshold null (data-driven fence), all three subject types, weight 0.2.
 * Finding: kind `firm` with firms = [subject id] — also for tenderees and agencies, whose role is in
 * `facts.subject`; tenders = the subject's tenders with a disqualified bid.
 */
import { type DisqualificationSubject, findFence, type ProcessFeatures } from "../features/process.ts";
import type { Finding } from "../types.ts";
import { checkSettings, fenceFacts, pct, round6, settingsError, sortFindings } from "./process-common.ts";

export const RULE = "EXCESSIVE_DISQUALIFICATION";

export interface ExcessiveDisqualificationSettings {
  readonly weight: number;
  /** Fixed upper fence (a ratio); `null` = Q3 + k·IQR per subject type. cardinal-rs `[R038] threshold`. */
  readonly threshold: number | null;
  readonly subjects: readonly DisqualificationSubject[];
}

export const DEFAULTS: ExcessiveDisqualificationSettings = {
  weight: 0.2,
  threshold: null,
  subjects: ["tenderee", "agency", "bidder"],
};

const LABEL: Record<DisqualificationSubject, { zh: string; en: string }> = {
  tenderee: { zh: "招标人", en: "Tenderee" },
  agency: { zh: "招标代理机构", en: "Agency" },
  bidder: { zh: "投标人", en: "Bidder" },
};

export function run(
  features: ProcessFeatures,
  settings: ExcessiveDisqualificationSettings = DEFAULTS,
): Finding[] {
  checkSettings(RULE, DEFAULTS, settings);
  for (const s of settings.subjects) {
    if (!(s in LABEL)) throw settingsError(RULE, `unknown subject "${s}" (tenderee, agency, bidder)`);
  }
  const findings: Finding[] = [];
  for (const subject of settings.subjects) {
    const fence = findFence(features, "disqualified_ratio", subject);
    let upper: number;
    let basis: Record<string, unknown>;
    if (settings.threshold !== null) {
      upper = settings.threshold;
      basis = { threshold: settings.threshold };
    } else {
      if (!fence) continue;
      upper = fence.upper_fence;
      basis = { fence: fenceFacts(fence), k: features.options.fenceK };
    }
    if (!(upper > 0)) continue;
    const minimum =
      subject === "bidder"
        ? { min_submitted_bids: features.options.disqualificationMinBids }
        : { min_tenders: features.options.disqualificationMinTenders };
    const label = LABEL[subject];
    for (const r of features.disqualificationRates) {
      if (r.subject !== subject || !r.eligible || r.ratio < upper) continue;
      findings.push({
        rule: RULE,
        kind: "firm",
        firms: [r.subject_id],
        tenders: [...r.tenders],
        weight: settings.weight,
        text_zh: `${label.zh} ${r.subject_id} 在 ${r.n_tenders} 个标段的 ${r.n_bids} 份投标中有 ${r.n_disqualified} 份被否决（${pct(r.ratio)}），不低于异常上限 ${pct(upper)}。`,
        text_en: `${label.en} ${r.subject_id}: ${r.n_disqualified} of ${r.n_bids} bids in ${r.n_tenders} tender(s) disqualified (${pct(r.ratio)}), at or above the upper fence ${pct(upper)}.`,
        facts: {
          subject,
          subject_id: r.subject_id,
          n_tenders: r.n_tenders,
          n_bids: r.n_bids,
          n_disqualified: r.n_disqualified,
          ratio: round6(r.ratio),
          upper_fence: round6(upper),
          ...minimum,
          ...basis,
        },
      });
    }
  }
  return sortFindings(findings, (f) => String(f.facts.subject));
}
