/** Effects the command line wires into pipelines: the database file, the clock, the stderr logger, the actor. */
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { Db } from "../db/duckdb.ts";
import { initDb } from "../db/init.ts";
import { UsageError } from "../errors.ts";
import type { Clock, Logger } from "../types.ts";

export const systemClock: Clock = { now: () => new Date() };

function fmt(fields?: Record<string, unknown>): string {
  if (!fields) return "";
  return ` ${Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ")}`;
}

/** Human-readable lines on stderr; `BIDWATCH_LOG=json` gives one JSON object per line (structured logs). */
export const stderrLogger: Logger = {
  info: (msg, fields) => write("info", msg, fields),
  warn: (msg, fields) => write("warn", msg, fields),
};

function write(level: "info" | "warn", msg: string, fields?: Record<string, unknown>): void {
  if (process.env.BIDWATCH_LOG === "json") {
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
  } else {
    process.stderr.write(`bidwatch: ${level === "warn" ? "warning: " : ""}${msg}${fmt(fields)}\n`);
  }
}

/** Opens the database file (creating its folder) with bidwatch's schema; the caller closes it. */
export async function openDb(path: string): Promise<Db> {
  if (path !== ":memory:") await mkdir(dirname(path), { recursive: true });
  const db = await Db.open(path);
  await initDb(db);
  return db;
}

export async function withDb<T>(path: string, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = await openDb(path);
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

/** Who acts: `--actor`, else $BIDWATCH_ACTOR. Every workflow step is recorded with its actor (责任可究). */
export function resolveActor(actor: string | undefined): string {
  const a = actor ?? process.env.BIDWATCH_ACTOR;
  if (!a?.trim()) throw new UsageError("say who acts: --actor NAME (or set BIDWATCH_ACTOR)");
  return a.trim();
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export const DB_DEFAULT = "bidwatch.duckdb";
