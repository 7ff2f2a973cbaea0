/**
 * Issue 6 acceptance, end to end: the real pipeline fills a temp database from a generated export, the
 * real workbench serves it, and headless Chromium signs in, opens the queue and a ring alert, refers it to
 * discipline inspection, sees the audit entry, and the discipline liaison then sees only that alert.
 * Anonymous requests and requests without the CSRF token are refused.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runPipeline } from "../../pipelines/run.ts";
import { Db } from "../../src/db/duckdb.ts";
import { generateExport } from "../../src/generate/index.ts";
import type { Logger } from "../../src/types.ts";
import { DbLease } from "../../src/web/db-source.ts";
import { type RunningServer, startServer } from "../../src/web/server.ts";
import { hashSecret, UserDirectory } from "../../src/web/users.ts";
import { tempDir } from "../helpers/db.ts";
import { launchChromium, screenshotDir } from "./browser.ts";

const quiet: Logger = { info: () => {}, warn: () => {} };
// Monday 5 January 2026, 10:00 in Shanghai; moved forward below to make a referral overdue.
let now = new Date("2026-01-05T02:00:00Z");
const clock = { now: () => now };
// Cheap scrypt parameters keep the test fast; the format and the check are the production ones.
const FAST = { N: 1024, r: 8, p: 1 };

let dir: string;
let cleanup: () => Promise<void>;
let server: RunningServer;
let browser: Browser;
let shots: string;
let ringId: string;
let otherId: string;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir("bidwatch-web-"));
  // Launch first: without Chromium the suite fails at once, saying how to install it.
  browser = await launchChromium();
  await generateExport({ tenders: 150, seed: 5 }, join(dir, "in"));
  const dbPath = join(dir, "bidwatch.duckdb");
  const db = await Db.open(dbPath);
  try {
    await runPipeline({ inputs: [join(dir, "in")], outDir: join(dir, "out") }, { db, clock, logger: quiet });
  } finally {
    db.close();
  }
  const users = UserDirectory.fromJson({
    users: [
      { username: "wang", name: "王分析", role: "analyst", secret: await hashSecret("analyst-secret", FAST) },
      {
        username: "jw01",
        name: "市纪委监委联络员",
        role: "liaison:discipline",
        secret: await hashSecret("discipline-secret", FAST),
      },
      {
        username: "zhu",
        name: "主管",
        role: "supervisor",
        secret: await hashSecret("supervisor-secret", FAST),
      },
    ],
  });
  server = await startServer(
    {
      db: new DbLease(dbPath),
      users,
      clock,
      logger: quiet,
      // The test moves the clock by days; sessions must outlive that.
      sessions: { idleMs: 90 * 86_400_000, maxAgeMs: 90 * 86_400_000 },
      admin: {
        redisUrl: inject("redisUrl"),
        queues: ["discipline", "nightly"],
        prefix: `bw-web-${process.pid}`,
      },
    },
    { port: 0 },
  );
  shots = screenshotDir(dir);
  await mkdir(shots, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await cleanup?.();
});

async function signIn(context: BrowserContext, username: string, secret: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${server.url}/`);
  expect(new URL(page.url()).pathname).toBe("/login");
  await page.fill("#username", username);
  await page.fill("#secret", secret);
  await page.click("form[action='/login'] button[type=submit]");
  await page.waitForURL(`${server.url}/`);
  return page;
}

describe("workbench", () => {
  it("refuses anonymous requests", async () => {
    const plain = await fetch(`${server.url}/`, { redirect: "manual" });
    expect(plain.status).toBe(401);
    const browserLike = await fetch(`${server.url}/alerts/A-0000000000000000`, {
      redirect: "manual",
      headers: { accept: "text/html" },
    });
    expect(browserLike.status).toBe(303);
    expect(browserLike.headers.get("location")).toBe("/login?next=%2Falerts%2FA-0000000000000000");
    const post = await fetch(`${server.url}/alerts/A-0000000000000000/claim`, {
      method: "POST",
      body: new URLSearchParams({ note: "x" }),
      redirect: "manual",
    });
    expect(post.status).toBe(401);
    const wrong = await fetch(`${server.url}/login`, { redirect: "manual" });
    const cookie = wrong.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^__Host-bidwatch-login=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/Secure/);
    expect(cookie).toMatch(/SameSite=Strict/);
  });

  it("lets an analyst refer a ring alert to discipline inspection, recorded in the audit log", async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await signIn(context, "wang", "analyst-secret");
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === "__Host-bidwatch-session");
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: "Strict" });

    // The queue, in rank order, Chinese by default.
    await expect(page.locator("h1").textContent()).resolves.toContain("预警队列");
    const rows = page.locator("table.queue tbody tr");
    expect(await rows.count()).toBeGreaterThan(5);
    const ringRow = page.locator('tr[data-kind="ring"]').first();
    ringId = (await ringRow.getAttribute("data-alert-id")) as string;
    otherId = (await page.locator('tr[data-kind="tender"]').first().getAttribute("data-alert-id")) as string;
    expect(ringId).toMatch(/^A-[0-9a-f]{16}$/);

    // The ring alert: summary, evidence, bid charts and the ring graph drawn by ECharts.
    await ringRow.locator("a").first().click();
    await page.waitForURL(`${server.url}/alerts/${ringId}`);
    await page.waitForSelector("#ring-graph svg");
    expect(await page.locator("[data-testid=summary]").textContent()).toContain("疑似围标团伙");
    expect(await page.locator("table.evidence tr[data-rule=RING]").count()).toBe(1);
    expect(await page.locator("#ring-graph svg path").count()).toBeGreaterThan(3);
    expect(await page.locator("[id^=bids-] svg").count()).toBeGreaterThan(0);

    // claim → refer to discipline, through the forms.
    await page.click("form[data-op=claim] button[type=submit]");
    await page.waitForURL(`${server.url}/alerts/${ringId}?done=claim`);
    await page.selectOption("form[data-op=refer] select[name=channel]", "discipline");
    await page.fill(
      "form[data-op=refer] textarea[name=note]",
      "同一投标文件、同一制作人，移交纪检监察核查招标人关联",
    );
    await page.click("form[data-op=refer] button[type=submit]");
    await page.waitForURL(`${server.url}/alerts/${ringId}?done=refer`);
    expect(await page.locator("[data-testid=referred-channel]").textContent()).toBe("纪检监察");

    // The audit entries, with the signed-in user as actor.
    const referRow = page.locator("table.history tr[data-action=refer]");
    expect(await referRow.count()).toBe(1);
    const cells = await referRow.locator("td").allTextContents();
    expect(cells).toContain("wang");
    expect(cells).toContain("纪检监察");
    expect(cells.join(" ")).toContain("移交纪检监察核查");
    expect(await page.locator("table.history tr[data-action=claim] td").allTextContents()).toContain("wang");
    await page.waitForSelector("[id^=bids-] svg");
    await page.screenshot({ path: join(shots, "alert.png"), fullPage: true });

    // Six working days later the referral is overdue and stands out in the queue.
    now = new Date("2026-01-13T02:00:00Z");
    await page.goto(`${server.url}/?status=open`);
    const referred = page.locator(`tr[data-alert-id="${ringId}"]`);
    await expect(referred.getAttribute("class")).resolves.toContain("overdue");
    expect(await referred.textContent()).toContain("逾期 1 个工作日");
    await page.screenshot({ path: join(shots, "queue.png") });

    // English on request.
    await page.click("[data-testid=lang-switch]");
    await expect(page.locator("h1").textContent()).resolves.toContain("Alert queue");
    await page.click("[data-testid=lang-switch]");
    await context.close();
  });

  it("refuses a state-changing request without the CSRF token", async () => {
    const context = await browser.newContext();
    const page = await signIn(context, "wang", "analyst-secret");
    const post = (token: string | null) =>
      page.evaluate(
        async ([url, t]) => {
          const body = new URLSearchParams({ note: "forged" });
          if (t !== null) body.set("_csrf", t);
          const r = await fetch(url as string, { method: "POST", body, redirect: "manual" });
          return r.status;
        },
        [`${server.url}/alerts/${otherId}/claim`, token] as const,
      );
    expect(await post(null)).toBe(403);
    expect(await post("not-the-token")).toBe(403);
    await page.goto(`${server.url}/alerts/${otherId}`);
    expect(await page.locator("table.history tr[data-action=claim]").count()).toBe(0);
    expect(await page.locator("form[data-op=claim]").count()).toBe(1);
    await context.close();
  });

  it("shows the discipline liaison only the alert referred to discipline", async () => {
    const context = await browser.newContext();
    const page = await signIn(context, "jw01", "discipline-secret");
    const ids = await page
      .locator("table.queue tbody tr")
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-alert-id")));
    expect(ids).toEqual([ringId]);
    await expect(page.locator("[data-testid=queue-count]").textContent()).resolves.toContain("1 条预警");

    // Another alert is invisible, even by URL; the referred one can be accepted.
    const hidden = await page.goto(`${server.url}/alerts/${otherId}`);
    expect(hidden?.status()).toBe(404);
    await page.goto(`${server.url}/alerts/${ringId}`);
    expect(
      await page.locator("form[data-op]").evaluateAll((fs) => fs.map((f) => f.getAttribute("data-op"))),
    ).toEqual(["accept"]);
    await page.fill("form[data-op=accept] textarea[name=note]", "已签收");
    await page.click("form[data-op=accept] button[type=submit]");
    await page.waitForURL(`${server.url}/alerts/${ringId}?done=accept`);
    expect(await page.locator("table.history tr[data-action=accept] td").allTextContents()).toContain("jw01");

    // A liaison cannot use operations outside the role, even with a valid token.
    const csrf = await page.locator("input[name=_csrf]").first().inputValue();
    const status = await page.evaluate(
      async ([url, t]) => {
        const body = new URLSearchParams({ _csrf: t as string, verdict: "dismissed", note: "x" });
        return (await fetch(url as string, { method: "POST", body, redirect: "manual" })).status;
      },
      [`${server.url}/alerts/${ringId}/close`, csrf] as const,
    );
    expect(status).toBe(403);

    // Signing out ends the session.
    await page.click("header form[action='/logout'] button");
    await page.waitForURL(`${server.url}/login`);
    await page.goto(`${server.url}/alerts/${ringId}`);
    expect(new URL(page.url()).pathname).toBe("/login");
    await context.close();
  });

  it("shows the queue dashboard to supervisors only", async () => {
    const analyst = await browser.newContext();
    const a = await signIn(analyst, "wang", "analyst-secret");
    expect(await a.locator("a[href='/admin/queues']").count()).toBe(0);
    expect((await a.goto(`${server.url}/admin/queues`))?.status()).toBe(403);
    await analyst.close();

    const supervisor = await browser.newContext();
    const s = await signIn(supervisor, "zhu", "supervisor-secret");
    await s.click("a[href='/admin/queues']");
    await s.waitForURL(`${server.url}/admin/queues`);
    await s.waitForSelector("text=discipline");
    expect(await s.title()).toContain("bidwatch queues");
    await supervisor.close();
  });
});
