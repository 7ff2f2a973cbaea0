import { describe, expect, it } from "vitest";
import type { AlertRecord } from "../../src/alerts/store.ts";
import { safeNext } from "../../src/web/app.ts";
import { tokensMatch } from "../../src/web/csrf.ts";
import { evidenceView } from "../../src/web/evidence.ts";
import { LoginThrottle, SessionStore } from "../../src/web/sessions.ts";
import { canSee, hashSecret, operationsFor, UserDirectory, verifySecret } from "../../src/web/users.ts";

const FAST = { N: 1024, r: 8, p: 1 };

describe("secrets", () => {
  it("hashes with scrypt and verifies in constant time", async () => {
    const h = await hashSecret("correct horse", FAST);
    expect(h).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(await verifySecret("correct horse", h)).toBe(true);
    expect(await verifySecret("correct horsE", h)).toBe(false);
    expect(await verifySecret("correct horse", "plain")).toBe(false);
    expect(await hashSecret("correct horse", FAST)).not.toBe(h);
  });
});

describe("users file", () => {
  it("rejects unknown keys, plain secrets, unknown roles and duplicates", async () => {
    const secret = await hashSecret("s", FAST);
    const ok = { username: "wang", role: "analyst", secret };
    expect(UserDirectory.fromJson({ users: [ok] }).size).toBe(1);
    const bad = [
      { users: [{ ...ok, password: "x" }] },
      { users: [{ ...ok, secret: "hunter2" }] },
      { users: [{ ...ok, role: "liaison:police" }] },
      { users: [ok, ok] },
      { users: [] },
      { users: [ok], extra: 1 },
    ];
    for (const b of bad) {
      expect(() => UserDirectory.fromJson(b)).toThrowError(
        expect.objectContaining({ code: "E_USERS_CONFIG" }),
      );
    }
  });

  it("authenticates; unknown users and wrong secrets get nothing", async () => {
    const dir = UserDirectory.fromJson({
      users: [
        { username: "jw", name: "联络员", role: "liaison:discipline", secret: await hashSecret("s3", FAST) },
      ],
    });
    expect(await dir.authenticate("jw", "s3")).toEqual({
      username: "jw",
      name: "联络员",
      role: "liaison:discipline",
      channel: "discipline",
    });
    expect(await dir.authenticate("jw", "s4")).toBeUndefined();
    expect(await dir.authenticate("nobody", "s3")).toBeUndefined();
  });
});

describe("permissions", () => {
  const analyst = { username: "a", name: "a", role: "analyst", channel: null } as const;
  const supervisor = { username: "s", name: "s", role: "supervisor", channel: null } as const;
  const jw = { username: "j", name: "j", role: "liaison:discipline", channel: "discipline" } as const;
  const alert = (status: AlertRecord["status"], channel: AlertRecord["referred_channel"], accepted = false) =>
    ({ status, referred_channel: channel, accepted_at: accepted ? new Date() : null }) as const;

  it("lets a liaison see only alerts referred to their channel", () => {
    expect(canSee(jw, alert("referred", "discipline"))).toBe(true);
    expect(canSee(jw, alert("referred", "inspection"))).toBe(false);
    expect(canSee(jw, alert("new", null))).toBe(false);
    expect(canSee(analyst, alert("new", null))).toBe(true);
  });

  it("offers the workflow's allowed operations the role permits", () => {
    expect(operationsFor(analyst, alert("new", null))).toEqual(["claim"]);
    expect(operationsFor(analyst, alert("in_review", null))).toEqual(["triage", "refer", "close"]);
    expect(operationsFor(analyst, alert("referred", "discipline"))).toEqual([]);
    expect(operationsFor(supervisor, alert("referred", "discipline"))).toEqual(["accept"]);
    expect(operationsFor(jw, alert("referred", "discipline"))).toEqual(["accept"]);
    expect(operationsFor(jw, alert("referred", "discipline", true))).toEqual(["feedback"]);
    expect(operationsFor(jw, alert("referred", "inspection"))).toEqual([]);
  });
});

describe("sessions and tokens", () => {
  it("ends idle and old sessions", () => {
    let t = 0;
    const clock = { now: () => new Date(t) };
    const store = new SessionStore(clock, { idleMs: 1000, maxAgeMs: 5000 });
    const user = { username: "a", name: "a", role: "analyst", channel: null } as const;
    const s = store.create(user);
    expect(s.id).not.toBe(s.csrf);
    t = 900;
    expect(store.get(s.id)).toBe(s);
    t = 1800;
    expect(store.get(s.id)).toBe(s);
    t = 2801;
    expect(store.get(s.id)).toBeUndefined();
    const s2 = store.create(user);
    for (t = 3000; t <= 8000; t += 900) store.get(s2.id);
    expect(store.get(s2.id)).toBeUndefined();
    expect(store.get(undefined)).toBeUndefined();
  });

  it("throttles repeated failures per username", () => {
    let t = 0;
    const th = new LoginThrottle({ now: () => new Date(t) }, 3, 1000);
    for (let i = 0; i < 3; i++) th.fail("wang");
    expect(th.blocked("wang")).toBe(true);
    expect(th.blocked("li")).toBe(false);
    t = 1001;
    expect(th.blocked("wang")).toBe(false);
  });

  it("compares tokens and keeps redirects local", () => {
    expect(tokensMatch("abc", "abc")).toBe(true);
    expect(tokensMatch("abc", "abd")).toBe(false);
    expect(tokensMatch("abc", undefined)).toBe(false);
    expect(tokensMatch("", "")).toBe(false);
    expect(safeNext("/alerts/A-1?x=1")).toBe("/alerts/A-1?x=1");
    for (const bad of [
      "//evil.example",
      "https://evil.example",
      "/\\evil",
      "javascript:alert(1)",
      "",
      null,
    ]) {
      expect(safeNext(bad)).toBe("/");
    }
  });
});

describe("evidence view", () => {
  it("sorts facts into shared values, statistics and thresholds", () => {
    const v = evidenceView({
      rule: "SHARED_MAC",
      weight: 0.91,
      text_zh: "同一网卡",
      text_en: "same MAC",
      facts: {
        field: "mac",
        shared_values: ["B4:2E:99:C1:3C:28"],
        tenders: ["T1", "T2"],
        n_tenders: 2,
        value_used_by_firms_max: 3,
        thresholds: { hub_max_firms: 6, base_weight: 0.7 },
      },
    });
    expect(v.shared).toEqual(["mac: B4:2E:99:C1:3C:28"]);
    expect(v.statistics).toEqual([
      ["n_tenders", "2"],
      ["value_used_by_firms_max", "3"],
    ]);
    expect(v.thresholds).toEqual([
      ["hub_max_firms", "6"],
      ["base_weight", "0.7"],
    ]);
    expect(v.tenders).toEqual(["T1", "T2"]);
    const screens = evidenceView({
      rule: "PRICE_SCREENS",
      weight: 0.12,
      text_zh: "",
      text_en: "",
      facts: {
        screens: [
          {
            screen: "gap_cv",
            value: 0.0977934,
            q1: 0.66,
            q3: 1.01,
            lower_fence: 0.135,
            upper_fence: 1.54,
            basis: "group",
          },
        ],
        n_bids: 4,
        fence: { q1: 1, q3: 2 },
        k: 1.5,
      },
    });
    expect(screens.statistics).toContainEqual(["gap_cv", "0.0978"]);
    expect(screens.thresholds).toContainEqual(["fence.q1", "1"]);
    expect(screens.thresholds).toContainEqual(["k", "1.5"]);
  });
});
