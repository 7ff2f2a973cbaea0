/**
 * Routing rules (pure, configurable): which channels an alert is proposed for, each with its reason.
 * - `analyst`: every alert.
 * - `inspection`: the administrative inspection department of the tenders' sector (by tender category:
 *   construction → 住建, water → 水利, transport → 交通, government_procurement → 财政, …); administrative
 *   violations of the bidding law are theirs to handle.
 * - `discipline`: the evidence points at the tenderee or agency side — one tenderee or one agency behind at
 *   least `sideShare` of a multi-firm alert's tenders (条例 Art. 41 patterns: the tenderee or agency steering
 *   the award), or a short submission period / disqualification pattern on the tender side.
 * - `public-security`: proposed when the prosecution thresholds for collusive bidding (串通投标罪, Criminal
 *   Law Art. 223; 立案追诉标准) may be met: award value at stake ≥ `criminalAmount` (default 4,000,000 yuan),
 *   or a firm with ≥ 2 administrative penalties for collusion within 2 years (sanctions list) bidding
 *   collusively again.
 * The outcome of each rule, with its reason, is kept on the alert (`routing`).
 */
import { type Db, sqlSection } from "../db/duckdb.ts";
import { cmpStr } from "../domain/compare.ts";
import type { Alert, Channel, RouteProposal } from "../types.ts";

export interface RoutingSettings {
  readonly criminalAmount: number;
  readonly sideShare: number;
  readonly repeatPenalties: number;
  readonly repeatWindowDays: number;
  /** Inspection department per tender category. */
  readonly departments: Readonly<Record<string, { zh: string; en: string }>>;
  /** Rules whose evidence implicates the tender side (tenderee, agency). */
  readonly tenderSideRules: readonly string[];
}

export const ROUTING_DEFAULTS: RoutingSettings = {
  criminalAmount: 4_000_000,
  sideShare: 0.6,
  repeatPenalties: 2,
  repeatWindowDays: 730,
  departments: {
    construction: { zh: "住房和城乡建设部门", en: "housing and construction" },
    water: { zh: "水利部门", en: "water resources" },
    transport: { zh: "交通运输部门", en: "transport" },
    government_procurement: { zh: "财政部门", en: "finance (government procurement)" },
    land: { zh: "自然资源部门", en: "natural resources" },
    medicine: { zh: "医疗保障部门", en: "healthcare security" },
    state_assets: { zh: "国有资产监督管理部门", en: "state-owned assets supervision" },
    other: { zh: "公共资源交易监督管理部门", en: "public resources trading supervision" },
  },
  tenderSideRules: [
    "SHORT_SUBMISSION_PERIOD",
    "LATE_BID_WON",
    "ALL_BUT_WINNER_DISQUALIFIED",
    "LOWEST_BID_DISQUALIFIED",
  ],
};

export interface TenderSide {
  readonly category: string | null;
  readonly tenderee_id: string | null;
  readonly agency_id: string | null;
}

export interface RoutingContext {
  readonly tenders: ReadonlyMap<string, TenderSide>;
  /** Collusion penalties per firm: dates (ISO yyyy-mm-dd) of sanctions whose reason names collusion. */
  readonly collusionPenalties: ReadonlyMap<string, readonly string[]>;
  /** The reference date (ISO yyyy-mm-dd) for the repeat-offender window: the latest bid in the data. */
  readonly asOf: string;
}

export type Route = RouteProposal;

const CHANNEL_ORDER: readonly Channel[] = ["analyst", "inspection", "discipline", "public-security"];

function dominant(values: readonly (string | null)[]): { value: string; share: number } | undefined {
  const counts = new Map<string, number>();
  for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  const best = [...counts.entries()].sort((a, b) => b[1] - a[1] || cmpStr(a[0], b[0]))[0];
  return best && values.length > 0 ? { value: best[0], share: best[1] / values.length } : undefined;
}

function daysBetween(a: string, b: string): number {
  return (Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000;
}

export function routeAlert(
  alert: Pick<Alert, "kind" | "firms" | "tenders" | "amount" | "evidence">,
  ctx: RoutingContext,
  s: RoutingSettings = ROUTING_DEFAULTS,
): Route[] {
  const routes: Route[] = [
    {
      channel: "analyst",
      reason_zh: "所有预警线索均进入分析研判队列。",
      reason_en: "Every alert goes to the analyst queue.",
    },
  ];
  const sides = alert.tenders.map((t) => ctx.tenders.get(t));
  const cat = dominant(sides.map((x) => x?.category ?? "other"));
  const dept = s.departments[cat?.value ?? "other"] ?? s.departments.other;
  if (dept) {
    routes.push({
      channel: "inspection",
      department: cat?.value ?? "other",
      reason_zh: `标段所属行业由${dept.zh}负责行政监督。`,
      reason_en: `The tenders' sector is supervised by the ${dept.en} department.`,
    });
  }
  const reasonsDiscipline: [string, string][] = [];
  if (alert.tenders.length >= 2 && alert.firms.length >= 2) {
    for (const [key, zh, en] of [
      ["tenderee_id", "招标人", "tenderee"],
      ["agency_id", "招标代理机构", "agency"],
    ] as const) {
      const d = dominant(sides.map((x) => x?.[key] ?? null));
      if (d && d.share >= s.sideShare) {
        reasonsDiscipline.push([
          `${Math.round(d.share * 100)}% 的涉案标段由同一${zh}（${d.value}）负责，需排查招标人/代理机构是否参与串通（条例第41条）。`,
          `${Math.round(d.share * 100)}% of the tenders involved have the same ${en} (${d.value}): check whether the ${en} colluded (Regulations Art. 41).`,
        ]);
      }
    }
  }
  const sideRules = alert.evidence.filter((e) => s.tenderSideRules.includes(e.rule)).map((e) => e.rule);
  if (sideRules.length > 0) {
    reasonsDiscipline.push([
      `证据涉及招标人一侧的操作（${[...new Set(sideRules)].join("、")}）。`,
      `Evidence involves the tender side (${[...new Set(sideRules)].join(", ")}).`,
    ]);
  }
  if (reasonsDiscipline.length > 0) {
    routes.push({
      channel: "discipline",
      reason_zh: reasonsDiscipline.map((r) => r[0]).join(""),
      reason_en: reasonsDiscipline.map((r) => r[1]).join(" "),
    });
  }
  const collusive = alert.kind === "ring" || alert.kind === "pair";
  const criminal: [string, string][] = [];
  if (collusive && alert.amount >= s.criminalAmount) {
    criminal.push([
      `涉案中标金额 ${(alert.amount / 10_000).toFixed(2)} 万元，达到串通投标罪立案追诉标准参考值（${s.criminalAmount / 10_000} 万元）。`,
      `Award value at stake ${alert.amount.toFixed(2)} yuan reaches the prosecution threshold for collusive bidding (${s.criminalAmount} yuan).`,
    ]);
  }
  if (collusive) {
    const repeaters = alert.firms.filter((f) => {
      const dates = ctx.collusionPenalties.get(f) ?? [];
      return (
        dates.filter((d) => daysBetween(d, ctx.asOf) <= s.repeatWindowDays && daysBetween(d, ctx.asOf) >= 0)
          .length >= s.repeatPenalties
      );
    });
    if (repeaters.length > 0) {
      criminal.push([
        `${repeaters.join("、")} 两年内因串通投标受过 ${s.repeatPenalties} 次以上行政处罚又再次串通投标。`,
        `${repeaters.join(", ")} received ${s.repeatPenalties}+ administrative penalties for collusion within two years and colluded again.`,
      ]);
    }
  }
  if (criminal.length > 0) {
    routes.push({
      channel: "public-security",
      reason_zh: `建议移送公安机关：${criminal.map((r) => r[0]).join("")}`,
      reason_en: `Proposed referral to public security: ${criminal.map((r) => r[1]).join(" ")}`,
    });
  }
  return routes.sort((a, b) => CHANNEL_ORDER.indexOf(a.channel) - CHANNEL_ORDER.indexOf(b.channel));
}

const rq = (name: string) => sqlSection(import.meta.url, "routing.sql", name);

/**
 * Reads what the routing rules need from the database. The repeat-offender window ends at the latest bid
 * in the data (not today), so the same data always routes the same way.
 */
export async function readRoutingContext(
  db: Db,
  /** The tender sides when the caller has read them already (outputs.ts `readTenderFacts`). */
  sides?: ReadonlyMap<string, TenderSide>,
): Promise<RoutingContext> {
  const tenders =
    sides ??
    new Map(
      (await db.all<TenderSide & { tender_id: string } & Record<string, unknown>>(rq("tender_sides"))).map(
        (t) => [t.tender_id, t],
      ),
    );
  const asOf = (await db.one<{ d: string | null }>(rq("as_of")))?.d ?? "1970-01-01";
  const pens = await db.all<{ firm_id: string; dates: string[] }>(rq("collusion_penalties"));
  return {
    tenders,
    collusionPenalties: new Map(pens.map((p) => [p.firm_id, p.dates])),
    asOf,
  };
}
