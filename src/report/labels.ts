/**
 * Display labels in Chinese and English for the codes bidwatch stores (alert kinds, channels, statuses,
 * operations, tender categories, rule codes). Shared by the nightly report and the web workbench; the codes
 * themselves never change with the language.
 */
import type { AlertStatus, Verdict } from "../alerts/store.ts";
import type { Operation } from "../alerts/workflow.ts";
import type { AlertKind, Channel } from "../types.ts";

export type Lang = "zh" | "en";
export const LANGS: readonly Lang[] = ["zh", "en"];

export interface Label {
  readonly zh: string;
  readonly en: string;
}

export const KIND_LABELS: Readonly<Record<AlertKind, Label>> = {
  ring: { zh: "围标团伙", en: "ring" },
  pair: { zh: "关联企业对", en: "pair" },
  tender: { zh: "异常标段", en: "tender" },
  firm: { zh: "异常企业", en: "firm" },
};

export const CHANNEL_LABELS: Readonly<Record<Channel, Label>> = {
  analyst: { zh: "分析研判", en: "analysts" },
  inspection: { zh: "行业主管部门", en: "sector inspection" },
  discipline: { zh: "纪检监察", en: "discipline inspection" },
  "public-security": { zh: "公安机关", en: "public security" },
};

export const STATUS_LABELS: Readonly<Record<AlertStatus, Label>> = {
  new: { zh: "新线索", en: "new" },
  in_review: { zh: "核查中", en: "in review" },
  referred: { zh: "已移交", en: "referred" },
  result_received: { zh: "已反馈", en: "result received" },
  closed: { zh: "已办结", en: "closed" },
};

export const VERDICT_LABELS: Readonly<Record<Verdict, Label>> = {
  confirmed: { zh: "属实", en: "confirmed" },
  dismissed: { zh: "排除", en: "dismissed" },
};

export const OPERATION_LABELS: Readonly<Record<Operation, Label>> = {
  claim: { zh: "认领", en: "claim" },
  triage: { zh: "研判记录", en: "triage" },
  refer: { zh: "移交", en: "refer" },
  accept: { zh: "签收", en: "accept" },
  feedback: { zh: "反馈结果", en: "record result" },
  close: { zh: "办结", en: "close" },
};

/** Audit actions beyond the operations (written by runs). */
export const AUDIT_ACTION_LABELS: Readonly<Record<string, Label>> = {
  ...OPERATION_LABELS,
  create: { zh: "发现", en: "detected" },
  reopen: { zh: "重新打开", en: "reopened" },
  suppress: { zh: "抑制", en: "suppressed" },
  members_changed: { zh: "成员变化", en: "members changed" },
};

/** Tender categories (the export's `category` codes). */
export const CATEGORY_LABELS: Readonly<Record<string, Label>> = {
  construction: { zh: "房建市政", en: "construction" },
  water: { zh: "水利", en: "water" },
  transport: { zh: "交通", en: "transport" },
  government_procurement: { zh: "政府采购", en: "government procurement" },
  land: { zh: "土地矿产", en: "land" },
  medicine: { zh: "医药采购", en: "medicine" },
  state_assets: { zh: "国有产权", en: "state assets" },
  other: { zh: "其他", en: "other" },
};

/** Short names of the rule codes (docs/detectors.md). Unknown codes are shown as they are. */
export const RULE_LABELS: Readonly<Record<string, Label>> = {
  SHARED_IP: { zh: "同一IP", en: "same IP" },
  SHARED_MAC: { zh: "同一网卡", en: "same MAC" },
  SHARED_HARDWARE_ID: { zh: "同一机器码", en: "same machine id" },
  SHARED_SOFTWARE_LOCK: { zh: "同一加密锁", en: "same dongle" },
  IDENTICAL_BID_FILE: { zh: "投标文件相同", en: "identical bid file" },
  SHARED_FILE_AUTHOR: { zh: "同一文件制作人", en: "same file author" },
  SHARED_BOND_ACCOUNT: { zh: "同一保证金账户", en: "same bond account" },
  SHARED_PROJECT_MANAGER: { zh: "同一项目经理", en: "same project manager" },
  SHARED_CONTACT_PHONE: { zh: "同一联系电话", en: "same contact phone" },
  CROSS_TENDER_SHARED_DEVICE: { zh: "跨标段共用设备", en: "devices shared across tenders" },
  SHARED_PEOPLE: { zh: "人员关联", en: "shared people" },
  PRICE_SCREENS: { zh: "报价统计异常", en: "price screens" },
  PRICE_REGULAR_PAIR: { zh: "报价规律性", en: "regular price pair" },
  IDENTICAL_PRICES: { zh: "报价相同", en: "identical prices" },
  PRICE_CLOSE_TO_WINNER: { zh: "报价贴近中标价", en: "price close to winner" },
  HEAVY_DISCOUNT: { zh: "中标价大幅低于次低价", en: "heavy discount" },
  SINGLE_BID: { zh: "单一投标", en: "single bid" },
  LATE_BID_WON: { zh: "逾期投标中标", en: "late bid won" },
  ALL_BUT_WINNER_DISQUALIFIED: { zh: "除中标人外均废标", en: "all but winner disqualified" },
  LOWEST_BID_DISQUALIFIED: { zh: "最低价被废标", en: "lowest bid disqualified" },
  EXCESSIVE_DISQUALIFICATION: { zh: "废标率异常", en: "excessive disqualification" },
  EXCESSIVE_UNSUCCESSFUL_BIDDING: { zh: "屡投不中", en: "excessive unsuccessful bidding" },
  SHORT_SUBMISSION_PERIOD: { zh: "投标期过短", en: "short submission period" },
  COBID_ROTATION: { zh: "轮流中标", en: "bid rotation" },
  COVER_BIDDER: { zh: "陪标", en: "cover bidder" },
  TIGHT_UPLOAD_SEQUENCE: { zh: "上传时间紧邻", en: "tight upload sequence" },
  DEBARRED_BIDDER: { zh: "失信/禁入期内投标", en: "debarred bidder" },
  RING: { zh: "团伙", en: "ring" },
};

/** The label of `code` in `lang`, or the code itself when there is none. */
export function label(table: Readonly<Record<string, Label>>, code: string, lang: Lang): string {
  return table[code]?.[lang] ?? code;
}

/** Yuan as 万元 with one decimal (zh) or as yuan with thousands separators (en). */
export function formatAmount(yuan: number | null | undefined, lang: Lang): string {
  if (yuan === null || yuan === undefined || !Number.isFinite(yuan)) return "—";
  if (lang === "zh") return `${(yuan / 10_000).toLocaleString("zh-CN", { maximumFractionDigits: 1 })} 万元`;
  return `¥${Math.round(yuan).toLocaleString("en-US")}`;
}

/** `YYYY-MM-DD HH:MM` in Asia/Shanghai, whatever the process time zone. */
export function formatTime(d: Date | null | undefined): string {
  if (!d || Number.isNaN(d.getTime())) return "—";
  const s = new Date(d.getTime() + 8 * 3600_000).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 16)}`;
}
