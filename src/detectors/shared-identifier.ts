/**
 * Shared identifiers between competing bidders of one tender (条例 Art. 40: bid files prepared by the same
 * unit or person). Pure: takes the shared-value features, returns one finding per firm pair, listing every
 * tender and value behind it.
 *
 * Hub discounting: a value used by `hubMinFirms` or more distinct firms across the database (a trading-centre
 * hall terminal, a blank template file, an insurer's bond account, an agency phone) says nothing about any
 * one pair and is skipped; so are placeholder values (0.0.0.0, all-zero MACs, "unknown", …) and values on
 * the configured allow list. Values on the deny list always count.
 */
import { cmpStr } from "../domain/compare.ts";
import { round4 } from "../domain/rounding.ts";
import type { IdentityField, SharedValue } from "../features/identity.ts";
import type { Finding } from "../types.ts";

export interface SharedIdentifierSettings {
  /** A value used by at least this many distinct firms is a hub and raises nothing on its own. */
  readonly hubMinFirms: number;
  /** Weight of the evidence when the pair shares a value in one tender. */
  readonly baseWeight: number;
  /** Values never counted (known shared infrastructure). */
  readonly allow: readonly string[];
  /** Values always counted, even if widely used. */
  readonly deny: readonly string[];
}

export interface SharedIdentifierRule {
  readonly rule: string;
  readonly field: IdentityField;
  readonly label_zh: string;
  readonly label_en: string;
  readonly defaults: SharedIdentifierSettings;
}

/** Placeholder values platforms log when they know nothing. */
const PLACEHOLDERS = new Set([
  "0.0.0.0",
  "127.0.0.1",
  "::1",
  "00:00:00:00:00:00",
  "FF:FF:FF:FF:FF:FF",
  "UNKNOWN",
  "NULL",
  "NONE",
  "N/A",
  "-",
  "0",
  "无",
  "未知",
]);

export function isPlaceholder(value: string): boolean {
  return PLACEHOLDERS.has(value.trim().toUpperCase());
}

interface PairAcc {
  firms: [string, string];
  tenders: Set<string>;
  values: Set<string>;
  maxValueFirms: number;
}

/** Weight grows with the number of tenders the pair shares the value in: 1 − (1 − base)^n. */
export function repeatWeight(base: number, nTenders: number): number {
  return 1 - (1 - base) ** Math.max(1, nTenders);
}

export function runSharedIdentifier(
  def: SharedIdentifierRule,
  shared: readonly SharedValue[],
  settings: SharedIdentifierSettings = def.defaults,
): Finding[] {
  const allow = new Set(settings.allow);
  const deny = new Set(settings.deny);
  const pairs = new Map<string, PairAcc>();
  for (const s of shared) {
    if (s.field !== def.field) continue;
    if (!deny.has(s.value)) {
      if (allow.has(s.value) || isPlaceholder(s.value) || s.value_firms >= settings.hubMinFirms) continue;
    }
    const firms = [...s.firms].sort();
    for (let i = 0; i < firms.length; i++) {
      for (let j = i + 1; j < firms.length; j++) {
        const a = firms[i] as string;
        const b = firms[j] as string;
        const key = `${a}\u0000${b}`;
        let acc = pairs.get(key);
        if (!acc) {
          acc = { firms: [a, b], tenders: new Set(), values: new Set(), maxValueFirms: 0 };
          pairs.set(key, acc);
        }
        acc.tenders.add(s.tender_id);
        acc.values.add(s.value);
        acc.maxValueFirms = Math.max(acc.maxValueFirms, s.value_firms);
      }
    }
  }
  const findings: Finding[] = [];
  for (const acc of pairs.values()) {
    const tenders = [...acc.tenders].sort();
    const values = [...acc.values].sort();
    const weight = round4(repeatWeight(settings.baseWeight, tenders.length));
    findings.push({
      rule: def.rule,
      kind: "pair",
      firms: acc.firms,
      tenders,
      weight,
      text_zh: `${acc.firms[0]} 与 ${acc.firms[1]} 在 ${tenders.length} 个标段中使用相同的${def.label_zh}（${values.join("、")}）投标。`,
      text_en: `${acc.firms[0]} and ${acc.firms[1]} bid with the same ${def.label_en} (${values.join(", ")}) in ${tenders.length} tender(s).`,
      facts: {
        field: def.field,
        shared_values: values,
        tenders,
        n_tenders: tenders.length,
        value_used_by_firms_max: acc.maxValueFirms,
        thresholds: { hub_min_firms: settings.hubMinFirms, base_weight: settings.baseWeight },
      },
    });
  }
  findings.sort((x, y) => cmpStr(x.firms.join(","), y.firms.join(",")));
  return findings;
}
