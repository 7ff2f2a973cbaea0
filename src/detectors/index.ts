/** The detectors bidwatch runs, listed explicitly (no discovery). Each is pure: features in, findings out. */
import type { SharedValue } from "../features/identity.ts";
import type { Finding } from "../types.ts";
import * as sharedIp from "./shared-ip.ts";

/** Everything the feature stage hands to detectors. */
export interface Features {
  readonly sharedValues: readonly SharedValue[];
}

export interface Detector {
  readonly rule: string;
  run(features: Features): Finding[];
}

export const DETECTORS: readonly Detector[] = [
  { rule: sharedIp.RULE, run: (f) => sharedIp.run(f.sharedValues) },
];

export function runDetectors(features: Features, detectors: readonly Detector[] = DETECTORS): Finding[] {
  return detectors.flatMap((d) => d.run(features));
}
