/**
 * The BullMQ queue dashboard (bull-board) for operators, mounted at /admin/queues for supervisors only.
 * Read-only (bull-board refuses retries, removals and cleans server-side), so the dashboard's own
 * requests never change state and the workbench's CSRF rule (a token on every non-GET request) stays
 * unconditional.
 */
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { HonoAdapter } from "@bull-board/hono";
import { serveStatic } from "@hono/node-server/serve-static";
import { Queue } from "bullmq";
import type { Hono } from "hono";
import { Redis } from "ioredis";
import type { Logger } from "../types.ts";

export const ADMIN_BASE = "/admin/queues";

export interface QueueDashboardOptions {
  readonly redisUrl: string;
  /** Queue names to show (delivery channels, nightly, commands). */
  readonly queues: readonly string[];
  /** BullMQ key prefix (default `bidwatch`). */
  readonly prefix?: string;
}

/** Builds the dashboard's routes; returns them with a function that closes the Redis connection. */
export function queueDashboard(
  options: QueueDashboardOptions,
  logger: Logger,
): { routes: Hono; close: () => Promise<void> } {
  const connection = new Redis(options.redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  let warned = false;
  connection.on("error", (err: Error) => {
    if (!warned) logger.warn("queue dashboard: Redis unreachable", { error: err.message });
    warned = true;
  });
  connection.on("ready", () => {
    warned = false;
  });
  const queues = options.queues.map(
    (name) => new Queue(name, { connection, prefix: options.prefix ?? "bidwatch" }),
  );
  const serverAdapter = new HonoAdapter(serveStatic);
  createBullBoard({
    queues: queues.map((q) => new BullMQAdapter(q, { readOnlyMode: true })),
    serverAdapter,
    options: { uiConfig: { boardTitle: "bidwatch queues" } },
  });
  serverAdapter.setBasePath(ADMIN_BASE);
  return {
    routes: serverAdapter.registerPlugin() as unknown as Hono,
    close: async () => {
      await Promise.all(queues.map((q) => q.close()));
      connection.disconnect();
    },
  };
}
