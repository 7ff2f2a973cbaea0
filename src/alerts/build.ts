/**
 * Turns findings into ranked alerts (pure). Findings about the same subject (kind + firms, or the tender
 * for tender alerts) form one alert; pair findings inside a ring are the ring alert's evidence. Score =
 * noisy-OR of the strongest weight per rule:
 *   score = 1 − Π_rules (1 − w_rule),
 * so independent evidence accumulates and no single rule reaches 1. A ring alert's score is its RING weight
 * (which already sums up the pair evidence) combined with non-pair findings about it. Watch-listed firms
 * raise the score: 1 − (1 − score)^m (store.ts `applyBoost`). Rank: score desc, amount desc, id asc.
 * The id is a fingerprint of the subject, so the same finding on a later night keeps its id.
 */
import { createHash } from "node:crypto";
import { cmpStr } from "../domain/compare.ts";
import { round2, round4 } from "../domain/rounding.ts";
import type { Alert, AlertKind, Evidence, Finding, RouteProposal } from "../types.ts";
import { applyBoost, rankAlerts } from "./rank.ts";

export interface AlertContext {
  /** Award value per tender (award_price, else the winning bid), yuan. */
  readonly tenderValue: ReadonlyMap<string, number>;
  /** Firm display names. */
  readonly firmNames: ReadonlyMap<string, string>;
  /** Routing rules (routing.ts); without them every alert goes to the analyst queue only. */
  readonly route?: (
    alert: Pick<Alert, "kind" | "firms" | "tenders" | "amount" | "evidence">,
  ) => readonly RouteProposal[];
  /** Watch-list multiplier m ≥ 1 for an alert's firms (重点关注对象): score becomes 1 − (1 − score)^m. */
  readonly boost?: (firms: readonly string[]) => number;
}

export function subjectKey(kind: AlertKind, firms: readonly string[], tenders: readonly string[]): string {
  return kind === "tender" ? `tender|${tenders.join(",")}` : `${kind}|${[...firms].sort().join(",")}`;
}

export function alertId(subject: string): string {
  return `A-${createHash("sha256").update(subject).digest("hex").slice(0, 16)}`;
}

export function combineWeights(weights: readonly number[]): number {
  return round4(1 - weights.reduce((p, w) => p * (1 - Math.min(1, Math.max(0, w))), 1));
}

/**
 * The subject a finding belongs to. Pair findings between two members of the same ring become evidence of
 * the ring alert (two-firm groups stay pair alerts).
 */
function groupKey(f: Finding, ringOf: ReadonlyMap<string, string>): string {
  if (f.kind === "pair" && f.firms.length === 2) {
    const ra = ringOf.get(f.firms[0] as string);
    if (ra !== undefined && ra === ringOf.get(f.firms[1] as string)) return ra;
  }
  return subjectKey(f.kind, f.firms, f.tenders);
}

export function buildAlerts(findings: readonly Finding[], ctx: AlertContext): Alert[] {
  const ringOf = new Map<string, string>();
  for (const f of findings) {
    if (f.kind !== "ring") continue;
    const key = subjectKey("ring", f.firms, f.tenders);
    for (const firm of f.firms) ringOf.set(firm, key);
  }
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = groupKey(f, ringOf);
    const g = groups.get(key);
    if (g) g.push(f);
    else groups.set(key, [f]);
  }
  const unranked: Omit<Alert, "rank">[] = [];
  for (const [key, group] of groups) {
    const first = group.find((f) => f.kind === "ring") ?? (group[0] as Finding);
    const firms = [...new Set(group.flatMap((f) => f.firms))].sort(cmpStr);
    // A ring's tenders are those its members bid in together (the ring finding's own list).
    const tenders = [
      ...new Set(first.kind === "ring" ? first.tenders : group.flatMap((f) => f.tenders)),
    ].sort(cmpStr);
    // A ring's weight already sums up its members' pair evidence (rings.ts); that evidence is listed but
    // not counted again.
    const scored = first.kind === "ring" ? group.filter((f) => f.kind !== "pair") : group;
    const bestPerRule = new Map<string, number>();
    for (const f of scored) bestPerRule.set(f.rule, Math.max(bestPerRule.get(f.rule) ?? 0, f.weight));
    const evidence: Evidence[] = [...group]
      .sort((a, b) => b.weight - a.weight || cmpStr(a.rule, b.rule))
      .map((f) => ({
        rule: f.rule,
        weight: f.weight,
        text_zh: f.text_zh,
        text_en: f.text_en,
        facts: f.facts,
      }));
    const amount = round2(tenders.reduce((s, t) => s + (ctx.tenderValue.get(t) ?? 0), 0));
    const raw = combineWeights([...bestPerRule.values()]);
    const multiplier = ctx.boost ? ctx.boost(firms) : 1;
    const subject = { kind: first.kind, firms, tenders, amount, evidence };
    const routing: readonly RouteProposal[] = ctx.route
      ? ctx.route(subject)
      : [
          {
            channel: "analyst",
            reason_zh: "所有预警线索均进入分析研判队列。",
            reason_en: "Every alert goes to the analyst queue.",
          },
        ];
    const base = {
      id: alertId(key),
      score: applyBoost(raw, multiplier),
      kind: first.kind,
      firms,
      tenders,
      amount,
      channels: routing.map((r) => r.channel),
      evidence,
    };
    unranked.push({ ...base, ...summaries(base, ctx), routing });
  }
  return rankAlerts(unranked);
}

function summaries(
  a: {
    kind: AlertKind;
    firms: readonly string[];
    tenders: readonly string[];
    amount: number;
    score: number;
    evidence: readonly Evidence[];
  },
  ctx: AlertContext,
): { summary_zh: string; summary_en: string } {
  const names = a.firms.map((f) => ctx.firmNames.get(f) ?? f);
  const rules = [...new Set(a.evidence.map((e) => e.rule))];
  const kindZh = {
    ring: "疑似围标团伙",
    pair: "疑似串通投标企业对",
    tender: "疑似串通投标标段",
    firm: "疑似违规企业",
  }[a.kind];
  const kindEn = {
    ring: "Suspected bid-rigging ring",
    pair: "Suspected colluding pair",
    tender: "Suspected rigged tender",
    firm: "Suspected firm",
  }[a.kind];
  const amountWan = (a.amount / 10_000).toFixed(2);
  const top = a.evidence[0];
  return {
    summary_zh: `${kindZh}：${names.join("、")}，涉及 ${a.tenders.length} 个标段，涉案金额 ${amountWan} 万元，风险分 ${a.score.toFixed(2)}。依据：${rules.join("、")}。${top ? top.text_zh : ""}建议核查投标文件制作及递交情况。`,
    summary_en: `${kindEn}: ${names.join(", ")}, in ${a.tenders.length} tender(s) worth ${a.amount.toFixed(2)} yuan, risk score ${a.score.toFixed(2)}. Grounds: ${rules.join(", ")}. ${top ? top.text_en : ""} Check how and where the bid files were prepared and submitted.`,
  };
}
