/**
 * The detectors bidwatch runs, listed explicitly (no discovery). Each is pure: features in, findings out.
 * Pair findings then feed the ring detector (Louvain on the firm graph), which runs last.
 */
import type { IdentityField } from "../features/identity.ts";
import type { Features } from "../features/index.ts";
import type { Finding } from "../types.ts";
import { COBID_DETECTORS } from "./cobid-flags.ts";
import * as crossTender from "./cross-tender-device.ts";
import { IDENTITY_RULES, runIdentityRule } from "./identity-rules.ts";
import * as priceRegular from "./price-regular-pair.ts";
import * as priceScreens from "./price-screens.ts";
import { PROCESS_DETECTORS } from "./process-flags.ts";
import { findRings, type RingResult, ringFindings } from "./rings.ts";
import * as sharedPeople from "./shared-people.ts";

export interface Detector {
  readonly rule: string;
  run(features: Features): Finding[];
}

/** Identifier values analysts configured per field: never evidence (allow) or always evidence (deny). */
export interface ValueLists {
  readonly allow: Readonly<Partial<Record<IdentityField, readonly string[]>>>;
  readonly deny: Readonly<Partial<Record<IdentityField, readonly string[]>>>;
}

export function buildDetectors(lists: ValueLists = { allow: {}, deny: {} }): Detector[] {
  const all = (m: ValueLists["allow"]) => Object.values(m).flat() as string[];
  return [
    ...IDENTITY_RULES.map((r) => ({
      rule: r.rule,
      run: (f: Features) =>
        runIdentityRule(r, f.identity, {
          ...r.defaults,
          allow: lists.allow[r.field] ?? [],
          deny: lists.deny[r.field] ?? [],
        }),
    })),
    {
      rule: crossTender.RULE,
      run: (f: Features) =>
        crossTender.run(f.identity, {
          ...crossTender.DEFAULTS,
          allow: all(lists.allow),
          deny: all(lists.deny),
        }),
    },
    { rule: sharedPeople.RULE, run: (f: Features) => sharedPeople.run(f.identity) },
    { rule: priceRegular.RULE, run: (f: Features) => priceRegular.run(f.pricePatterns) },
    { rule: priceScreens.RULE, run: (f: Features) => priceScreens.run(f.screens) },
    ...PROCESS_DETECTORS.map((d) => ({ rule: d.rule, run: (f: Features) => d.run(f.process) })),
    ...COBID_DETECTORS.map((d) => ({ rule: d.rule, run: (f: Features) => d.run(f.cobid) })),
  ];
}

export const DETECTORS: readonly Detector[] = buildDetectors();

export interface DetectionResult {
  readonly findings: readonly Finding[];
  readonly rings: RingResult;
}

export function runDetectors(
  features: Features,
  detectors: readonly Detector[] = DETECTORS,
): DetectionResult {
  const base = detectors.flatMap((d) => d.run(features));
  const rings = findRings(base, features.participation);
  return { findings: [...base, ...ringFindings(rings)], rings };
}
