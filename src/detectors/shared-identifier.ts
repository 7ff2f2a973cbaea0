/**
 * Shared identifiers between competing bidders of one tender (条例 Art. 40: bid files prepared by the same
 * unit or person; the same project manager; bonds paid from the same account; abnormally identical files).
 * Pure: takes the identity features, returns one finding per firm pair listing every tender and value.
 *
 * Hub discounting: a value used by more distinct firms across the database than the field's hub threshold
 * (features.hubs: max(floor, Q3 + k·IQR) of firms per shared value) is shared infrastructure — a
 * trading-centre hall terminal, a blank template file, a guarantee insurer's bond account, an agency's
 * phone — and raises nothing on its own. Placeholder values are dropped in SQL. Values on the configured
 * allow list never count; values on the deny list always count.
 */
import { cmpStr } from "../domain/compare.ts";
import { displayValue } from "../domain/mask.ts";
import { round4 } from "../domain/rounding.ts";
import type { IdentityFeatures, IdentityField } from "../features/identity.ts";
import type { Finding } from "../types.ts";

export interface SharedIdentifierSettings {
  /** Weight of the evidence when the pair shares a value in one tender; repeats raise it. */
  readonly baseWeight: number;
  /**
   * Tenders a pair must share the value in. Weak identifiers (IP, phone, document author) coincide across
   * unrelated firms — an agency phone, an office park's gateway — so one shared tender is not enough.
   */
  readonly minTenders: number;
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

/** Weight grows with the number of tenders the pair shares the value in: 1 − (1 − base)^n. */
export function repeatWeight(base: number, nTenders: number): number {
  return 1 - (1 - base) ** Math.max(1, nTenders);
}

/** Whether a shared value may count as evidence: not allowed, and not a hub unless denied. */
export function countsAsEvidence(
  value: string,
  valueFirms: number,
  hubMax: number,
  settings: Pick<SharedIdentifierSettings, "allow" | "deny">,
): boolean {
  if (settings.deny.includes(value)) return true;
  if (settings.allow.includes(value)) return false;
  return valueFirms <= hubMax;
}

interface PairAcc {
  firms: [string, string];
  tenders: Set<string>;
  values: Set<string>;
  maxValueFirms: number;
}

export function runSharedIdentifier(
  def: SharedIdentifierRule,
  features: Pick<IdentityFeatures, "sharedValues" | "hubs">,
  settings: SharedIdentifierSettings = def.defaults,
): Finding[] {
  const hubMax = features.hubs[def.field].max_firms;
  const pairs = new Map<string, PairAcc>();
  for (const s of features.sharedValues) {
    if (s.field !== def.field || !countsAsEvidence(s.value, s.value_firms, hubMax, settings)) continue;
    const firms = [...s.firms].sort(cmpStr);
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
    if (acc.tenders.size < settings.minTenders) continue;
    const tenders = [...acc.tenders].sort(cmpStr);
    const values = [...acc.values].sort(cmpStr);
    const shown = values.map((v) => displayValue(def.field, v));
    findings.push({
      rule: def.rule,
      kind: "pair",
      firms: acc.firms,
      tenders,
      weight: round4(repeatWeight(settings.baseWeight, tenders.length)),
      text_zh: `${acc.firms[0]} 与 ${acc.firms[1]} 在 ${tenders.length} 个标段中使用相同的${def.label_zh}（${shown.join("、")}）投标。`,
      text_en: `${acc.firms[0]} and ${acc.firms[1]} bid with the same ${def.label_en} (${shown.join(", ")}) in ${tenders.length} tender(s).`,
      facts: {
        field: def.field,
        shared_values: values,
        tenders,
        n_tenders: tenders.length,
        value_used_by_firms_max: acc.maxValueFirms,
        thresholds: {
          hub_max_firms: hubMax,
          base_weight: settings.baseWeight,
          min_tenders: settings.minTenders,
        },
      },
    });
  }
  findings.sort((x, y) => cmpStr(x.firms.join(","), y.firms.join(",")));
  return findings;
}
