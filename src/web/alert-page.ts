/** Everything the alert page shows, read through the store, the audit log and the workflow (no writes). */
import { type AuditEntry, auditTrail } from "../alerts/audit.ts";
import { type AlertRecord, getAlert } from "../alerts/store.ts";
import {
  currentDeadline,
  type DeadlineSettings,
  type Operation,
  overdue,
  resolveDeadlineSettings,
} from "../alerts/workflow.ts";
import type { Db } from "../db/duckdb.ts";
import { cmpStr } from "../domain/compare.ts";
import type { GraphEdge } from "../report/charts.ts";
import { readFirmNames } from "../report/data.ts";
import { ringEdges } from "../report/report.ts";
import type { Clock } from "../types.ts";
import { type BidInfo, readBids, readTenders, type TenderInfo } from "./data.ts";
import type { DeadlineView } from "./queue.ts";
import { canSee, operationsFor, type User } from "./users.ts";

/** Tenders drawn as bid charts on one page. */
export const MAX_BID_CHARTS = 12;

export interface AlertPageData {
  readonly alert: AlertRecord;
  readonly trail: readonly AuditEntry[];
  /** The tenders drawn, most alert firms bidding first, then by id. */
  readonly tenders: readonly TenderInfo[];
  /** Tenders of the alert not drawn (beyond MAX_BID_CHARTS). */
  readonly moreTenders: readonly string[];
  readonly bids: ReadonlyMap<string, readonly BidInfo[]>;
  readonly names: ReadonlyMap<string, string>;
  /** Ring: its internal evidence edges; pair: one edge with every pair rule; otherwise empty. */
  readonly edges: readonly GraphEdge[];
  readonly deadline: DeadlineView | null;
  readonly operations: readonly Operation[];
}

/** Combines a pair alert's evidence into one edge per firm pair: weight 1 − Π(1 − w), rules sorted. */
export function pairEdges(alert: Pick<AlertRecord, "kind" | "firms" | "evidence">): GraphEdge[] {
  if (alert.kind !== "pair" || alert.firms.length !== 2) return [];
  const [a, b] = alert.firms as [string, string];
  const rules = [...new Set(alert.evidence.map((e) => e.rule))].sort(cmpStr);
  const weight = 1 - alert.evidence.reduce((p, e) => p * (1 - Math.max(0, Math.min(1, e.weight))), 1);
  return [{ a, b, weight: Math.round(weight * 10_000) / 10_000, rules }];
}

/** The page's data, or undefined when there is no such alert or the user may not see it. */
export async function loadAlertPage(
  db: Db,
  id: string,
  user: User,
  clock: Clock,
  deadlineSettings: Partial<DeadlineSettings> = {},
): Promise<AlertPageData | undefined> {
  const alert = await getAlert(db, id);
  if (!alert || !canSee(user, alert)) return undefined;
  const trail = await auditTrail(db, id);

  const allBids = await readBids(db, alert.tenders);
  const members = new Set(alert.firms);
  const involvement = (t: string) => (allBids.get(t) ?? []).filter((b) => members.has(b.firm_id)).length;
  const order = [...alert.tenders].sort((x, y) => involvement(y) - involvement(x) || cmpStr(x, y));
  const shown = order.slice(0, MAX_BID_CHARTS);
  const tenders = (await readTenders(db, shown)).sort(
    (x, y) => shown.indexOf(x.tender_id) - shown.indexOf(y.tender_id),
  );
  const bids = new Map(shown.map((t) => [t, allBids.get(t) ?? []]));

  const names = await readFirmNames(db, alert.firms);
  const edges = alert.kind === "ring" ? ringEdges(alert) : pairEdges(alert);

  const settings = resolveDeadlineSettings(deadlineSettings);
  const d = currentDeadline(alert, settings);
  const late = d ? (await overdue(db, clock, deadlineSettings)).find((o) => o.alert_id === id) : undefined;
  return {
    alert,
    trail,
    tenders,
    moreTenders: order.slice(MAX_BID_CHARTS),
    bids,
    names,
    edges,
    deadline: d ? { stage: d.stage, due: d.due, overdueDays: late?.working_days_overdue ?? 0 } : null,
    operations: operationsFor(user, alert),
  };
}
