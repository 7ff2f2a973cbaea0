/**
 * The delivery outbox (contract §3): alerts are written to DuckDB first, one row per (alert, channel);
 * delivery to BullMQ happens from here. A row is delivered once: its job id is the alert id, and a
 * delivered row is never sent again. Redis down → rows stay pending for `bidwatch deliver` or the next run.
 */
import { DuckDBTimestampTZValue } from "@duckdb/node-api";
import { type Db, sqlSection } from "../db/duckdb.ts";
import type { Alert, Clock } from "../types.ts";
import { appendRows } from "./append.ts";

const q = (name: string) => sqlSection(import.meta.url, "outbox.sql", name);

export interface OutboxRow {
  readonly alert_id: string;
  readonly channel: string;
  readonly payload: string;
}

export async function initOutbox(db: Db): Promise<void> {
  await db.exec(q("init"));
}

/** The outbox's columns in table order (outbox.sql `init`), as `enqueueAlerts` appends them. */
const OUTBOX_COLUMNS = [
  "alert_id",
  "channel",
  "payload",
  "created_at",
  "delivered_at",
  "attempts",
  "last_error",
] as const;

/**
 * Adds a pending row for every (alert, channel) not in the outbox yet. Returns how many were added.
 * The payload is the alert's JSON text (`JSON.stringify(alert)`). Rows go straight into the table through
 * DuckDB's appender (append.ts), in one transaction: no statement per row, no staging copy, and no second
 * parse of the payloads (JSON.stringify writes valid JSON, and a VARCHAR → JSON cast only checks it,
 * keeping the text). Pairs already in the outbox are left alone (a delivered row is never sent again); a
 * pair repeated within the call keeps its first payload. Must not be called inside a transaction.
 */
export async function enqueueAlerts(db: Db, alerts: readonly Alert[], clock: Clock): Promise<number> {
  const createdAt = new DuckDBTimestampTZValue(BigInt(clock.now().getTime()) * 1000n);
  return db.transaction(async () => {
    const done = new Map<string, Set<string>>();
    const existing = await db.all<{ alert_id: string; channel: string }>(q("existing_keys"), {
      ids: JSON.stringify([...new Set(alerts.map((a) => a.id))]),
    });
    for (const r of existing) channelsOf(done, r.alert_id).add(r.channel);
    return appendRows(
      db,
      "outbox",
      OUTBOX_COLUMNS,
      newRows(alerts, done),
      (appender, [a, channel, payload]) => {
        appender.appendVarchar(a.id);
        appender.appendVarchar(channel);
        appender.appendVarchar(payload);
        appender.appendTimestampTZ(createdAt);
        appender.appendNull();
        appender.appendInteger(0);
        appender.appendNull();
      },
    );
  });
}

/** The (alert, channel, payload) rows not in `done` yet, each alert's payload made once. */
function* newRows(
  alerts: readonly Alert[],
  done: Map<string, Set<string>>,
): Generator<[Alert, string, string]> {
  for (const a of alerts) {
    const seen = channelsOf(done, a.id);
    let payload: string | undefined;
    for (const channel of a.channels) {
      if (seen.has(channel)) continue;
      seen.add(channel);
      payload ??= JSON.stringify(a);
      yield [a, channel, payload];
    }
  }
}

function channelsOf(done: Map<string, Set<string>>, alertId: string): Set<string> {
  let set = done.get(alertId);
  if (!set) {
    set = new Set();
    done.set(alertId, set);
  }
  return set;
}

export async function pendingRows(db: Db): Promise<OutboxRow[]> {
  return db.all<OutboxRow & Record<string, unknown>>(q("pending"));
}

export async function markDelivered(db: Db, alertId: string, channel: string, clock: Clock): Promise<void> {
  await db.exec(q("mark_delivered"), { alert_id: alertId, channel, at: clock.now().toISOString() });
}

export async function markFailed(db: Db, error: string): Promise<void> {
  await db.exec(q("mark_failed"), { error });
}

export async function pendingCounts(db: Db): Promise<{ pending: number; delivered: number }> {
  const r = await db.one<{ pending: number; delivered: number }>(q("counts"));
  return { pending: r?.pending ?? 0, delivered: r?.delivered ?? 0 };
}
