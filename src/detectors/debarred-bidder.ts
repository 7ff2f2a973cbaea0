/**
 * DEBARRED_BIDDER — a firm bid while it, its legal representative or the project manager it proposed was
 * under a sanction in force (取消投标资格 / 禁止参加招标投标 / 失信联合惩戒; 招标投标法 Art. 53–54,
 * 条例 Art. 67–68). A statutory breach in itself, hence the high weight (0.9) and no thresholds.
 *
 * Method (cobid.sql, `debarment`): each bid is linked to sanctions of subject_type `firm` on its firm_id,
 * of subject_type `person` on the firm's legal representative (firms.legal_rep_id or firm_people role
 * legal_rep) and on the bid's project_manager_id. It is a breach when the bid time — submitted_at, else
 * the tender's bid_deadline, else its published_at — falls, as a local date, within
 * [start_date, end_date] (no start date: since ever; no end date: open-ended).
 *
 * One finding per firm and sanction, listing every tender bid in during it. Person ids appear in full
 * only in the facts (for the analyst); texts carry them masked (3301**********1234).
 *
 * Exclusions: sanctions that had ended or not yet started at the bid time; bids with no time at all.
 * The firm's legal representative is the one on file now (the export carries no history of it).
 */
import { cmpStr } from "../domain/compare.ts";
import type { CobidFeatures, SanctionRelation } from "../features/cobid.ts";
import type { Finding } from "../types.ts";

export const RULE = "DEBARRED_BIDDER";

export interface DebarredBidderSettings {
  readonly weight: number;
}

export const DEFAULTS: DebarredBidderSettings = { weight: 0.9 };

/** Masks a person id for display: first 4 and last 4 characters kept (3301**********1234). */
export function maskId(id: string): string {
  const chars = [...id];
  if (chars.length >= 12)
    return `${chars.slice(0, 4).join("")}${"*".repeat(chars.length - 8)}${chars.slice(-4).join("")}`;
  if (chars.length >= 4) return `${"*".repeat(chars.length - 2)}${chars.slice(-2).join("")}`;
  return "*".repeat(chars.length);
}

const RELATION_ZH: Record<SanctionRelation, string> = {
  firm: "该企业",
  legal_rep: "其法定代表人",
  project_manager: "其拟派项目经理",
};
const RELATION_EN: Record<SanctionRelation, string> = {
  firm: "the firm itself",
  legal_rep: "its legal representative",
  project_manager: "its proposed project manager",
};

export function run(
  features: Pick<CobidFeatures, "breaches">,
  settings: DebarredBidderSettings = DEFAULTS,
): Finding[] {
  const findings: Finding[] = [];
  for (const b of features.breaches) {
    const tenders = [...new Set(b.bids.map((x) => x.tender_id))].sort(cmpStr);
    const shown = b.subject_type === "person" ? maskId(b.subject_id) : b.subject_id;
    const who_zh = b.relations.map((r) => RELATION_ZH[r]).join("、");
    const who_en = b.relations.map((r) => RELATION_EN[r]).join(" and ");
    const period_zh = `${b.start_date ?? "不详"} 至 ${b.end_date ?? "长期"}`;
    const period_en = `${b.start_date ?? "unknown"} to ${b.end_date ?? "open-ended"}`;
    const reason_zh = b.reason ? `（${b.reason}）` : "";
    const reason_en = b.reason ? ` (${b.reason})` : "";
    findings.push({
      rule: RULE,
      kind: "firm",
      firms: [b.firm_id],
      tenders,
      weight: settings.weight,
      text_zh:
        `${b.firm_id} 在${who_zh}（${shown}）处于处罚/失信期间（${period_zh}）${reason_zh}仍投标 ` +
        `${tenders.length} 个标段：${tenders.join("、")}。`,
      text_en:
        b.subject_type === "firm"
          ? `${b.firm_id} bid in ${tenders.length} tender(s) (${tenders.join(", ")}) while the firm itself was ` +
            `sanctioned, ${period_en}${reason_en}.`
          : `${b.firm_id} bid in ${tenders.length} tender(s) (${tenders.join(", ")}) while ${shown}, ${who_en}, ` +
            `was sanctioned, ${period_en}${reason_en}.`,
      facts: {
        subject_id: b.subject_id,
        subject_id_masked: shown,
        subject_type: b.subject_type,
        relations: b.relations,
        reason: b.reason,
        start_date: b.start_date,
        end_date: b.end_date,
        n_tenders: tenders.length,
        bids: b.bids.map((x) => ({
          tender_id: x.tender_id,
          bid_id: x.bid_id,
          bid_time: x.bid_time,
          time_basis: x.time_basis,
          relations: x.relations,
        })),
      },
    });
  }
  findings.sort(
    (x, y) =>
      cmpStr(x.firms.join(","), y.firms.join(",")) ||
      cmpStr(String(x.facts.subject_id), String(y.facts.subject_id)) ||
      cmpStr(String(x.facts.start_date ?? ""), String(y.facts.start_date ?? "")),
  );
  return findings;
}
