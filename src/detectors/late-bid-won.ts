/**
 * LATE_BID_WON — a winning bid was received after the submission deadline. cardinal-rs R030 ("Late bid won").
 *
 * Method: a tender is flagged when one of its valid (not disqualified) winning bids has `submitted_at` later than
 * the tender's `bid_deadline` (开标时间 / 投标截止时间) by more than `graceSeconds`.
 * Red flag: a late bid can only be accepted by the tenderee or agency; it lets the favoured bidder price with
 * knowledge of the bids already in (招标投标法 Art. 28: bids received after the deadline must be refused).
 * On an e-trading platform that locks uploads at the deadline, a late winning bid is either a data error
 * or an override worth explaining.
 * Exclusions: disqualified bids; bids or tenders without a time; late bids that did not win. Unlike cardinal-rs,
 * which takes the winner from the award and assumes the winner has no other valid bid, bidwatch checks the
 * winning bid itself (`is_winner`).
 * Defaults: graceSeconds 0 (as cardinal-rs), weight 0.3.
 * Finding: kind `tender`, firms = the firm(s) of the late winning bid(s).
 */
import type { LateWinningBid, ProcessFeatures } from "../features/process.ts";
import type { Finding } from "../types.ts";
import { checkSettings, settingsError, sortFindings, uniqSorted } from "./process-common.ts";

export const RULE = "LATE_BID_WON";

export interface LateBidWonSettings {
  readonly weight: number;
  /** A bid this many seconds or less after the deadline is not late (clock skew). */
  readonly graceSeconds: number;
}

export const DEFAULTS: LateBidWonSettings = { weight: 0.3, graceSeconds: 0 };

function duration(seconds: number): { zh: string; en: string } {
  if (seconds >= 86400)
    return { zh: `${(seconds / 86400).toFixed(1)} 天`, en: `${(seconds / 86400).toFixed(1)} days` };
  if (seconds >= 3600)
    return { zh: `${(seconds / 3600).toFixed(1)} 小时`, en: `${(seconds / 3600).toFixed(1)} hours` };
  return { zh: `${seconds} 秒`, en: `${seconds} seconds` };
}

export function run(features: ProcessFeatures, settings: LateBidWonSettings = DEFAULTS): Finding[] {
  checkSettings(RULE, DEFAULTS, settings);
  if (!(settings.graceSeconds >= 0)) throw settingsError(RULE, "graceSeconds must be ≥ 0");
  const byTender = new Map<string, LateWinningBid[]>();
  for (const b of features.lateWinningBids) {
    if (b.late_seconds <= settings.graceSeconds) continue;
    const list = byTender.get(b.tender_id) ?? [];
    list.push(b);
    byTender.set(b.tender_id, list);
  }
  const findings: Finding[] = [];
  for (const [tender, bids] of byTender) {
    const first = bids[0] as LateWinningBid;
    const firms = uniqSorted(bids.map((b) => b.firm_id));
    const d = duration(Math.max(...bids.map((b) => b.late_seconds)));
    findings.push({
      rule: RULE,
      kind: "tender",
      firms,
      tenders: [tender],
      weight: settings.weight,
      text_zh: `标段 ${tender} 中标人 ${firms.join("、")} 的投标文件于 ${first.submitted_at} 递交，晚于投标截止时间 ${first.bid_deadline}（逾期 ${d.zh}），仍被接受并中标。`,
      text_en: `In tender ${tender} the winning bid of ${firms.join(", ")} was submitted at ${first.submitted_at}, after the deadline ${first.bid_deadline} (${d.en} late), and still won.`,
      facts: {
        tender_id: tender,
        bid_deadline: first.bid_deadline,
        bids: bids.map((b) => ({
          bid_id: b.bid_id,
          firm_id: b.firm_id,
          submitted_at: b.submitted_at,
          late_seconds: b.late_seconds,
        })),
        thresholds: { grace_seconds: settings.graceSeconds },
      },
    });
  }
  return sortFindings(findings);
}
