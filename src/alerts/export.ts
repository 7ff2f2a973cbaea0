/**
 * Exports of stored alerts for the agencies (`bidwatch export`).
 *
 * - A channel export holds the alerts routed to the channel (proposed in `channels`) or referred to it,
 *   except dismissed ones, most urgent first (score desc, amount desc, id).
 * - The `public` channel is the 公示 view: only alerts closed as confirmed, with ID numbers, bank accounts
 *   and phones masked everywhere (mask.ts), internal fields (assignee, score, workflow times) left out.
 *   `public: true` masks any other channel's export the same way.
 * - CSV: one row per alert, lists joined by `;`, every text cell escaped against formula injection
 *   (csv.ts), Chinese headers and labels with `lang: "zh"`. UTF-8 with BOM by default, or GBK (no BOM).
 * - JSON: an array of alerts with the full evidence, always UTF-8 without BOM.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import iconv from "iconv-lite";
import type { Db } from "../db/duckdb.ts";
import { BidwatchError } from "../errors.ts";
import type { Channel } from "../types.ts";
import { shanghaiIso, shanghaiTimestamp } from "./calendar.ts";
import { type Cell, csvLine } from "./csv.ts";
import { findSensitive, type MaskOptions, maskDeep, maskText } from "./mask.ts";
import { type AlertRecord, listAlerts } from "./store.ts";

export type ExportChannel = Channel | "public";
export const EXPORT_CHANNELS: readonly ExportChannel[] = [
  "analyst",
  "inspection",
  "discipline",
  "public-security",
  "public",
];

export interface ExportOptions {
  readonly channel: ExportChannel;
  readonly format: "csv" | "json";
  /** Headers and labels of the CSV, and which summary it carries (default zh). */
  readonly lang?: "zh" | "en";
  /** CSV encoding (default utf8). JSON is always UTF-8. */
  readonly encoding?: "utf8" | "gbk";
  /** Mask personal data (implied by channel `public`). */
  readonly public?: boolean;
  /** Byte-order mark on UTF-8 CSV (default true, so Excel/WPS read it as UTF-8). */
  readonly bom?: boolean;
}

export interface ExportResult {
  readonly path: string;
  readonly format: "csv" | "json";
  readonly encoding: "utf8" | "gbk";
  readonly count: number;
  readonly masked: boolean;
}

export class ExportError extends BidwatchError {
  constructor(message: string) {
    super("E_EXPORT_INPUT", `export: ${message}`);
    this.name = "ExportError";
  }
}

const OPTION_KEYS = new Set(["channel", "format", "lang", "encoding", "public", "bom"]);

function check(options: ExportOptions): Required<ExportOptions> {
  for (const k of Object.keys(options))
    if (!OPTION_KEYS.has(k)) throw new ExportError(`unknown option "${k}"`);
  const o = {
    lang: "zh" as const,
    encoding: "utf8" as const,
    public: false,
    bom: true,
    ...options,
  };
  if (!EXPORT_CHANNELS.includes(o.channel)) {
    throw new ExportError(`unknown channel "${o.channel}" (one of: ${EXPORT_CHANNELS.join(", ")})`);
  }
  if (o.format !== "csv" && o.format !== "json") throw new ExportError(`format must be csv or json`);
  if (o.lang !== "zh" && o.lang !== "en") throw new ExportError(`lang must be zh or en`);
  if (o.encoding !== "utf8" && o.encoding !== "gbk") throw new ExportError(`encoding must be utf8 or gbk`);
  if (o.format === "json" && o.encoding !== "utf8") throw new ExportError("JSON is always written as UTF-8");
  return o;
}

const LABELS_ZH: Readonly<Record<string, string>> = {
  // kinds
  ring: "围标团伙",
  pair: "串通投标企业对",
  tender: "串通投标标段",
  firm: "涉嫌违规企业",
  // statuses
  new: "待处理",
  in_review: "核查中",
  referred: "已移送",
  result_received: "已反馈",
  closed: "已办结",
  // verdicts
  confirmed: "属实",
  dismissed: "不属实",
  // channels
  analyst: "监管分析",
  inspection: "行业监督部门",
  discipline: "纪检监察",
  "public-security": "公安机关",
};

type Column = {
  readonly en: string;
  readonly zh: string;
  readonly value: (a: AlertRecord, lang: "zh" | "en") => Cell;
};

const label = (v: string | null, lang: "zh" | "en"): string | null =>
  v === null ? null : lang === "zh" ? (LABELS_ZH[v] ?? v) : v;
const time = (d: Date | null): string | null => (d ? shanghaiTimestamp(d) : null);
const rules = (a: AlertRecord): string => [...new Set(a.evidence.map((e) => e.rule))].join(";");
const summary = (a: AlertRecord, lang: "zh" | "en"): string => (lang === "zh" ? a.summary_zh : a.summary_en);

const COLUMNS: readonly Column[] = [
  { en: "id", zh: "预警编号", value: (a) => a.id },
  { en: "rank", zh: "排名", value: (a) => a.rank },
  { en: "status", zh: "状态", value: (a, l) => label(a.status, l) },
  { en: "verdict", zh: "核查结论", value: (a, l) => label(a.verdict, l) },
  { en: "score", zh: "风险分", value: (a) => a.score },
  { en: "kind", zh: "类型", value: (a, l) => label(a.kind, l) },
  { en: "firms", zh: "涉及企业", value: (a) => a.firms.join(";") },
  { en: "tenders", zh: "涉及标段", value: (a) => a.tenders.join(";") },
  { en: "amount", zh: "涉案金额(元)", value: (a) => a.amount },
  { en: "channels", zh: "建议移送", value: (a, l) => a.channels.map((c) => label(c, l)).join(";") },
  { en: "referred_channel", zh: "移送单位", value: (a, l) => label(a.referred_channel, l) },
  { en: "referred_at", zh: "移送时间", value: (a) => time(a.referred_at) },
  { en: "accepted_at", zh: "受理时间", value: (a) => time(a.accepted_at) },
  { en: "result_at", zh: "反馈时间", value: (a) => time(a.result_at) },
  { en: "closed_at", zh: "办结时间", value: (a) => time(a.closed_at) },
  { en: "rules", zh: "依据规则", value: rules },
  { en: "summary", zh: "摘要", value: summary },
  { en: "first_seen", zh: "首次发现", value: (a) => time(a.first_seen) },
  { en: "last_seen", zh: "最近发现", value: (a) => time(a.last_seen) },
];

/** The 公示 view: what was found and decided, nothing about who worked the case. */
const PUBLIC_COLUMNS: readonly Column[] = [
  "id",
  "kind",
  "firms",
  "tenders",
  "amount",
  "verdict",
  "closed_at",
  "rules",
  "summary",
].map((name) => COLUMNS.find((c) => c.en === name) as Column);

function fullJson(a: AlertRecord): Record<string, unknown> {
  const iso = (d: Date | null) => (d ? shanghaiIso(d) : null);
  return {
    id: a.id,
    rank: a.rank,
    score: a.score,
    kind: a.kind,
    firms: a.firms,
    tenders: a.tenders,
    amount: a.amount,
    channels: a.channels,
    evidence: a.evidence,
    summary_zh: a.summary_zh,
    summary_en: a.summary_en,
    status: a.status,
    verdict: a.verdict,
    assignee: a.assignee,
    referred_channel: a.referred_channel,
    referred_at: iso(a.referred_at),
    accepted_at: iso(a.accepted_at),
    result_at: iso(a.result_at),
    closed_at: iso(a.closed_at),
    first_seen: iso(a.first_seen),
    last_seen: iso(a.last_seen),
  };
}

function publicJson(a: AlertRecord): Record<string, unknown> {
  return {
    id: a.id,
    kind: a.kind,
    firms: a.firms,
    tenders: a.tenders,
    amount: a.amount,
    verdict: a.verdict,
    closed_at: a.closed_at ? shanghaiIso(a.closed_at) : null,
    evidence: a.evidence,
    summary_zh: a.summary_zh,
    summary_en: a.summary_en,
  };
}

/** Firm and tender ids are public and never masked. */
function keepFor(alerts: readonly AlertRecord[]): MaskOptions {
  return { keep: new Set(alerts.flatMap((a) => [...a.firms, ...a.tenders])) };
}

/** The alerts an export holds, in export order. */
export async function selectForExport(db: Db, channel: ExportChannel): Promise<AlertRecord[]> {
  if (channel === "public") return listAlerts(db, { status: "closed", verdict: "confirmed" });
  const all = await listAlerts(db, { channel });
  return all.filter((a) => !(a.status === "closed" && a.verdict === "dismissed"));
}

/** Writes an export file and returns what was written. */
export async function exportAlerts(db: Db, options: ExportOptions, outPath: string): Promise<ExportResult> {
  const o = check(options);
  const masked = o.channel === "public" || o.public;
  const alerts = await selectForExport(db, o.channel);
  const keep = keepFor(alerts);
  let bytes: Buffer;
  if (o.format === "json") {
    const objects = alerts.map((a) => (masked ? maskDeep(publicJson(a), keep) : fullJson(a)));
    if (masked) assertMasked(objects, keep);
    const text = `${JSON.stringify(objects, null, 2)}\n`;
    bytes = Buffer.from(text, "utf8");
  } else {
    const columns = masked ? PUBLIC_COLUMNS : COLUMNS;
    let text = csvLine(columns.map((c) => (o.lang === "zh" ? c.zh : c.en)));
    for (const a of alerts) {
      const cells = columns.map((c) => {
        const v = c.value(a, o.lang);
        return masked && typeof v === "string" ? maskText(v, keep) : v;
      });
      if (masked) assertMasked(cells, keep);
      text += csvLine(cells);
    }
    bytes =
      o.encoding === "gbk" ? iconv.encode(text, "gbk") : Buffer.from(o.bom ? `\uFEFF${text}` : text, "utf8");
  }
  await mkdir(dirname(outPath), { recursive: true });
  await writeFile(outPath, bytes);
  return { path: outPath, format: o.format, encoding: o.encoding, count: alerts.length, masked };
}

/** Last line of defence: no string left in a masked export may still look like personal data. */
function assertMasked(value: unknown, keep: MaskOptions): void {
  const left: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === "string") left.push(...findSensitive(v, keep));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(value);
  if (left.length > 0) {
    throw new BidwatchError("E_EXPORT_MASK", `export: ${left.length} value(s) could not be masked`);
  }
}
