/**
 * The delivery outbox (contract §3): alerts are written to DuckDB first, one row per (alert, channel);
 * delivery to BullMQ happens from here. A row is delivered once: its job id is the alert id, and a
 * delivered row is never sent again. Redis down → rows stay pending for `bidwatch deliver` or the next run.
 */
import { type Db, sqlSection } from "../db/duckdb.ts";
import type { Alert, Clock } from "../types.ts";

const q = (name: string) => sqlSection(import.meta.url, "outbox.sql", name);

export interface OutboxRow {
  readonly alert_id: string;
  readonly channel: string;
  readonly payload: string;
}

export async function initOutbox(db: Db): Promise<void> {
  await db.exec(q("init"));
}

/** (alert, channel) rows per staged batch in `enqueueAlerts` (bounds the memory the payloads take). */
const ENQUEUE_BATCH = 2000;

/**
 * Adds a pending row for every (alert, channel) not in the outbox yet. Returns how many were added.
 * Rows are appended in bulk to a staging table and inserted with one statement per batch (a statement per
 * row costs milliseconds each); a pair repeated within the call keeps its first payload, as row-by-row
 * inserts did.
 */
export async function enqueueAlerts(db: Db, alerts: readonly Alert[], clock: Clock): Promise<number> {
  const before = (await pendingCounts(db)).pending;
  const at = clock.now().toISOString();
  const seen = new Set<string>();
  let batch: [string, string, string][] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await db.appendText("bw_outbox_in", batch, { temp: true });
    await db.exec(q("enqueue_staged"), { at });
    await db.exec("DELETE FROM bw_outbox_in");
    batch = [];
  };
  await db.exec(q("enqueue_stage"));
  try {
    for (const a of alerts) {
      const payload = JSON.stringify(a);
      for (const channel of a.channels) {
        const key = JSON.stringify([a.id, channel]);
        if (seen.has(key)) continue;
        seen.add(key);
        batch.push([a.id, channel, payload]);
      }
      if (batch.length >= ENQUEUE_BATCH) await flush();
    }
    await flush();
  } finally {
    await db.exec("DROP TABLE IF EXISTS bw_outbox_in");
  }
  return (await pendingCounts(db)).pending - before;
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
