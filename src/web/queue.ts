/**
 * The alert queue as a user sees it: the store's alerts (store.ts `listAlerts`) the user may see,
 * filtered by status, channel, region, category and kind, with deadlines and overdue referrals from
 * workflow.ts (`currentDeadline`, `overdue`), sorted and paged.
 */
import type { CivilDate } from "../alerts/calendar.ts";
import { type AlertFilter, type AlertRecord, type AlertStatus, listAlerts } from "../alerts/store.ts";
import {
  currentDeadline,
  type DeadlineSettings,
  overdue,
  resolveDeadlineSettings,
} from "../alerts/workflow.ts";
import type { Db } from "../db/duckdb.ts";
import { cmpStr } from "../domain/compare.ts";
import { dominant, readFirmNames, readTenderPlaces } from "../report/data.ts";
import type { AlertKind, Channel, Clock } from "../types.ts";
import { canSee, type User } from "./users.ts";

export type StatusFilter = AlertStatus | "open" | "all";
export type QueueSort = "rank" | "amount" | "deadline";

export interface QueueQuery {
  readonly status: StatusFilter;
  readonly channel?: Channel;
  readonly region?: string;
  readonly category?: string;
  readonly kind?: AlertKind;
  readonly sort: QueueSort;
  /** 1-based. */
  readonly page: number;
}

export const PAGE_SIZE = 50;

export interface DeadlineView {
  readonly stage: "acceptance" | "result";
  readonly due: CivilDate;
  /** Working days past due (0 when on time). */
  readonly overdueDays: number;
}

export interface QueueRow {
  readonly alert: AlertRecord;
  /** The region and category most of the alert's tenders are in. */
  readonly region: string | null;
  readonly category: string | null;
  readonly firmNames: readonly string[];
  readonly deadline: DeadlineView | null;
}

export interface QueuePage {
  readonly rows: readonly QueueRow[];
  readonly total: number;
  readonly page: number;
  readonly pages: number;
  /** Filter choices present among the alerts the user can see (before region/category/kind filters). */
  readonly regions: readonly string[];
  readonly categories: readonly string[];
  readonly overdueCount: number;
}

function storeFilter(user: User, query: QueueQuery): AlertFilter {
  const status =
    query.status === "open" ? { open: true } : query.status === "all" ? {} : { status: query.status };
  // A liaison's view is fixed to their channel (and only what was referred to it, checked below).
  const channel = user.channel ?? query.channel;
  return { ...status, ...(channel ? { channel } : {}) };
}

export async function loadQueue(
  db: Db,
  user: User,
  query: QueueQuery,
  clock: Clock,
  deadlineSettings: Partial<DeadlineSettings> = {},
): Promise<QueuePage> {
  const settings = resolveDeadlineSettings(deadlineSettings);
  const visible = (await listAlerts(db, storeFilter(user, query))).filter((a) => canSee(user, a));
  const places = await readTenderPlaces(db, [...new Set(visible.flatMap((a) => a.tenders))]);
  const late = new Map((await overdue(db, clock, deadlineSettings)).map((o) => [o.alert_id, o]));

  const enriched = visible.map((alert) => {
    const d = currentDeadline(alert, settings);
    const o = late.get(alert.id);
    return {
      alert,
      region: dominant(alert.tenders.map((t) => places.get(t)?.region ?? null)),
      category: dominant(alert.tenders.map((t) => places.get(t)?.category ?? null)),
      regions: new Set(alert.tenders.map((t) => places.get(t)?.region).filter((r): r is string => !!r)),
      categories: new Set(alert.tenders.map((t) => places.get(t)?.category).filter((c): c is string => !!c)),
      deadline: d ? { stage: d.stage, due: d.due, overdueDays: o?.working_days_overdue ?? 0 } : null,
    };
  });
  const regions = [...new Set(enriched.flatMap((e) => [...e.regions]))].sort(cmpStr);
  const categories = [...new Set(enriched.flatMap((e) => [...e.categories]))].sort(cmpStr);

  const filtered = enriched.filter(
    (e) =>
      (!query.kind || e.alert.kind === query.kind) &&
      (!query.region || e.regions.has(query.region)) &&
      (!query.category || e.categories.has(query.category)),
  );
  // listAlerts returns rank order (score desc, amount desc, id); the other sorts keep it as tie-breaker.
  const rankOf = new Map(filtered.map((e, i) => [e.alert.id, i]));
  const byRank = (a: (typeof filtered)[number], b: (typeof filtered)[number]) =>
    (rankOf.get(a.alert.id) ?? 0) - (rankOf.get(b.alert.id) ?? 0);
  const sorted = [...filtered].sort((a, b) => {
    if (query.sort === "amount") return b.alert.amount - a.alert.amount || byRank(a, b);
    if (query.sort === "deadline") {
      const od = (b.deadline?.overdueDays ?? -1) - (a.deadline?.overdueDays ?? -1);
      if (od !== 0) return od;
      const da = a.deadline?.due ?? "9999-12-31";
      const dbb = b.deadline?.due ?? "9999-12-31";
      return cmpStr(da, dbb) || byRank(a, b);
    }
    return byRank(a, b);
  });

  const pages = Math.max(1, Math.ceil(sorted.length / PAGE_SIZE));
  const page = Math.min(Math.max(1, query.page), pages);
  const slice = sorted.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  const names = await readFirmNames(db, [...new Set(slice.flatMap((e) => e.alert.firms))]);
  return {
    rows: slice.map((e) => ({
      alert: e.alert,
      region: e.region,
      category: e.category,
      firmNames: e.alert.firms.map((f) => names.get(f) ?? f),
      deadline: e.deadline,
    })),
    total: sorted.length,
    page,
    pages,
    regions,
    categories,
    overdueCount: filtered.filter((e) => (e.deadline?.overdueDays ?? 0) > 0).length,
  };
}
