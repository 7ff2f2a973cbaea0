/**
 * SHARED_PEOPLE — two bidders of one tender have the same person behind them: the same legal
 * representative, or a common shareholder, director or manager (from firm_people and firms.legal_rep_id).
 * Red flag: 条例 Art. 34 — units with the same legal representative, or in a controlling / managing
 * relationship, may not bid for the same lot; common owners point to affiliated firms (关联企业) posing as
 * competitors.
 * Exclusions: a person behind more firms than the hub threshold (nominee directors, holding companies'
 * officers). Weights: legal representative 0.85, other roles 0.6; repeats over tenders raise it.
 */
import { cmpStr } from "../domain/compare.ts";
import { maskMiddle } from "../domain/mask.ts";
import { round4 } from "../domain/rounding.ts";
import type { IdentityFeatures } from "../features/identity.ts";
import type { Finding } from "../types.ts";
import { repeatWeight } from "./shared-identifier.ts";

export const RULE = "SHARED_PEOPLE";

export interface SharedPeopleSettings {
  readonly legalRepWeight: number;
  readonly otherRoleWeight: number;
}

export const DEFAULTS: SharedPeopleSettings = { legalRepWeight: 0.85, otherRoleWeight: 0.6 };

const ROLE_ZH: Readonly<Record<string, string>> = {
  legal_rep: "法定代表人",
  shareholder: "股东",
  director: "董事",
  manager: "经理",
};

export function run(features: IdentityFeatures, settings: SharedPeopleSettings = DEFAULTS): Finding[] {
  const byPair = new Map<string, (typeof features.peopleLinks)[number][]>();
  for (const l of features.peopleLinks) {
    if (l.person_firms > features.personHubMax) continue;
    const key = `${l.firm_a}\u0000${l.firm_b}`;
    byPair.set(key, [...(byPair.get(key) ?? []), l]);
  }
  const findings: Finding[] = [];
  for (const links of byPair.values()) {
    const first = links[0];
    if (!first) continue;
    const tenders = [...new Set(links.flatMap((l) => l.tenders))].sort(cmpStr);
    const legalRep = links.some((l) => l.roles_a.includes("legal_rep") && l.roles_b.includes("legal_rep"));
    const base = legalRep ? settings.legalRepWeight : settings.otherRoleWeight;
    const people = links.map((l) => ({
      person_id: l.person_id,
      roles_a: l.roles_a,
      roles_b: l.roles_b,
      person_firms: l.person_firms,
    }));
    const zh = links
      .map(
        (l) =>
          `${maskMiddle(l.person_id)}（${[...new Set([...l.roles_a, ...l.roles_b])].map((r) => ROLE_ZH[r] ?? r).join("/")}）`,
      )
      .join("、");
    const en = links
      .map((l) => `${maskMiddle(l.person_id)} (${[...new Set([...l.roles_a, ...l.roles_b])].join("/")})`)
      .join(", ");
    findings.push({
      rule: RULE,
      kind: "pair",
      firms: [first.firm_a, first.firm_b],
      tenders,
      weight: round4(repeatWeight(base, Math.min(tenders.length, 3))),
      text_zh: `${first.firm_a} 与 ${first.firm_b} 存在共同的关联人员 ${zh}，却在 ${tenders.length} 个标段中同场投标。`,
      text_en: `${first.firm_a} and ${first.firm_b} share ${en} yet bid against each other in ${tenders.length} tender(s).`,
      facts: {
        people,
        same_legal_rep: legalRep,
        tenders,
        thresholds: { person_hub_max_firms: features.personHubMax, ...settings },
      },
    });
  }
  return findings.sort((x, y) => cmpStr(x.firms.join(","), y.firms.join(",")));
}
