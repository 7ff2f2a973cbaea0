/**
 * The delivery outbox (contract §3): alerts are written to DuckDB first, one row per (alert, channel);
 * delivery to BullMQ happens from here. A row is delivered once: its job id is the alert id, and a
 * delivered row is never sent again. Redis down → rows stay pending for `bidwatch deliver` or the next run.
 * The alert's JSON is stored once per alert and enqueue call (table outbox_payload), not once per channel.
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

/**
 * Creates the outbox tables, and moves an outbox made by an earlier version (the payload in a JSON column
 * of every row) to the current layout in one transaction: pending rows stay pending with the payload they
 * were enqueued with, delivered rows stay delivered. Must not be called inside a transaction.
 */
export async function initOutbox(db: Db): Promise<void> {
  const legacy = await db.one<{ n: number }>(q("legacy_layout"));
  if ((legacy?.n ?? 0) === 0) {
    await db.exec(q("init"));
    return;
  }
  // The old table is set aside, `init` creates the current tables, and the rows move across.
  await db.transaction(async () => {
    await db.exec(q("set_aside_legacy"));
    await db.exec(q("init"));
    await db.exec(q("migrate_legacy"));
  });
}

/** The columns of outbox and outbox_payload in table order (outbox.sql `init`), as `enqueueAlerts` appends them. */
const OUTBOX_COLUMNS = [
  "alert_id",
  "channel",
  "payload_id",
  "created_at",
  "delivered_at",
  "attempts",
  "last_error",
] as const;
const PAYLOAD_COLUMNS = ["payload_id", "alert_id", "payload"] as const;

/**
 * Adds a pending row for every (alert, channel) not in the outbox yet. Returns how many were added.
 * The payload is the alert's JSON text (`JSON.stringify(alert)`), stored once per alert with a new row.
 * Rows go straight into the tables through DuckDB's appender (append.ts), in one transaction: no statement
 * per row and no staging copy. Pairs already in the outbox are left alone (a delivered row is never sent
 * again); a pair repeated within the call keeps its first payload. Must not be called inside a transaction.
 */
export async function enqueueAlerts(db: Db, alerts: readonly Alert[], clock: Clock): Promise<number> {
  const createdAt = new DuckDBTimestampTZValue(BigInt(clock.now().getTime()) * 1000n);
  return db.transaction(async () => {
    const done = new Map<string, Set<string>>();
    const existing = await db.all<{ alert_id: string; channel: string }>(q("existing_keys"), {
      ids: JSON.stringify([...new Set(alerts.map((a) => a.id))]),
    });
    for (const r of existing) channelsOf(done, r.alert_id).add(r.channel);
    const last = (await db.one<{ last: number }>(q("last_payload_id")))?.last ?? 0;
    const { payloads, rows } = newRows(alerts, done, last);
    await appendRows(db, "outbox_payload", PAYLOAD_COLUMNS, payloads, (appender, [id, a]) => {
      appender.appendBigInt(BigInt(id));
      appender.appendVarchar(a.id);
      appender.appendVarchar(JSON.stringify(a));
    });
    return appendRows(db, "outbox", OUTBOX_COLUMNS, rows, (appender, [alertId, channel, payloadId]) => {
      appender.appendVarchar(alertId);
      appender.appendVarchar(channel);
      appender.appendBigInt(BigInt(payloadId));
      appender.appendTimestampTZ(createdAt);
      appender.appendNull();
      appender.appendInteger(0);
      appender.appendNull();
    });
  });
}

/**
 * The (alert, channel) pairs not in `done` yet, each with the id of its alert's payload, and the payloads
 * to store: one per alert that has a new pair, numbered on from `lastId`.
 */
function newRows(
  alerts: readonly Alert[],
  done: Map<string, Set<string>>,
  lastId: number,
): { payloads: [number, Alert][]; rows: [string, string, number][] } {
  const payloads: [number, Alert][] = [];
  const rows: [string, string, number][] = [];
  for (const a of alerts) {
    const seen = channelsOf(done, a.id);
    let payloadId: number | undefined;
    for (const channel of a.channels) {
      if (seen.has(channel)) continue;
      seen.add(channel);
      if (payloadId === undefined) {
        payloadId = lastId + payloads.length + 1;
        payloads.push([payloadId, a]);
      }
      rows.push([a.id, channel, payloadId]);
    }
  }
  return { payloads, rows };
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
