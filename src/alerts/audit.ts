/**
 * The append-only, hash-chained audit log (全程留痕, 责任可究). Every alert state change is one row:
 *
 *   hash = SHA-256 hex of UTF-8 JSON.stringify([
 *     "bidwatch-audit/1", seq, at_us, actor, alert_id, action, from_state, to_state, channel, note, prev_hash
 *   ])
 *
 * where `at_us` is the instant in integer microseconds since 1970-01-01T00:00:00Z, absent values are
 * JSON `null`, and `prev_hash` is the previous row's hash (64 zeros for seq 1). Sequence numbers start at
 * 1 and have no gaps. Changing any field of a row, deleting or reordering rows breaks the chain at that
 * row; `verifyAudit` names the first row where it breaks. Removing rows at the end (truncation) or
 * rewriting the whole tail with fresh hashes can only be detected against a head published elsewhere:
 * keep `auditHead()` in the run summary or a second system and pass it back as an anchor.
 *
 * Appends happen inside the caller's transaction, together with the state change they record.
 */
import { createHash } from "node:crypto";
import { type DuckDBAppender, DuckDBTimestampTZValue } from "@duckdb/node-api";
import { type Db, sqlSection } from "../db/duckdb.ts";
import { appendRows } from "./append.ts";

const q = (name: string) => sqlSection(import.meta.url, "audit.sql", name);

export const GENESIS_HASH = "0".repeat(64);
const FORMAT_TAG = "bidwatch-audit/1";

/** What a caller records; seq, time and hashes are added by `appendAudit`. */
export interface AuditInput {
  readonly actor: string;
  readonly alert_id: string | null;
  readonly action: string;
  readonly from_state: string | null;
  readonly to_state: string | null;
  readonly channel?: string | null;
  readonly note?: string | null;
}

export interface AuditEntry {
  readonly seq: number;
  readonly at: Date;
  /** The stored instant in microseconds since the epoch (what the hash covers). */
  readonly at_us: number;
  readonly actor: string;
  readonly alert_id: string | null;
  readonly action: string;
  readonly from_state: string | null;
  readonly to_state: string | null;
  readonly channel: string | null;
  readonly note: string | null;
  readonly prev_hash: string;
  readonly hash: string;
}

export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

export interface VerifyResult {
  readonly ok: boolean;
  /** Rows checked (all rows when ok; up to and including the first bad one otherwise). */
  readonly checked: number;
  /** The last row of an intact chain. */
  readonly head?: AuditHead;
  readonly firstBad?: { readonly seq: number; readonly reason: string };
}

export async function initAudit(db: Db): Promise<void> {
  await db.exec(q("init"));
}

/** The canonical serialisation the hash covers (exported so other tools can re-implement the check). */
export function canonicalAuditRow(row: Omit<AuditEntry, "hash" | "at">): string {
  return JSON.stringify([
    FORMAT_TAG,
    row.seq,
    row.at_us,
    row.actor,
    row.alert_id,
    row.action,
    row.from_state,
    row.to_state,
    row.channel,
    row.note,
    row.prev_hash,
  ]);
}

export function auditHash(row: Omit<AuditEntry, "hash" | "at">): string {
  return createHash("sha256").update(canonicalAuditRow(row), "utf8").digest("hex");
}

/** The last row's seq and hash (seq 0 and the genesis hash for an empty log). */
export async function auditHead(db: Db): Promise<AuditHead> {
  const row = await db.one<{ seq: number; hash: string }>(q("head"));
  return row ? { seq: row.seq, hash: row.hash } : { seq: 0, hash: GENESIS_HASH };
}

/** The audit log's columns in table order (audit.sql `init`), as `appendAudit` writes them. */
const AUDIT_COLUMNS = [
  "seq",
  "at",
  "actor",
  "alert_id",
  "action",
  "from_state",
  "to_state",
  "channel",
  "note",
  "prev_hash",
  "hash",
] as const;

/**
 * Appends entries in order, all at instant `at`. Call inside the transaction that makes the change being
 * recorded, so the change and its record commit or roll back together. Rows go in through DuckDB's
 * appender (append.ts), which joins that transaction.
 */
export async function appendAudit(db: Db, entries: readonly AuditInput[], at: Date): Promise<AuditEntry[]> {
  if (entries.length === 0) return [];
  const ms = at.getTime();
  if (!Number.isFinite(ms)) throw new Error("audit: invalid time");
  const at_us = ms * 1000;
  let { seq, hash: prev } = await auditHead(db);
  const written: AuditEntry[] = [];
  for (const e of entries) {
    if (!e.actor.trim()) throw new Error("audit: actor is required");
    if (!e.action.trim()) throw new Error("audit: action is required");
    seq += 1;
    const base = {
      seq,
      at_us,
      actor: e.actor,
      alert_id: e.alert_id,
      action: e.action,
      from_state: e.from_state,
      to_state: e.to_state,
      channel: e.channel ?? null,
      note: e.note ?? null,
      prev_hash: prev,
    };
    const hash = auditHash(base);
    written.push({ ...base, at: new Date(ms), hash });
    prev = hash;
  }
  const atValue = new DuckDBTimestampTZValue(BigInt(at_us));
  const text = (appender: DuckDBAppender, v: string | null) =>
    v === null ? appender.appendNull() : appender.appendVarchar(v);
  await appendRows(db, "audit_log", AUDIT_COLUMNS, written, (appender, w) => {
    appender.appendBigInt(BigInt(w.seq));
    appender.appendTimestampTZ(atValue);
    appender.appendVarchar(w.actor);
    text(appender, w.alert_id);
    appender.appendVarchar(w.action);
    text(appender, w.from_state);
    text(appender, w.to_state);
    text(appender, w.channel);
    text(appender, w.note);
    appender.appendVarchar(w.prev_hash);
    appender.appendVarchar(w.hash);
  });
  return written;
}

interface StoredRow {
  seq: number;
  at_us: number;
  actor: string;
  alert_id: string | null;
  action: string;
  from_state: string | null;
  to_state: string | null;
  channel: string | null;
  note: string | null;
  prev_hash: string;
  hash: string;
}

function toEntry(r: StoredRow): AuditEntry {
  return { ...r, at: new Date(Math.floor(r.at_us / 1000)) };
}

/** Every entry about one alert, oldest first. */
export async function auditTrail(db: Db, alertId: string): Promise<AuditEntry[]> {
  const rows = await db.all<StoredRow & Record<string, unknown>>(q("trail"), { alert_id: alertId });
  return rows.map(toEntry);
}

export interface VerifyOptions {
  /**
   * Heads published earlier (e.g. in a run summary): each must still be in the chain with the same hash.
   * This is what detects truncation or a rewritten tail.
   */
  readonly anchors?: readonly AuditHead[];
  /** Rows read per query. */
  readonly pageSize?: number;
}

/**
 * Recomputes the chain from seq 1 and returns the first row that does not fit:
 * - a missing sequence number (a row deleted): `firstBad.seq` is the missing seq;
 * - `prev_hash` not equal to the previous row's hash (rows deleted, reordered or replaced);
 * - `hash` not equal to the recomputed hash (a field of that row edited);
 * - an anchor whose row is gone or has another hash.
 */
export async function verifyAudit(db: Db, options: VerifyOptions = {}): Promise<VerifyResult> {
  const pageSize = options.pageSize ?? 10_000;
  const anchors = new Map((options.anchors ?? []).map((a) => [a.seq, a.hash]));
  let expectedSeq = 1;
  let prev = GENESIS_HASH;
  let checked = 0;
  let after = 0;
  const bad = (seq: number, reason: string): VerifyResult => ({
    ok: false,
    checked,
    firstBad: { seq, reason },
  });
  for (;;) {
    const rows = await db.all<StoredRow & Record<string, unknown>>(q("page"), { after, limit: pageSize });
    for (const r of rows) {
      checked++;
      if (r.seq !== expectedSeq) {
        return bad(
          expectedSeq,
          r.seq > expectedSeq
            ? `row ${expectedSeq} is missing (next row is ${r.seq}): rows were deleted`
            : `row ${r.seq} is out of order (expected ${expectedSeq})`,
        );
      }
      if (r.prev_hash !== prev) {
        return bad(
          r.seq,
          `prev_hash does not match the hash of row ${r.seq - 1}: rows were deleted, reordered or replaced`,
        );
      }
      const recomputed = auditHash(r);
      if (recomputed !== r.hash) {
        return bad(r.seq, `hash mismatch: a field of row ${r.seq} was changed after it was written`);
      }
      const anchored = anchors.get(r.seq);
      if (anchored !== undefined && anchored !== r.hash) {
        return bad(r.seq, `row ${r.seq} differs from the published anchor: the chain was rewritten`);
      }
      anchors.delete(r.seq);
      prev = r.hash;
      expectedSeq++;
      after = r.seq;
    }
    if (rows.length < pageSize) break;
  }
  const missing = [...anchors.keys()].filter((s) => s > 0).sort((a, b) => a - b)[0];
  if (missing !== undefined) {
    return bad(missing, `row ${missing} of a published anchor is gone: the log was truncated`);
  }
  return { ok: true, checked, head: { seq: expectedSeq - 1, hash: prev } };
}
