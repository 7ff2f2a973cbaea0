/**
 * SHORT_SUBMISSION_PERIOD — the time between publication and the bid deadline is too short. cardinal-rs R003
 * ("Short submission period").
 *
 * Method: period = days from `published_at` (公告发布时间) to `bid_deadline` (开标/投标截止时间). A tender is flagged
 * when period < the threshold of its method: `methodThresholds[method]`, else `thresholdDays` (cardinal-rs:
 * `threshold` 15, overridable per `procurementMethodDetails`). The defaults per method are China's statutory
 * minimums: 公开招标/邀请招标 20 days (招标投标法 Art. 24; for government procurement 财政部令第87号),
 * 竞争性磋商 10 days (财库〔2014〕214号), 竞争性谈判/询价 3 days (the rule is 3 working days, 财政部令第74号;
 * 3 calendar days is the conservative reading), 单一来源 0 (no bidding period).
 * Days are counted as Chinese law counts periods (`dayCount: "calendar"`, 民法典 Art. 201: the first day is not
 * counted, so publication on 1 March with the deadline on 21 March is 20 days); `"elapsed"` uses cardinal-rs's
 * whole elapsed days (the duration truncated to days).
 * Optionally (`categoryFence`, off by default, a bidwatch addition) a tender is also flagged when its period ≤ the
 * lower fence Q1 − 1.5·IQR of the periods in its category (all tenders when the category has fewer than
 * `minGroupSize`), provided that fence is > 0. The fence is always reported in the facts.
 * Red flag: a short window favours the bidder told in advance and keeps others out.
 * Exclusions: tenders without both times; methods outside `methods` (cardinal-rs `procurement_methods`; null =
 * all).
 * Defaults: thresholdDays 15, methodThresholds as above, dayCount calendar, categoryFence false, minGroupSize
 * 30, weight 0.2.
 * Finding: kind `tender`, firms = the winner(s), if any.
 */
import { type Fence, findFence, type ProcessFeatures } from "../features/process.ts";
import type { Finding } from "../types.ts";
import { checkSettings, fenceFacts, methodMatches, settingsError, sortFindings } from "./process-common.ts";

export const RULE = "SHORT_SUBMISSION_PERIOD";

export interface ShortSubmissionPeriodSettings {
  readonly weight: number;
  /** Minimum whole days for methods not in `methodThresholds` (cardinal-rs default 15). */
  readonly thresholdDays: number;
  /** Minimum days per method (exact, trimmed). */
  readonly methodThresholds: Readonly<Record<string, number>>;
  /** Only these methods are checked; `null` = all. */
  readonly methods: readonly string[] | null;
  readonly dayCount: "calendar" | "elapsed";
  /** Also flag periods at or below the category's lower fence. */
  readonly categoryFence: boolean;
  /** A category with fewer periods uses the fence over all tenders. */
  readonly minGroupSize: number;
}

export const DEFAULTS: ShortSubmissionPeriodSettings = {
  weight: 0.2,
  thresholdDays: 15,
  methodThresholds: { 公开招标: 20, 邀请招标: 20, 竞争性磋商: 10, 竞争性谈判: 3, 询价: 3, 单一来源: 0 },
  methods: null,
  dayCount: "calendar",
  categoryFence: false,
  minGroupSize: 30,
};

export function run(
  features: ProcessFeatures,
  settings: ShortSubmissionPeriodSettings = DEFAULTS,
): Finding[] {
  checkSettings(RULE, DEFAULTS, settings);
  if (settings.dayCount !== "calendar" && settings.dayCount !== "elapsed") {
    throw settingsError(RULE, `dayCount must be "calendar" or "elapsed", got "${String(settings.dayCount)}"`);
  }
  const metric = settings.dayCount === "calendar" ? "submission_days_calendar" : "submission_days_elapsed";
  const fenceOf = (category: string | null): Fence | undefined => {
    const own = category === null ? undefined : findFence(features, metric, category);
    return own && own.n >= settings.minGroupSize ? own : findFence(features, metric);
  };
  const findings: Finding[] = [];
  for (const t of features.tenders) {
    const days = settings.dayCount === "calendar" ? t.submission_days_calendar : t.submission_days_elapsed;
    if (days === null || !methodMatches(t.method, settings.methods)) continue;
    const method = t.method?.trim() ?? null;
    const threshold =
      method !== null && Object.hasOwn(settings.methodThresholds, method)
        ? (settings.methodThresholds[method] as number)
        : settings.thresholdDays;
    const fence = fenceOf(t.category);
    const belowThreshold = days < threshold;
    const belowFence =
      settings.categoryFence && fence !== undefined && fence.lower_fence > 0 && days <= fence.lower_fence;
    if (!belowThreshold && !belowFence) continue;
    const fired = [...(belowThreshold ? ["threshold"] : []), ...(belowFence ? ["category_fence"] : [])];
    const limitZh = belowThreshold
      ? `少于${method ?? ""}法定/设定最短期限 ${threshold} 日`
      : `不高于同类项目异常下限 ${fence?.lower_fence.toFixed(1)} 日`;
    const limitEn = belowThreshold
      ? `shorter than the minimum of ${threshold} days${method ? ` for ${method}` : ""}`
      : `at or below the category's lower fence of ${fence?.lower_fence.toFixed(1)} days`;
    findings.push({
      rule: RULE,
      kind: "tender",
      firms: [...t.winner_firms],
      tenders: [t.tender_id],
      weight: settings.weight,
      text_zh: `标段 ${t.tender_id} 于 ${t.published_at} 发布公告，${t.bid_deadline} 截止投标，投标期仅 ${days} 日，${limitZh}。`,
      text_en: `Tender ${t.tender_id} was published at ${t.published_at} with a bid deadline of ${t.bid_deadline}: a submission period of ${days} day(s), ${limitEn}.`,
      facts: {
        tender_id: t.tender_id,
        method: t.method,
        category: t.category,
        published_at: t.published_at,
        bid_deadline: t.bid_deadline,
        submission_days: days,
        day_count: settings.dayCount,
        threshold_days: threshold,
        fired,
        ...(fence ? { fence: { grp: fence.grp, ...fenceFacts(fence) } } : {}),
      },
    });
  }
  return sortFindings(findings);
}
