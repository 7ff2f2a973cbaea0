/**
 * TIGHT_UPLOAD_SEQUENCE — two competing bidders of a tender submitted one right after the other (within
 * `maxGapSeconds`, default 120 s), and did so again in other tenders. Bids filed by one hand, one after
 * the other, from one office (条例 Art. 40 (1): bid files prepared or submitted by the same unit or
 * person) leave this trace even when IPs and machines are disguised.
 *
 * Method (cobid.sql, `upload_pairs`): per tender, submissions ordered by time; each submission is paired
 * with the previous one (LAG) when they come from different firms and are at most
 * options.upload.maxGapSeconds apart; one row per pair and tender (the tightest gap); pairs kept when
 * this repeats in ≥ options.upload.minTenders tenders. The detector can only tighten those thresholds.
 *
 * Exclusion — the deadline rush: right before the deadline many bidders upload at once and consecutive
 * gaps of a minute or two are normal. When the last options.upload.rushWindowSeconds (30 min) before the
 * bid deadline (the last submission, when the deadline is unknown) hold ≥ options.upload.rushMinBids (3)
 * submissions, a gap ending in that window is not counted. Gaps elsewhere — days or hours before the
 * deadline, when the tender's submissions are spread out — are a coincidence only rarely, and twice for
 * the same pair almost never.
 *
 * Weight: baseWeight (0.3) at minTenders, + stepWeight (0.1) per further tender, capped at maxWeight (0.5).
 */
import { cmpStr } from "../domain/compare.ts";
import { round4 } from "../domain/rounding.ts";
import type { CobidFeatures } from "../features/cobid.ts";
import type { Finding } from "../types.ts";

export const RULE = "TIGHT_UPLOAD_SEQUENCE";

export interface TightUploadSettings {
  /** Largest counted gap; effective value is min(this, options.upload.maxGapSeconds). */
  readonly maxGapSeconds: number;
  /** Effective value is max(this, options.upload.minTenders). */
  readonly minTenders: number;
  readonly baseWeight: number;
  readonly stepWeight: number;
  readonly maxWeight: number;
}

export const DEFAULTS: TightUploadSettings = {
  maxGapSeconds: 600,
  minTenders: 2,
  baseWeight: 0.3,
  stepWeight: 0.1,
  maxWeight: 0.5,
};

export function run(
  features: Pick<CobidFeatures, "uploadPairs" | "options">,
  settings: TightUploadSettings = DEFAULTS,
): Finding[] {
  const u = features.options.upload;
  const maxGap = Math.min(settings.maxGapSeconds, u.maxGapSeconds);
  const minTenders = Math.max(settings.minTenders, u.minTenders);
  const findings: Finding[] = [];
  for (const p of features.uploadPairs) {
    const gaps = p.tenders.filter((g) => g.gap_s <= maxGap);
    if (gaps.length < minTenders) continue;
    const weight = round4(
      Math.min(settings.maxWeight, settings.baseWeight + settings.stepWeight * (gaps.length - minTenders)),
    );
    const tenders = gaps.map((g) => g.tender_id).sort(cmpStr);
    const maxSeen = Math.max(...gaps.map((g) => g.gap_s));
    const firms = [p.firm_a, p.firm_b].sort(cmpStr);
    findings.push({
      rule: RULE,
      kind: "pair",
      firms,
      tenders,
      weight,
      text_zh:
        `${firms[0]} 与 ${firms[1]} 在 ${gaps.length} 个标段中先后相隔不超过 ${maxSeen} 秒递交投标文件` +
        `（非截标前集中递交时段），疑似由同一人或同一处连续上传。`,
      text_en:
        `${firms[0]} and ${firms[1]} submitted their bids one right after the other (at most ${maxSeen} s apart) ` +
        `in ${gaps.length} tenders, outside any deadline rush: possibly uploaded by one hand.`,
      facts: {
        n_tenders: gaps.length,
        gaps: gaps.map((g) => ({
          tender_id: g.tender_id,
          gap_s: g.gap_s,
          first_firm: g.first_firm,
          first_at: g.first_at,
          second_at: g.second_at,
          to_deadline_s: g.to_deadline_s,
          n_submitted: g.n_submitted,
          span_s: g.span_s,
          n_rush: g.n_rush,
          deadline: g.deadline,
        })),
        thresholds: {
          max_gap_s: maxGap,
          min_tenders: minTenders,
          rush_window_s: u.rushWindowSeconds,
          rush_min_bids: u.rushMinBids,
        },
      },
    });
  }
  findings.sort((x, y) => cmpStr(x.firms.join(","), y.firms.join(",")));
  return findings;
}
