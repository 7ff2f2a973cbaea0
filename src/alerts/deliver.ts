/**
 * Delivery of pending outbox rows to BullMQ (contract §3): queue = channel (`analyst`, `inspection`,
 * `discipline`, `public-security`), key prefix `bidwatch`, job id = alert id, so a re-sent job is never
 * duplicated. Redis that does not answer within the timeout leaves every row pending and reports why.
 */
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import type { Db } from "../db/duckdb.ts";
import type { Clock, Logger } from "../types.ts";
import { markDelivered, markFailed, pendingRows } from "./outbox.ts";

export const QUEUE_PREFIX = "bidwatch";
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

export interface DeliverOptions {
  readonly redisUrl: string;
  readonly prefix?: string;
  readonly connectTimeoutMs?: number;
}

export interface DeliverResult {
  readonly delivered: number;
  readonly pending: number;
  /** Set when Redis could not be reached: nothing was delivered. */
  readonly error?: string;
}

/** Redacts credentials from a Redis URL for logs. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(invalid url)";
  }
}

/** Whether Redis answers within the timeout: undefined when it does, else why not. */
export async function probeRedis(url: string, timeoutMs: number): Promise<string | undefined> {
  const conn = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  conn.on("error", () => {});
  try {
    await conn.connect();
    await conn.ping();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    conn.disconnect();
  }
}

export async function deliverPending(
  db: Db,
  options: DeliverOptions,
  clock: Clock,
  logger?: Logger,
): Promise<DeliverResult> {
  const rows = await pendingRows(db);
  if (rows.length === 0) return { delivered: 0, pending: 0 };
  const down = await probeRedis(options.redisUrl, options.connectTimeoutMs ?? 2000);
  if (down) {
    const error = `Redis at ${safeUrl(options.redisUrl)} is not reachable (${down}); ${rows.length} deliveries stay pending`;
    await markFailed(db, error);
    logger?.warn(error);
    return { delivered: 0, pending: rows.length, error };
  }
  const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null });
  const queues = new Map<string, Queue>();
  let delivered = 0;
  try {
    for (const row of rows) {
      let queue = queues.get(row.channel);
      if (!queue) {
        queue = new Queue(row.channel, { connection, prefix: options.prefix ?? QUEUE_PREFIX });
        queues.set(row.channel, queue);
      }
      await queue.add("alert", JSON.parse(row.payload), { jobId: row.alert_id });
      await markDelivered(db, row.alert_id, row.channel, clock);
      delivered++;
    }
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    await markFailed(db, error);
    logger?.warn(`delivery interrupted: ${error}`);
    return { delivered, pending: rows.length - delivered, error };
  } finally {
    for (const q of queues.values()) await q.close();
    connection.disconnect();
  }
  return { delivered, pending: rows.length - delivered };
}
