/**
 * The identity rules: one stable code per identifier field of a bid (contract §1 bids), all run by
 * `runSharedIdentifier` (shared-identifier.ts). Each entry documents its method ("competing bidders of one
 * tender …"), why it is a red flag, its exclusions and its default weight (for one tender; n tenders give
 * 1 − (1 − w)^n). Weak identifiers (weight below 0.6: IP, phone, document author) need the pair to share
 * the value in two tenders. docs/detectors.md lists them with the other rules.
 */
import type { IdentityFeatures } from "../features/identity.ts";
import type { Finding } from "../types.ts";
import {
  runSharedIdentifier,
  type SharedIdentifierRule,
  type SharedIdentifierSettings,
} from "./shared-identifier.ts";

export interface DocumentedIdentityRule extends SharedIdentifierRule {
  readonly method: string;
  readonly why: string;
  readonly exclusions: string;
}

export const IDENTITY_RULES: readonly DocumentedIdentityRule[] = [
  {
    rule: "SHARED_IP",
    field: "ip",
    label_zh: "IP地址",
    label_en: "IP address",
    method: "Competing bidders of one tender uploaded their bid files from the same IP address.",
    why: "Bids “from competitors” prepared or submitted at one place (条例 Art. 40 (1)).",
    exclusions:
      "Hub IPs (trading-centre hall terminals, NAT gateways of office parks) and placeholder addresses.",
    defaults: { baseWeight: 0.45, minTenders: 2, allow: [], deny: [] },
  },
  {
    rule: "SHARED_MAC",
    field: "mac",
    label_zh: "网卡MAC地址",
    label_en: "network card (MAC address)",
    method:
      "Competing bidders of one tender uploaded their bid files from computers with the same network card (MAC address).",
    why: "The same computer produced or uploaded competing bids (条例 Art. 40 (1)).",
    exclusions: "Hub MACs (hall terminals), all-zero and broadcast MACs.",
    defaults: { baseWeight: 0.7, minTenders: 1, allow: [], deny: [] },
  },
  {
    rule: "SHARED_HARDWARE_ID",
    field: "hardware_id",
    label_zh: "机器码（硬件特征码）",
    label_en: "machine fingerprint (hardware id)",
    method:
      "Competing bidders of one tender produced their bid files on the same machine (same CPU / disk fingerprint).",
    why: "The same computer compiled competing bid files (条例 Art. 40 (1)); the platform’s machine code is the strongest device fingerprint.",
    exclusions: "Hall terminals and shared public computers (hub values).",
    defaults: { baseWeight: 0.8, minTenders: 1, allow: [], deny: [] },
  },
  {
    rule: "SHARED_SOFTWARE_LOCK",
    field: "software_lock_id",
    label_zh: "计价软件加密锁",
    label_en: "cost-estimation software dongle",
    method:
      "Competing bidders of one tender priced their bids with the same cost-estimation software dongle.",
    why: "A dongle is licensed to one firm; competing bids priced with it were prepared by the same unit (条例 Art. 40 (1)).",
    exclusions: "Dongles of a shared training room or trading-centre terminal (hub values).",
    defaults: { baseWeight: 0.75, minTenders: 1, allow: [], deny: [] },
  },
  {
    rule: "IDENTICAL_BID_FILE",
    field: "file_hash",
    label_zh: "投标文件（文件哈希相同）",
    label_en: "bid file (identical hash)",
    method: "Competing bidders of one tender submitted byte-identical bid files (same file hash).",
    why: "Abnormally identical bid files are a statutory sign of collusion (条例 Art. 40 (4)).",
    exclusions: "Blank templates many firms upload (hub hashes) and the hash of an empty file.",
    defaults: { baseWeight: 0.9, minTenders: 1, allow: [], deny: [] },
  },
  {
    rule: "SHARED_FILE_AUTHOR",
    field: "file_author",
    label_zh: "文件制作人",
    label_en: "document author",
    method: "Competing bidders of one tender submitted bid documents recording the same author.",
    why: "Bid files prepared by the same person (条例 Art. 40 (1)).",
    exclusions: "Common template authors and software defaults such as “Administrator” (hub values).",
    defaults: { baseWeight: 0.5, minTenders: 2, allow: [], deny: [] },
  },
  {
    rule: "SHARED_BOND_ACCOUNT",
    field: "bond_account",
    label_zh: "保证金缴纳账户",
    label_en: "bond payment account",
    method: "Competing bidders of one tender paid their bid bonds from the same bank account.",
    why: "Bonds paid from the same unit’s or person’s account are a statutory sign of collusion (条例 Art. 40 (5)).",
    exclusions: "Guarantee insurers and banks paying bonds for many firms (hub accounts).",
    defaults: { baseWeight: 0.85, minTenders: 1, allow: [], deny: [] },
  },
  {
    rule: "SHARED_PROJECT_MANAGER",
    field: "project_manager_id",
    label_zh: "项目经理",
    label_en: "project manager",
    method: "Competing bidders of one tender proposed the same project manager.",
    why: "The same project manager named by competing bidders is a statutory sign of collusion (条例 Art. 40 (3)).",
    exclusions: "Hub values only; a registered project manager belongs to one firm.",
    defaults: { baseWeight: 0.85, minTenders: 1, allow: [], deny: [] },
  },
  {
    rule: "SHARED_CONTACT_PHONE",
    field: "contact_phone",
    label_zh: "联系电话",
    label_en: "contact phone",
    method: "Competing bidders of one tender gave the same contact phone.",
    why: "One agent handling competing bids (条例 Art. 40 (2)).",
    exclusions: "Agency and bidding-service phones used by many firms (hub values).",
    defaults: { baseWeight: 0.45, minTenders: 2, allow: [], deny: [] },
  },
];

export function runIdentityRule(
  rule: DocumentedIdentityRule,
  features: IdentityFeatures,
  settings: SharedIdentifierSettings = rule.defaults,
): Finding[] {
  return runSharedIdentifier(rule, features, settings);
}
