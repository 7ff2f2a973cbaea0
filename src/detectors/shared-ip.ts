/**
 * SHARED_IP — competing bidders of one tender uploaded their bid files from the same IP address.
 * Red flag: bids "from competitors" prepared or submitted at one place (条例 Art. 40 (1)).
 * Exclusions: hub IPs (trading-centre hall terminals, NAT gateways used by many unrelated firms) and
 * placeholder addresses; see shared-identifier.ts.
 */
import type { SharedValue } from "../features/identity.ts";
import type { Finding } from "../types.ts";
import {
  runSharedIdentifier,
  type SharedIdentifierRule,
  type SharedIdentifierSettings,
} from "./shared-identifier.ts";

export const RULE = "SHARED_IP";

export const DEFINITION: SharedIdentifierRule = {
  rule: RULE,
  field: "ip",
  label_zh: "IP地址",
  label_en: "IP address",
  defaults: { hubMinFirms: 8, baseWeight: 0.5, allow: [], deny: [] },
};

export const DEFAULTS: SharedIdentifierSettings = DEFINITION.defaults;

export function run(
  shared: readonly SharedValue[],
  settings: SharedIdentifierSettings = DEFAULTS,
): Finding[] {
  return runSharedIdentifier(DEFINITION, shared, settings);
}
