/**
 * CROSS_TENDER_SHARED_DEVICE — two firms that compete (they bid against each other at least once) used the
 * same machine, dongle, bid file, bond account or project manager in different tenders: "the same machine
 * preparing bids for competitors all year".
 * Red flag: competitors do not lend each other computers, dongles, accounts or staff; a shared device across
 * their bids means one unit prepares bids for both (条例 Art. 40 (1), (3), (5)).
 * Exclusions: hub values (see shared-identifier.ts), fields that are weak across tenders (IP, phone, author),
 * pairs that never met in a tender.
 * Tenders: those where only one of the two used the value, taken from the firm that did so less often (the
 * borrower), so the amount at stake is not inflated by the owner's own bids. Weight: field weight w, 1 − (1 − w)^n over n borrower tenders, capped 0.85.
 */
import { cmpStr } from "../domain/compare.ts";
import { displayValue } from "../domain/mask.ts";
import { round4 } from "../domain/rounding.ts";
import type { IdentityFeatures, IdentityField } from "../features/identity.ts";
import type { Finding } from "../types.ts";
import { countsAsEvidence, repeatWeight } from "./shared-identifier.ts";

export const RULE = "CROSS_TENDER_SHARED_DEVICE";

export interface CrossTenderSettings {
  readonly fieldWeights: Readonly<Partial<Record<IdentityField, number>>>;
  readonly maxWeight: number;
  readonly minMet: number;
  readonly allow: readonly string[];
  readonly deny: readonly string[];
}

export const DEFAULTS: CrossTenderSettings = {
  fieldWeights: {
    hardware_id: 0.45,
    mac: 0.35,
    software_lock_id: 0.4,
    file_hash: 0.4,
    bond_account: 0.45,
    project_manager_id: 0.45,
  },
  maxWeight: 0.85,
  minMet: 1,
  allow: [],
  deny: [],
};

const LABELS: Readonly<Record<string, [string, string]>> = {
  hardware_id: ["机器码", "machine"],
  mac: ["网卡MAC", "network card"],
  software_lock_id: ["加密锁", "software dongle"],
  file_hash: ["投标文件", "bid file"],
  bond_account: ["保证金账户", "bond account"],
  project_manager_id: ["项目经理", "project manager"],
};

export function run(features: IdentityFeatures, settings: CrossTenderSettings = DEFAULTS): Finding[] {
  const byPair = new Map<
    string,
    { firms: [string, string]; items: { field: string; value: string; tenders: string[] }[]; met: number }
  >();
  for (const l of features.crossTender) {
    const w = settings.fieldWeights[l.field];
    if (w === undefined || l.n_met < settings.minMet) continue;
    if (!countsAsEvidence(l.value, l.value_firms, features.hubs[l.field].max_firms, settings)) continue;
    // Only tenders where one of the two used the value without the other; same-tender sharing is the
    // within-tender rules' evidence.
    const inB = new Set(l.tenders_b);
    const inA = new Set(l.tenders_a);
    const onlyA = l.tenders_a.filter((t) => !inB.has(t));
    const onlyB = l.tenders_b.filter((t) => !inA.has(t));
    if (onlyA.length === 0 && onlyB.length === 0) continue;
    const borrower =
      onlyA.length === 0 ? onlyB : onlyB.length === 0 ? onlyA : onlyB.length < onlyA.length ? onlyB : onlyA;
    const key = `${l.firm_a}\u0000${l.firm_b}`;
    let acc = byPair.get(key);
    if (!acc) {
      acc = { firms: [l.firm_a, l.firm_b], items: [], met: l.n_met };
      byPair.set(key, acc);
    }
    acc.items.push({ field: l.field, value: l.value, tenders: [...borrower] });
  }
  const findings: Finding[] = [];
  for (const acc of byPair.values()) {
    const tenders = [...new Set(acc.items.flatMap((i) => i.tenders))].sort(cmpStr);
    const best = Math.max(
      ...acc.items.map((i) =>
        repeatWeight(settings.fieldWeights[i.field as IdentityField] ?? 0, i.tenders.length),
      ),
    );
    const items = [...acc.items].sort((x, y) => cmpStr(x.field, y.field) || cmpStr(x.value, y.value));
    const zh = items.map((i) => `${LABELS[i.field]?.[0]}（${displayValue(i.field, i.value)}）`).join("、");
    const en = items.map((i) => `${LABELS[i.field]?.[1]} (${displayValue(i.field, i.value)})`).join(", ");
    findings.push({
      rule: RULE,
      kind: "pair",
      firms: acc.firms,
      tenders,
      weight: round4(Math.min(settings.maxWeight, best)),
      text_zh: `${acc.firms[0]} 与 ${acc.firms[1]} 互为竞争对手（同场投标 ${acc.met} 次），却在不同标段中使用同一${zh}。`,
      text_en: `${acc.firms[0]} and ${acc.firms[1]} compete (met in ${acc.met} tender(s)) yet used the same ${en} in different tenders.`,
      facts: {
        shared: items.map((i) => ({ field: i.field, value: i.value, tenders: i.tenders })),
        n_met: acc.met,
        thresholds: {
          min_met: settings.minMet,
          field_weights: settings.fieldWeights,
          max_weight: settings.maxWeight,
        },
      },
    });
  }
  return findings.sort((x, y) => cmpStr(x.firms.join(","), y.firms.join(",")));
}
