import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  appendAudit,
  auditHead,
  auditTrail,
  GENESIS_HASH,
  initAudit,
  verifyAudit,
} from "../../src/alerts/audit.ts";
import { Db } from "../../src/db/duckdb.ts";

const T0 = new Date("2025-03-03T02:00:00.000Z");
const N = 6;

describe("hash-chained audit log", () => {
  let db: Db;

  beforeEach(async () => {
    db = await Db.open(":memory:");
    await initAudit(db);
    for (let i = 0; i < N; i++) {
      await appendAudit(
        db,
        [
          {
            actor: `analyst.${i}`,
            alert_id: `A-${i % 2}`,
            action: i === 0 ? "claim" : "triage",
            from_state: i === 0 ? "new" : "in_review",
            to_state: "in_review",
            channel: i === 3 ? "inspection" : null,
            note: i === 0 ? null : `note ${i} 备注`,
          },
        ],
        new Date(T0.getTime() + i * 60_000),
      );
    }
  });
  afterEach(() => db.close());

  it("chains rows from the genesis hash and verifies an intact log", async () => {
    const result = await verifyAudit(db);
    const head = await auditHead(db);
    expect(result).toEqual({ ok: true, checked: N, head });
    expect(head.seq).toBe(N);
    const trail = await auditTrail(db, "A-0");
    expect(trail.map((e) => e.seq)).toEqual([1, 3, 5]);
    const first = trail[0];
    expect(first?.prev_hash).toBe(GENESIS_HASH);
    expect(first?.at).toEqual(T0);
    // Independent recomputation of the documented canonical form.
    const canonical = JSON.stringify([
      "bidwatch-audit/1",
      1,
      T0.getTime() * 1000,
      "analyst.0",
      "A-0",
      "claim",
      "new",
      "in_review",
      null,
      null,
      "0".repeat(64),
    ]);
    expect(first?.hash).toBe(createHash("sha256").update(canonical, "utf8").digest("hex"));
  });

  it("verifies across pages", async () => {
    expect(await verifyAudit(db, { pageSize: 2 })).toMatchObject({ ok: true, checked: N });
  });

  it("an empty log is intact", async () => {
    const empty = await Db.open(":memory:");
    await initAudit(empty);
    expect(await verifyAudit(empty)).toEqual({ ok: true, checked: 0, head: { seq: 0, hash: GENESIS_HASH } });
    empty.close();
  });

  const edits: [string, string, string][] = [
    ["note", "note = 'changed'", "note = $old"],
    ["actor", "actor = 'someone.else'", "actor = $old"],
    ["time", `"at" = "at" + INTERVAL 1 SECOND`, `"at" = "at" - INTERVAL 1 SECOND`],
    ["time by 1µs", `"at" = "at" + INTERVAL 1 MICROSECOND`, `"at" = "at" - INTERVAL 1 MICROSECOND`],
    ["alert_id", "alert_id = 'A-9'", "alert_id = $old"],
    ["action", "action = 'close'", "action = $old"],
    ["to_state", "to_state = 'closed'", "to_state = $old"],
    ["channel", "channel = 'discipline'", "channel = $old"],
  ];

  it.each(edits)("detects an edited %s in any row and names the row", async (field, set, restore) => {
    const column = field.startsWith("time") ? "at" : field;
    for (let seq = 1; seq <= N; seq++) {
      const old = await db.one<{ old: unknown }>(
        `SELECT "${column}"::VARCHAR AS old FROM audit_log WHERE seq = $seq`,
        {
          seq,
        },
      );
      await db.exec(`UPDATE audit_log SET ${set} WHERE seq = $seq`, { seq });
      const result = await verifyAudit(db);
      expect(result.ok, `${field} of row ${seq}`).toBe(false);
      expect(result.firstBad?.seq).toBe(seq);
      expect(result.firstBad?.reason).toMatch(/hash mismatch/);
      await db.exec(
        `UPDATE audit_log SET ${restore} WHERE seq = $seq`,
        restore.includes("$old") ? { seq, old: (old?.old as string | null) ?? null } : { seq },
      );
      expect((await verifyAudit(db)).ok).toBe(true);
    }
  });

  it("detects a deleted row and names the missing seq", async () => {
    await db.exec("DELETE FROM audit_log WHERE seq = 3");
    expect(await verifyAudit(db)).toMatchObject({
      ok: false,
      firstBad: { seq: 3, reason: expect.stringMatching(/missing/) },
    });
  });

  it("detects a deleted first row", async () => {
    await db.exec("DELETE FROM audit_log WHERE seq = 1");
    expect((await verifyAudit(db)).firstBad?.seq).toBe(1);
  });

  it("detects rows deleted and renumbered to close the gap", async () => {
    await db.exec("DELETE FROM audit_log WHERE seq = 3");
    await db.exec("UPDATE audit_log SET seq = seq - 1 WHERE seq > 3");
    expect(await verifyAudit(db)).toMatchObject({
      ok: false,
      firstBad: { seq: 3, reason: expect.stringMatching(/prev_hash/) },
    });
  });

  it("detects reordered rows", async () => {
    await db.exec("UPDATE audit_log SET seq = 100 WHERE seq = 2");
    await db.exec("UPDATE audit_log SET seq = 2 WHERE seq = 4");
    await db.exec("UPDATE audit_log SET seq = 4 WHERE seq = 100");
    expect((await verifyAudit(db)).firstBad?.seq).toBe(2);
  });

  it("detects an edit whose row hash was recomputed: the next row no longer links", async () => {
    const { auditHash } = await import("../../src/alerts/audit.ts");
    const row = await db.one<Record<string, unknown>>(
      `SELECT seq, epoch_us("at") AS at_us, actor, alert_id, action, from_state, to_state, channel, note, prev_hash
       FROM audit_log WHERE seq = 2`,
    );
    const forged = { ...(row as never as Parameters<typeof auditHash>[0]), note: "forged" };
    await db.exec("UPDATE audit_log SET note = 'forged', hash = $h WHERE seq = 2", { h: auditHash(forged) });
    expect(await verifyAudit(db)).toMatchObject({
      ok: false,
      firstBad: { seq: 3, reason: expect.stringMatching(/prev_hash/) },
    });
  });

  it("detects truncation against a published head", async () => {
    const head = await auditHead(db);
    await db.exec(`DELETE FROM audit_log WHERE seq = ${N}`);
    expect((await verifyAudit(db)).ok).toBe(true); // the chain alone cannot see a cut tail
    expect(await verifyAudit(db, { anchors: [head] })).toMatchObject({ ok: false, firstBad: { seq: N } });
  });

  it("appends several entries at once, continuing the chain", async () => {
    const written = await appendAudit(
      db,
      [
        { actor: "bidwatch", alert_id: "A-7", action: "create", from_state: null, to_state: "new" },
        { actor: "bidwatch", alert_id: "A-8", action: "create", from_state: null, to_state: "new" },
      ],
      T0,
    );
    expect(written.map((w) => w.seq)).toEqual([N + 1, N + 2]);
    expect(written[1]?.prev_hash).toBe(written[0]?.hash);
    expect((await verifyAudit(db)).ok).toBe(true);
    await expect(
      appendAudit(db, [{ actor: " ", alert_id: null, action: "x", from_state: null, to_state: null }], T0),
    ).rejects.toThrow(/actor/);
  });
});
