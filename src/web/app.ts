/**
 * The analyst workbench (`bidwatch serve`): a Hono app rendering the alert queue and alert pages from the
 * alert store, with the workflow operations of workflow.ts behind forms — the same service code as the
 * command line, never a second implementation.
 *
 * Security: every page and action needs a signed-in session (users.ts); a liaison sees only alerts
 * referred to their channel; state-changing requests carry a CSRF token (csrf.ts); the session cookie is
 * HttpOnly, Secure, SameSite=Strict with the `__Host-` prefix; responses carry a strict Content Security
 * Policy (no inline script) and are not cached. Static assets (style sheet, ECharts, the chart script)
 * are public.
 */

import type { Context } from "hono";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { secureHeaders } from "hono/secure-headers";
import { z } from "zod";
import { ALERT_STATUSES, getAlert } from "../alerts/store.ts";
import {
  accept,
  claim,
  close,
  type DeadlineSettings,
  feedback,
  type Operation,
  REFERRAL_CHANNELS,
  refer,
  TRANSITIONS,
  triage,
  VERDICTS,
  WorkflowError,
} from "../alerts/workflow.ts";
import { type AssetName, readAsset } from "../report/assets.ts";
import { LANGS, type Lang, label, OPERATION_LABELS } from "../report/labels.ts";
import type { Clock, Logger } from "../types.ts";
import { ADMIN_BASE, type QueueDashboardOptions, queueDashboard } from "./admin.ts";
import { loadAlertPage } from "./alert-page.ts";
import { CSRF_FIELD, CSRF_HEADER, newToken, tokensMatch } from "./csrf.ts";
import { DbBusyError, type DbSource } from "./db-source.ts";
import { t } from "./i18n.ts";
import { loadQueue, type QueueQuery } from "./queue.ts";
import { LoginThrottle, type Session, type SessionSettings, SessionStore } from "./sessions.ts";
import { canSee, isAdmin, roleOperations, type User, type UserDirectory } from "./users.ts";
import { alertPage, errorPage, loginPage, type PageContext, queuePage } from "./views.ts";

export interface WebOptions {
  readonly db: DbSource;
  readonly users: UserDirectory;
  /** Time for workflow records, deadlines and session expiry (default: the system clock). */
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly sessions?: Partial<SessionSettings>;
  readonly deadlines?: Partial<DeadlineSettings>;
  /** Mount the read-only BullMQ dashboard at /admin/queues for supervisors. */
  readonly admin?: QueueDashboardOptions;
}

export interface Workbench {
  readonly app: Hono<Env>;
  /** Releases what the app holds besides the database (the dashboard's Redis connection). */
  close(): Promise<void>;
}

/** Cookie names; the session and sign-in cookies get the `__Host-` prefix (Secure, Path=/, no Domain). */
export const SESSION_COOKIE = "bidwatch-session";
export const LOGIN_COOKIE = "bidwatch-login";
export const LANG_COOKIE = "bidwatch-lang";

type Env = { Variables: { session: Session; lang: Lang } };

const quiet: Logger = { info: () => {}, warn: () => {} };
const systemClock: Clock = { now: () => new Date() };

const ASSET_TYPES: Readonly<Record<AssetName, string>> = {
  "echarts.min.js": "text/javascript; charset=utf-8",
  "charts.js": "text/javascript; charset=utf-8",
  "style.css": "text/css; charset=utf-8",
};

// ---------------------------------------------------------------------------------------------------------
// Input validation

const OPERATIONS = Object.keys(TRANSITIONS) as [Operation, ...Operation[]];
const ALERT_ID = /^[A-Za-z0-9._:-]{1,80}$/;
const note = z.string().trim().min(1, "note is required").max(4000);
const blankToUndefined = (v: unknown) => (v === "" ? undefined : v);

const queueQuerySchema = z.object({
  status: z.preprocess(blankToUndefined, z.enum(["open", "all", ...ALERT_STATUSES]).default("open")),
  channel: z.preprocess(blankToUndefined, z.enum(["analyst", ...REFERRAL_CHANNELS]).optional()),
  region: z.preprocess(blankToUndefined, z.string().max(64).optional()),
  category: z.preprocess(blankToUndefined, z.string().max(64).optional()),
  kind: z.preprocess(blankToUndefined, z.enum(["ring", "pair", "tender", "firm"]).optional()),
  sort: z.preprocess(blankToUndefined, z.enum(["rank", "amount", "deadline"]).default("rank")),
  page: z.preprocess(blankToUndefined, z.coerce.number().int().min(1).max(1_000_000).default(1)),
});

const actionSchemas = {
  claim: z.strictObject({}),
  triage: z.strictObject({ note }),
  refer: z.strictObject({ channel: z.enum(REFERRAL_CHANNELS as [string, ...string[]]), note }),
  accept: z.strictObject({ note: z.string().trim().max(4000).optional() }),
  feedback: z.strictObject({ note }),
  close: z.strictObject({ verdict: z.enum(VERDICTS as [string, ...string[]]), note }),
} as const;

const loginSchema = z.strictObject({
  username: z.string().trim().min(1).max(64),
  secret: z.string().min(1).max(1024),
  next: z.string().max(2000).optional(),
  [CSRF_FIELD]: z.string().max(200).optional(),
});

/** A local path to go back to after signing in or switching language; anything else becomes "/". */
export function safeNext(next: string | undefined | null): string {
  if (!next || !/^\/(?![/\\])[^\s\\]*$/.test(next)) return "/";
  return next;
}

/** The text fields of a parsed form body; undefined when a field is not text (a file upload). */
function formFields(body: Record<string, unknown>): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    if (typeof v !== "string") return undefined;
    out[k] = v;
  }
  return out;
}

function zodMessage(err: z.ZodError): string {
  const i = err.issues[0];
  return i ? `${i.path.join(".") || "input"}: ${i.message}` : "invalid input";
}

// ---------------------------------------------------------------------------------------------------------

export function createApp(options: WebOptions): Workbench {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? quiet;
  const sessions = new SessionStore(clock, options.sessions);
  const throttle = new LoginThrottle(clock);
  const app = new Hono<Env>();

  app.use(
    "*",
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // ECharts' SVG renderer writes style attributes.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        // bull-board sets <base href> to its own path.
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
      },
      referrerPolicy: "same-origin",
    }),
  );
  app.use("*", bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.text("request body too large", 413) }));
  app.use("*", async (c, next) => {
    const lang = getCookie(c, LANG_COOKIE);
    c.set("lang", (LANGS as readonly string[]).includes(lang ?? "") ? (lang as Lang) : "zh");
    await next();
    if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
  });
  // Browsers say when a request comes from another site; such a request never changes anything here.
  app.use("*", async (c, next) => {
    if (
      c.req.method !== "GET" &&
      c.req.method !== "HEAD" &&
      c.req.header("sec-fetch-site") === "cross-site"
    ) {
      return c.text(t(c.get("lang"), "csrf"), 403);
    }
    await next();
  });

  const ctxOf = (c: Context<Env>, session?: Session): PageContext => {
    const url = new URL(c.req.url);
    return {
      lang: c.get("lang"),
      path: `${url.pathname}${url.search}`,
      ...(session ? { user: session.user, csrf: session.csrf } : {}),
      adminLink: options.admin !== undefined,
    };
  };

  app.onError((err, c) => {
    const lang = c.get("lang") ?? "zh";
    if (err instanceof DbBusyError) {
      logger.warn("database busy", { error: err.message });
      c.header("Retry-After", "10");
      return c.html(errorPage({ lang, path: "/" }, t(lang, "busy")), 503);
    }
    logger.warn("request failed", {
      path: c.req.path,
      error: err instanceof Error ? err.message : String(err),
    });
    return c.text("internal error", 500);
  });

  // ---- public: assets, sign-in, language ------------------------------------------------------------------
  app.get("/assets/:name", (c) => {
    const name = c.req.param("name") as AssetName;
    if (!Object.hasOwn(ASSET_TYPES, name)) return c.notFound();
    c.header("Content-Type", ASSET_TYPES[name]);
    c.header("Cache-Control", "public, max-age=3600");
    return c.body(readAsset(name));
  });

  app.get("/favicon.ico", (c) => c.body(null, 204));

  const httpsHint = (c: Context<Env>) => {
    const url = new URL(c.req.url);
    const local = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
    const https = url.protocol === "https:" || c.req.header("x-forwarded-proto") === "https";
    return !https && !local;
  };

  const showLogin = (
    c: Context<Env>,
    status: 200 | 400 | 401 | 403 | 429,
    error?: string,
    username?: string,
  ) => {
    const token = newToken();
    setCookie(c, LOGIN_COOKIE, token, {
      prefix: "host",
      httpOnly: true,
      secure: true,
      sameSite: "Strict",
      path: "/",
      maxAge: 3600,
    });
    const next = safeNext(c.req.query("next"));
    return c.html(
      loginPage(ctxOf(c), {
        token,
        next,
        httpsHint: httpsHint(c),
        ...(error ? { error } : {}),
        ...(username ? { username } : {}),
      }),
      status,
    );
  };

  app.get("/login", (c) => {
    if (sessions.get(getCookie(c, SESSION_COOKIE, "host")))
      return c.redirect(safeNext(c.req.query("next")), 303);
    return showLogin(c, 200);
  });

  app.post("/login", async (c) => {
    const lang = c.get("lang");
    const parsed = loginSchema.safeParse(formFields(await c.req.parseBody()));
    if (!parsed.success) return showLogin(c, 400, t(lang, "badLogin"));
    const form = parsed.data;
    // Double-submit: the token in the form must equal the one in the sign-in cookie.
    if (!tokensMatch(getCookie(c, LOGIN_COOKIE, "host"), form[CSRF_FIELD])) {
      return showLogin(c, 403, t(lang, "loginExpired"), form.username);
    }
    if (throttle.blocked(form.username)) {
      logger.warn("sign-in throttled", { username: form.username });
      return showLogin(c, 429, t(lang, "throttled"), form.username);
    }
    const user = await options.users.authenticate(form.username, form.secret);
    if (!user) {
      throttle.fail(form.username);
      logger.warn("sign-in failed", { username: form.username });
      return showLogin(c, 401, t(lang, "badLogin"), form.username);
    }
    throttle.succeed(form.username);
    sessions.destroy(getCookie(c, SESSION_COOKIE, "host"));
    const session = sessions.create(user);
    setCookie(c, SESSION_COOKIE, session.id, {
      prefix: "host",
      httpOnly: true,
      secure: true,
      sameSite: "Strict",
      path: "/",
    });
    deleteCookie(c, LOGIN_COOKIE, { prefix: "host", secure: true, path: "/" });
    logger.info("signed in", { username: user.username, role: user.role });
    return c.redirect(safeNext(form.next), 303);
  });

  app.get("/lang", (c) => {
    const to = c.req.query("to");
    if (to === "zh" || to === "en") {
      setCookie(c, LANG_COOKIE, to, {
        httpOnly: true,
        secure: true,
        sameSite: "Lax",
        path: "/",
        maxAge: 365 * 24 * 3600,
      });
    }
    return c.redirect(safeNext(c.req.query("next")), 303);
  });

  // ---- everything else needs a session -------------------------------------------------------------------
  app.use("*", async (c, next) => {
    const session = sessions.get(getCookie(c, SESSION_COOKIE, "host"));
    if (!session) {
      const wantsHtml = (c.req.header("accept") ?? "").includes("text/html");
      if (c.req.method === "GET" && wantsHtml) {
        const url = new URL(c.req.url);
        return c.redirect(`/login?next=${encodeURIComponent(`${url.pathname}${url.search}`)}`, 303);
      }
      return c.text("sign in required", 401);
    }
    c.set("session", session);
    if (c.req.method !== "GET" && c.req.method !== "HEAD") {
      // Synchronizer token: the session's token must come back in the form or the header.
      const type = c.req.header("content-type") ?? "";
      const body =
        type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")
          ? await c.req.parseBody()
          : {};
      const given = typeof body[CSRF_FIELD] === "string" ? body[CSRF_FIELD] : c.req.header(CSRF_HEADER);
      if (!tokensMatch(session.csrf, given)) {
        logger.warn("csrf token missing or wrong", { username: session.user.username, path: c.req.path });
        return c.html(errorPage(ctxOf(c, session), t(c.get("lang"), "csrf")), 403);
      }
    }
    await next();
  });

  app.post("/logout", (c) => {
    const session = c.get("session");
    sessions.destroy(session.id);
    deleteCookie(c, SESSION_COOKIE, { prefix: "host", secure: true, path: "/" });
    logger.info("signed out", { username: session.user.username });
    return c.redirect("/login", 303);
  });

  app.get("/", async (c) => {
    const session = c.get("session");
    const parsed = queueQuerySchema.safeParse(c.req.query());
    if (!parsed.success) {
      return c.html(
        errorPage(ctxOf(c, session), `${t(c.get("lang"), "badInput")}${zodMessage(parsed.error)}`),
        400,
      );
    }
    const query = parsed.data as QueueQuery;
    const queue = await options.db.use((db) => loadQueue(db, session.user, query, clock, options.deadlines));
    const link = (p: number) => {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query))
        if (v !== undefined && k !== "page") params.set(k, String(v));
      params.set("page", String(p));
      return `/?${params.toString()}`;
    };
    return c.html(queuePage(ctxOf(c, session), queue, query, link));
  });

  app.get("/alerts/:id", async (c) => {
    const session = c.get("session");
    const id = c.req.param("id");
    const lang = c.get("lang");
    if (!ALERT_ID.test(id)) return c.html(errorPage(ctxOf(c, session), t(lang, "notFound")), 404);
    const data = await options.db.use((db) => loadAlertPage(db, id, session.user, clock, options.deadlines));
    if (!data) return c.html(errorPage(ctxOf(c, session), t(lang, "notFound")), 404);
    const done = c.req.query("done");
    const flash =
      done && (OPERATIONS as string[]).includes(done)
        ? { ok: `${t(lang, "done")}${label(OPERATION_LABELS, done, lang)}` }
        : undefined;
    return c.html(alertPage(ctxOf(c, session), data, flash));
  });

  app.post("/alerts/:id/:op", async (c) => {
    const session = c.get("session");
    const user = session.user;
    const lang = c.get("lang");
    const id = c.req.param("id");
    const op = c.req.param("op") as Operation;
    if (!ALERT_ID.test(id) || !(OPERATIONS as string[]).includes(op)) {
      return c.html(errorPage(ctxOf(c, session), t(lang, "notFound")), 404);
    }
    const body = formFields(await c.req.parseBody());
    if (!body) return c.html(errorPage(ctxOf(c, session), `${t(lang, "badInput")}file uploads`), 400);
    const { [CSRF_FIELD]: _token, ...fields } = body;
    const parsed = actionSchemas[op].safeParse(fields);

    const result = await options.db.use(async (db) => {
      const alert = await getAlert(db, id);
      if (!alert || !canSee(user, alert)) return { status: 404 as const, error: t(lang, "notFound") };
      if (!roleOperations(user).includes(op)) return { status: 403 as const, error: t(lang, "forbidden") };
      if (!parsed.success)
        return { status: 400 as const, error: `${t(lang, "badInput")}${zodMessage(parsed.error)}` };
      const input = parsed.data as { note?: string; channel?: string; verdict?: string };
      const ctx = { db, clock };
      try {
        await runOperation(ctx, op, id, user, input);
      } catch (err) {
        if (!(err instanceof WorkflowError)) throw err;
        const status =
          err.code === "E_ALERT_NOT_FOUND" ? 404 : err.code === "E_INVALID_TRANSITION" ? 409 : 400;
        return { status: status as 404 | 409 | 400, error: err.message };
      }
      logger.info("workflow", { actor: user.username, op, alert: id });
      return { status: 303 as const };
    });

    if (result.status === 303) return c.redirect(`/alerts/${encodeURIComponent(id)}?done=${op}`, 303);
    const data = await options.db.use((db) => loadAlertPage(db, id, user, clock, options.deadlines));
    if (!data) return c.html(errorPage(ctxOf(c, session), result.error), result.status);
    return c.html(alertPage(ctxOf(c, session), data, { error: result.error }), result.status);
  });

  let closeDashboard = async () => {};
  if (options.admin) {
    const dashboard = queueDashboard(options.admin, logger);
    closeDashboard = dashboard.close;
    const adminOnly = async (c: Context<Env>, next: () => Promise<void>) => {
      if (!isAdmin(c.get("session").user))
        return c.html(errorPage(ctxOf(c, c.get("session")), t(c.get("lang"), "forbidden")), 403);
      await next();
    };
    app.use(ADMIN_BASE, adminOnly);
    app.use(`${ADMIN_BASE}/*`, adminOnly);
    app.route(ADMIN_BASE, dashboard.routes);
  }

  return { app, close: () => closeDashboard() };
}

/** Calls the workflow operation (workflow.ts) with the signed-in user as the actor. */
async function runOperation(
  ctx: Parameters<typeof claim>[0],
  op: Operation,
  id: string,
  user: User,
  input: { note?: string; channel?: string; verdict?: string },
): Promise<void> {
  const actor = user.username;
  switch (op) {
    case "claim":
      await claim(ctx, id, actor);
      return;
    case "triage":
      await triage(ctx, id, actor, input.note ?? "");
      return;
    case "refer":
      await refer(ctx, id, actor, input.channel as (typeof REFERRAL_CHANNELS)[number], input.note ?? "");
      return;
    case "accept":
      await accept(ctx, id, actor, input.note);
      return;
    case "feedback":
      await feedback(ctx, id, actor, input.note ?? "");
      return;
    case "close":
      await close(ctx, id, actor, input.verdict as (typeof VERDICTS)[number], input.note ?? "");
      return;
  }
}
