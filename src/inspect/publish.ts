/**
 * The public notice of a random inspection plan (双随机抽查结果公示) and its publication deadlines.
 *
 * - Deadline: results are published within 20 working days of completion (`PUBLISH_DEFAULTS`). An item is
 *   completed on the latest inspection date recorded for it; it is due on
 *   `addWorkingDays(completed_on, 20, CN_CALENDAR_2025_2026)` and overdue from the next working day.
 * - The notice (Markdown or CSV) lists the completed items with their inspectors, dates and findings, and
 *   the plan's commitment, hashes and — once revealed — seed and nonce, so anyone can verify the draw.
 *   Weights, risk scores and pending items are not published.
 * - Personal data is masked with alerts/mask.ts (ID numbers, phones, bank accounts); before writing,
 *   the whole text is checked again and the notice is refused (E_INSPECT_MASK) if anything is left.
 */
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, extname } from "node:path";
import {
  addWorkingDays,
  type CivilDate,
  CN_CALENDAR_2025_2026,
  shanghaiDate,
  type WorkCalendar,
  workingDaysBetween,
} from "../alerts/calendar.ts";
import { csvLine } from "../alerts/csv.ts";
import { findSensitive, maskText } from "../alerts/mask.ts";
import type { Db } from "../db/duckdb.ts";
import { cmpStr } from "../domain/compare.ts";
import { BidwatchError } from "../errors.ts";
import type { Clock } from "../types.ts";
import type { PlanDocument } from "./commitment.ts";
import {
  type InspectContext,
  type InspectionResult,
  markPublished,
  readPlan,
  readResults,
  readTenderTitles,
} from "./store.ts";

export interface PublishSettings {
  /** Working days between completion and publication (Haikou: 20). */
  readonly workingDays: number;
  readonly calendar: WorkCalendar;
}

export const PUBLISH_DEFAULTS: PublishSettings = { workingDays: 20, calendar: CN_CALENDAR_2025_2026 };

export type ItemStatus = "pending" | "due" | "overdue" | "published";

export interface ItemProgress {
  readonly item_no: number;
  readonly tender_id: string;
  readonly inspectors: readonly string[];
  /** Latest inspection date recorded; null while pending. */
  readonly completed_on: CivilDate | null;
  /** Publication due day; null while pending. */
  readonly due: CivilDate | null;
  /** Working days from today to the due day (negative when overdue); null while pending or published. */
  readonly working_days_left: number | null;
  readonly published_at: Date | null;
  readonly status: ItemStatus;
}

export class PublishError extends BidwatchError {
  constructor(code: string, message: string) {
    super(code, `inspect: ${message}`);
    this.name = "PublishError";
  }
}

/**
 * Publication status of each item (pure): pending (no result), published, or due/overdue counted in
 * working days from `today`.
 */
export function publicationDue(
  items: readonly {
    readonly item_no: number;
    readonly tender_id: string;
    readonly inspectors: readonly string[];
  }[],
  results: readonly Pick<InspectionResult, "item_no" | "inspected_on">[],
  published: ReadonlyMap<number, Date>,
  today: Date | CivilDate,
  settings: PublishSettings = PUBLISH_DEFAULTS,
): ItemProgress[] {
  const done = new Map<number, string>();
  for (const r of results) {
    const prev = done.get(r.item_no);
    if (prev === undefined || r.inspected_on > prev) done.set(r.item_no, r.inspected_on);
  }
  return items.map((i): ItemProgress => {
    const completed_on = done.get(i.item_no) ?? null;
    const published_at = published.get(i.item_no) ?? null;
    const base = { item_no: i.item_no, tender_id: i.tender_id, inspectors: i.inspectors, published_at };
    if (completed_on === null) {
      return { ...base, completed_on, due: null, working_days_left: null, status: "pending" };
    }
    const due = addWorkingDays(completed_on, settings.workingDays, settings.calendar);
    if (published_at) return { ...base, completed_on, due, working_days_left: null, status: "published" };
    const left = workingDaysBetween(today, due, settings.calendar);
    return { ...base, completed_on, due, working_days_left: left, status: left < 0 ? "overdue" : "due" };
  });
}

export interface PlanStatus {
  readonly plan_id: string;
  readonly commitment: string;
  readonly revealed: boolean;
  readonly period: { readonly from: string; readonly to: string };
  readonly summary: PlanDocument["summary"];
  readonly items: readonly ItemProgress[];
  readonly results: readonly InspectionResult[];
}

/** A plan's items with their results and publication deadlines as of the clock's today. */
export async function planStatus(
  db: Db,
  planId: string,
  clock: Clock,
  settings: PublishSettings = PUBLISH_DEFAULTS,
): Promise<PlanStatus> {
  const { doc, publishedAt } = await readPlan(db, planId);
  const results = await readResults(db, planId);
  return {
    plan_id: doc.plan_id,
    commitment: doc.commitment,
    revealed: doc.reveal !== undefined,
    period: { from: doc.params.from, to: doc.params.to },
    summary: doc.summary,
    items: publicationDue(doc.items, results, publishedAt, clock.now(), settings),
    results,
  };
}

export type NoticeFormat = "md" | "csv";

export interface NoticeRow {
  readonly item_no: number;
  readonly tender_id: string;
  readonly title: string;
  readonly inspectors: string;
  readonly departments: string;
  readonly inspected_on: string;
  readonly finding: string;
  readonly due: string;
}

export interface Notice {
  readonly text: string;
  readonly items: readonly number[];
}

function mdCell(s: string): string {
  return s
    .replaceAll("\\", "\\\\")
    .replaceAll("|", "\\|")
    .replace(/\r?\n|\r/g, " ");
}

function pct(x: number): string {
  return `${Math.round(x * 1e4) / 100}%`;
}

/** Values that are public and never masked: ids of tenders and the plan, hashes, the revealed seed. */
function keepSet(doc: PlanDocument, rows: readonly NoticeRow[]): Set<string> {
  const keep = new Set<string>([doc.plan_id, doc.commitment, doc.params_hash]);
  for (const h of [doc.params.candidates_hash, doc.params.population_hash, doc.params.roster_hash])
    keep.add(h);
  if (doc.reveal) {
    keep.add(doc.reveal.seed);
    keep.add(doc.reveal.nonce);
  }
  for (const r of rows) keep.add(r.tender_id);
  return keep;
}

/**
 * Renders the public notice (pure). Every free-text value is masked; the finished text must pass
 * `findSensitive`, otherwise E_INSPECT_MASK.
 */
export function renderNotice(
  doc: PlanDocument,
  progress: readonly ItemProgress[],
  results: readonly InspectionResult[],
  titles: ReadonlyMap<string, string | null>,
  format: NoticeFormat,
): Notice {
  const byItem = new Map<number, InspectionResult[]>();
  for (const r of results) byItem.set(r.item_no, [...(byItem.get(r.item_no) ?? []), r]);
  const plain = new Map(doc.items.map((i) => [i.item_no, i]));
  const keep0 = new Set(doc.items.map((i) => i.tender_id));
  const m = (s: string) => maskText(s, { keep: keep0 });
  const rows: NoticeRow[] = progress
    .filter((p) => p.status !== "pending")
    .map((p) => {
      const rs = [...(byItem.get(p.item_no) ?? [])].sort(
        (a, b) => cmpStr(a.inspected_on, b.inspected_on) || a.result_no - b.result_no,
      );
      const item = plain.get(p.item_no);
      return {
        item_no: p.item_no,
        tender_id: p.tender_id,
        title: m(titles.get(p.tender_id) ?? ""),
        inspectors: m((item?.inspectors ?? []).join("、")),
        departments: m([...new Set(item?.departments ?? [])].join("、")),
        inspected_on: p.completed_on ?? "",
        finding: m(rs.map((r) => `${r.inspected_on} ${r.inspector}：${r.finding}`).join("；")),
        due: p.due ?? "",
      };
    });
  const p = doc.params;
  const s = doc.summary;
  let text: string;
  if (format === "csv") {
    const header = [
      "plan_id",
      "item_no",
      "tender_id",
      "title",
      "inspectors",
      "departments",
      "inspected_on",
      "finding",
      "publication_due",
      "commitment",
      "seed",
      "nonce",
    ];
    text = `\uFEFF${csvLine(header)}${rows
      .map((r) =>
        csvLine([
          doc.plan_id,
          r.item_no,
          r.tender_id,
          r.title,
          r.inspectors,
          r.departments,
          r.inspected_on,
          r.finding,
          r.due,
          doc.commitment,
          doc.reveal?.seed ?? "",
          doc.reveal?.nonce ?? "",
        ]),
      )
      .join("")}`;
  } else {
    const lines = [
      `# 双随机抽查结果公示 — ${doc.plan_id}`,
      "",
      `- 抽查期间 Period: ${p.from} 至 ${p.to}`,
      `- 抽查比例 Ratio: ${pct(p.ratio)}，从 ${p.n_candidates} 个项目中抽取 ${doc.items.length} 个（${pct(s.realised_share)}）`,
      `- 抽取方法 Method: 按风险与信用等级加权的随机系统抽样（${p.algorithm}）；权重 w = 1 + ${p.weights.risk}·风险分 + ${p.weights.sanction}·失信/处罚 + ${p.weights.watch}·重点关注；` +
        `高风险项目（风险分 1）被抽中的概率为一般项目的 ${s.factors.risk} 倍，每个项目被抽中的概率不低于 ${pct(s.probability_floor)}`,
      `- 检查人员 Inspectors: 每项 ${p.per_item} 名，来自不同部门，随机匹配，存在利害关系者回避`,
      `- 承诺值 Commitment (published ${doc.created_at}): \`${doc.commitment}\``,
      doc.reveal
        ? `- 随机种子 Seed: \`${doc.reveal.seed}\` · 随机数 Nonce: \`${doc.reveal.nonce}\` (revealed ${doc.reveal.revealed_at ?? ""})`
        : "- 随机种子 Seed: 尚未公开 (not yet revealed)",
      `- params_hash \`${doc.params_hash}\` · candidates_hash \`${p.candidates_hash}\` · population_hash \`${p.population_hash}\` · roster_hash \`${p.roster_hash}\``,
      `- 核验 Verify: \`bidwatch inspect verify --plan ${doc.plan_id} --seed <seed> [--nonce <nonce>]\` (docs/inspect.md)`,
      `- 已完成 Completed: ${rows.length} / ${doc.items.length}`,
      "",
      "| 序号 | 项目编号 | 项目名称 | 检查人员 | 检查部门 | 检查完成日期 | 检查结果 | 公示期限 |",
      "|---:|---|---|---|---|---|---|---|",
      ...rows.map(
        (r) =>
          `| ${r.item_no} | ${mdCell(r.tender_id)} | ${mdCell(r.title)} | ${mdCell(r.inspectors)} | ${mdCell(r.departments)} | ${r.inspected_on} | ${mdCell(r.finding)} | ${r.due} |`,
      ),
      "",
    ];
    text = lines.join("\n");
  }
  const left = findSensitive(text, { keep: keepSet(doc, rows) });
  if (left.length > 0) {
    throw new PublishError(
      "E_INSPECT_MASK",
      `the notice still contains ${left.length} unmasked value(s) that look like ID numbers, phones or accounts`,
    );
  }
  return { text, items: rows.map((r) => r.item_no) };
}

export interface PublishResult {
  readonly path: string;
  readonly format: NoticeFormat;
  readonly items: readonly number[];
  readonly sha256: string;
  readonly progress: readonly ItemProgress[];
}

/** The format of an output path: `.csv` → csv, anything else → Markdown. */
export function noticeFormat(path: string): NoticeFormat {
  return extname(path).toLowerCase() === ".csv" ? "csv" : "md";
}

/** Writes the public notice of a plan and marks its completed items as published (audited). */
export async function publishPlan(
  ctx: InspectContext,
  planId: string,
  outPath: string,
  by: { readonly actor: string; readonly format?: NoticeFormat },
  settings: PublishSettings = PUBLISH_DEFAULTS,
): Promise<PublishResult> {
  const { doc, publishedAt } = await readPlan(ctx.db, planId);
  const results = await readResults(ctx.db, planId);
  const today = shanghaiDate(ctx.clock.now());
  const progress = publicationDue(doc.items, results, publishedAt, today, settings);
  const titles = await readTenderTitles(
    ctx.db,
    doc.items.map((i) => i.tender_id),
  );
  const format = by.format ?? noticeFormat(outPath);
  const notice = renderNotice(doc, progress, results, titles, format);
  await mkdir(dirname(outPath), { recursive: true });
  await writeFile(outPath, notice.text, "utf8");
  const sha256 = createHash("sha256").update(notice.text, "utf8").digest("hex");
  await markPublished(ctx, planId, notice.items, { actor: by.actor, target: outPath, sha256 });
  const after = (await readPlan(ctx.db, planId)).publishedAt;
  return {
    path: outPath,
    format,
    items: notice.items,
    sha256,
    progress: publicationDue(doc.items, results, after, today, settings),
  };
}
