/**
 * Server-rendered pages of the workbench. Every value is escaped by the `html` template; chart data goes
 * to the browser as inert JSON drawn by /assets/charts.js with ECharts (no inline script, so the Content
 * Security Policy can forbid inline scripts).
 */
import { ALERT_STATUSES, type AlertStatus } from "../alerts/store.ts";
import { type Operation, REFERRAL_CHANNELS, VERDICTS } from "../alerts/workflow.ts";
import { bidChartOption, COLORS, ringGraphOption } from "../report/charts.ts";
import { chartBlock, type Html, html } from "../report/html.ts";
import {
  AUDIT_ACTION_LABELS,
  CATEGORY_LABELS,
  CHANNEL_LABELS,
  formatAmount,
  formatTime,
  KIND_LABELS,
  type Lang,
  label,
  OPERATION_LABELS,
  RULE_LABELS,
  STATUS_LABELS,
  VERDICT_LABELS,
} from "../report/labels.ts";
import { ringHeight } from "../report/report.ts";
import type { AlertKind, Channel } from "../types.ts";
import type { AlertPageData } from "./alert-page.ts";
import { CSRF_FIELD } from "./csrf.ts";
import { evidenceView } from "./evidence.ts";
import { ROLE_LABELS, t } from "./i18n.ts";
import { type DeadlineView, PAGE_SIZE, type QueuePage, type QueueQuery } from "./queue.ts";
import { isAdmin, type User } from "./users.ts";

export interface PageContext {
  readonly lang: Lang;
  /** Path and query of this page (for the language switch). */
  readonly path: string;
  readonly user?: User;
  readonly csrf?: string;
  /** Show the admin link (bull-board mounted). */
  readonly adminLink?: boolean;
}

/** The URL of another page of the same queue view. */
export type QueryPageLink = (page: number) => string;

const KINDS: readonly AlertKind[] = ["ring", "pair", "tender", "firm"];
const CHANNELS: readonly Channel[] = ["analyst", "inspection", "discipline", "public-security"];

function csrfField(ctx: PageContext): Html {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${ctx.csrf ?? ""}" />`;
}

export function page(ctx: PageContext, title: string, body: Html, opts: { charts?: boolean } = {}): string {
  const { lang, user } = ctx;
  const other: Lang = lang === "zh" ? "en" : "zh";
  const header = html`<header class="top">
  <a class="brand" href="/">${t(lang, "appName")}</a>
  ${user ? html`<a href="/">${t(lang, "queue")}</a>` : ""}
  ${user && ctx.adminLink && isAdmin(user) ? html`<a href="/admin/queues">${t(lang, "admin")}</a>` : ""}
  <span class="spacer"></span>
  ${user ? html`<span data-testid="whoami">${t(lang, "signedInAs")}: ${user.name} (${user.username}, ${ROLE_LABELS[user.role]?.[lang] ?? user.role})</span>` : ""}
  <a href="/lang?to=${other}&amp;next=${encodeURIComponent(ctx.path)}" data-testid="lang-switch">${t(lang, "language")}</a>
  ${
    user
      ? html`<form method="post" action="/logout">${csrfField(ctx)}<button class="link" type="submit">${t(lang, "signOut")}</button></form>`
      : ""
  }
</header>`;
  const scripts = opts.charts
    ? html`<script src="/assets/echarts.min.js"></script><script src="/assets/charts.js"></script>`
    : "";
  return `<!doctype html>\n${html`<html lang="${lang === "zh" ? "zh-CN" : "en"}">
<head>
<meta charset="utf-8" />
<meta name="viewport" content="width=device-width, initial-scale=1" />
<title>${title} · bidwatch</title>
<link rel="stylesheet" href="/assets/style.css" />
</head>
<body>
${header}
<main>${body}</main>
${scripts}
</body>
</html>`}`;
}

// ---------------------------------------------------------------------------------------------------------
// Sign-in

export function loginPage(
  ctx: PageContext,
  opts: { token: string; next: string; error?: string; httpsHint?: boolean; username?: string },
): string {
  const { lang } = ctx;
  const body = html`<div class="card login">
  <h1>${t(lang, "signIn")}</h1>
  ${opts.error ? html`<div class="flash error" role="alert">${opts.error}</div>` : ""}
  ${opts.httpsHint ? html`<div class="flash error">${t(lang, "httpsHint")}</div>` : ""}
  <form method="post" action="/login">
    <input type="hidden" name="${CSRF_FIELD}" value="${opts.token}" />
    <input type="hidden" name="next" value="${opts.next}" />
    <label for="username">${t(lang, "username")}</label>
    <input id="username" name="username" type="text" autocomplete="username" required value="${opts.username ?? ""}" />
    <label for="secret">${t(lang, "secret")}</label>
    <input id="secret" name="secret" type="password" autocomplete="current-password" required />
    <p><button type="submit">${t(lang, "signIn")}</button></p>
  </form>
</div>`;
  return page(ctx, t(lang, "signIn"), body);
}

export function errorPage(ctx: PageContext, message: string): string {
  return page(
    ctx,
    message,
    html`<div class="flash error" role="alert">${message}</div><p><a href="/">${t(ctx.lang, "back")}</a></p>`,
  );
}

// ---------------------------------------------------------------------------------------------------------
// Queue

function statusBadge(status: AlertStatus, lang: Lang): Html {
  return html`<span class="badge status-${status}">${label(STATUS_LABELS, status, lang)}</span>`;
}

function deadlineCell(d: DeadlineView | null, lang: Lang): Html | string {
  if (!d) return "—";
  const what = t(lang, d.stage === "acceptance" ? "acceptanceDue" : "resultDue");
  return html`${what} ${d.due}${
    d.overdueDays > 0
      ? html`<br /><span class="badge overdue">${t(lang, "overdue")} ${d.overdueDays} ${t(lang, "workingDays")}</span>`
      : ""
  }`;
}

function option(value: string, text: string, selected: boolean): Html {
  return html`<option value="${value}"${selected ? html` selected` : ""}>${text}</option>`;
}

export function queuePage(ctx: PageContext, q: QueuePage, query: QueueQuery, link: QueryPageLink): string {
  const { lang, user } = ctx;
  const liaison = user?.channel ?? null;
  const filters = html`<form class="filters card" method="get" action="/">
  <label>${t(lang, "status")}
    <select name="status">
      ${option("open", t(lang, "open"), query.status === "open")}
      ${ALERT_STATUSES.map((s) => option(s, label(STATUS_LABELS, s, lang), query.status === s))}
      ${option("all", t(lang, "all"), query.status === "all")}
    </select></label>
  ${
    liaison
      ? ""
      : html`<label>${t(lang, "channel")}
    <select name="channel">
      ${option("", t(lang, "any"), !query.channel)}
      ${CHANNELS.map((c) => option(c, label(CHANNEL_LABELS, c, lang), query.channel === c))}
    </select></label>`
  }
  <label>${t(lang, "region")}
    <select name="region">
      ${option("", t(lang, "any"), !query.region)}
      ${q.regions.map((r) => option(r, r, query.region === r))}
    </select></label>
  <label>${t(lang, "category")}
    <select name="category">
      ${option("", t(lang, "any"), !query.category)}
      ${q.categories.map((c) => option(c, label(CATEGORY_LABELS, c, lang), query.category === c))}
    </select></label>
  <label>${t(lang, "kind")}
    <select name="kind">
      ${option("", t(lang, "any"), !query.kind)}
      ${KINDS.map((k) => option(k, label(KIND_LABELS, k, lang), query.kind === k))}
    </select></label>
  <label>${t(lang, "sort")}
    <select name="sort">
      ${option("rank", t(lang, "sortRank"), query.sort === "rank")}
      ${option("amount", t(lang, "sortAmount"), query.sort === "amount")}
      ${option("deadline", t(lang, "sortDeadline"), query.sort === "deadline")}
    </select></label>
  <button type="submit">${t(lang, "filter")}</button>
</form>`;

  const rows = q.rows.map((r, i) => {
    const a = r.alert;
    const late = (r.deadline?.overdueDays ?? 0) > 0;
    const firms =
      r.firmNames.slice(0, 4).join("、") + (r.firmNames.length > 4 ? ` … (${r.firmNames.length})` : "");
    return html`<tr class="${late ? "overdue" : ""}" data-alert-id="${a.id}" data-kind="${a.kind}">
  <td class="num">${(q.page - 1) * PAGE_SIZE + i + 1}</td>
  <td class="id"><a href="/alerts/${a.id}">${a.id}</a></td>
  <td><span class="badge kind-${a.kind}">${label(KIND_LABELS, a.kind, lang)}</span></td>
  <td class="num">${a.score.toFixed(2)}</td>
  <td>${statusBadge(a.status, lang)}${a.assignee ? html`<br /><span class="small muted">${a.assignee}</span>` : ""}</td>
  <td>${firms}</td>
  <td>${r.region ?? "—"}${r.category ? html`<br /><span class="small muted">${label(CATEGORY_LABELS, r.category, lang)}</span>` : ""}</td>
  <td class="num">${formatAmount(a.amount, lang)}</td>
  <td class="small">${deadlineCell(r.deadline, lang)}</td>
  <td class="small">${
    a.referred_channel
      ? html`<strong>${t(lang, "referredTo")} ${label(CHANNEL_LABELS, a.referred_channel, lang)}</strong>`
      : a.channels.map((c) => label(CHANNEL_LABELS, c, lang)).join("、")
  }</td>
</tr>`;
  });

  const pager =
    q.pages > 1
      ? html`<div class="pager">
  ${q.page > 1 ? html`<a href="${link(q.page - 1)}">${t(lang, "prev")}</a>` : ""}
  <span>${q.page} / ${q.pages} ${t(lang, "page")}</span>
  ${q.page < q.pages ? html`<a href="${link(q.page + 1)}">${t(lang, "next")}</a>` : ""}
</div>`
      : "";

  const body = html`<h1>${t(lang, "queue")}${liaison ? html` · ${label(CHANNEL_LABELS, liaison, lang)}` : ""}</h1>
${filters}
<p class="muted" data-testid="queue-count">${q.total} ${t(lang, "alertsShown")}${
    q.overdueCount
      ? html` · <span class="badge overdue">${q.overdueCount} ${t(lang, "overdueShown")}</span>`
      : ""
  }</p>
${
  q.rows.length
    ? html`<table class="grid queue" data-testid="queue">
  <thead><tr><th class="num">${t(lang, "rank")}</th><th>${t(lang, "id")}</th><th>${t(lang, "kind")}</th>
    <th class="num">${t(lang, "score")}</th><th>${t(lang, "status")}</th><th>${t(lang, "firms")}</th>
    <th>${t(lang, "place")}</th><th class="num">${t(lang, "amount")}</th><th>${t(lang, "deadline")}</th>
    <th>${t(lang, "channels")}</th></tr></thead>
  <tbody>${rows}</tbody>
</table>`
    : html`<p class="card">${t(lang, "noAlerts")}</p>`
}
${pager}`;
  return page(ctx, t(lang, "queue"), body);
}

// ---------------------------------------------------------------------------------------------------------
// Alert page

function actionForm(ctx: PageContext, d: AlertPageData, op: Operation): Html {
  const { lang } = ctx;
  const a = d.alert;
  const proposed = new Set((a.routing ?? []).map((r) => r.channel));
  const note = (required: boolean) =>
    html`<div class="row"><label>${t(lang, "note")}<textarea name="note"${required ? html` required` : ""}></textarea></label></div>`;
  let fields: Html | string = "";
  if (op === "triage" || op === "feedback") fields = note(true);
  if (op === "accept") fields = note(false);
  if (op === "refer") {
    const first = REFERRAL_CHANNELS.find((c) => proposed.has(c));
    fields = html`<div class="row"><label>${t(lang, "referTo")}
  <select name="channel" required>
    ${REFERRAL_CHANNELS.map((c) =>
      option(
        c,
        `${label(CHANNEL_LABELS, c, lang)}${proposed.has(c) ? ` (${t(lang, "proposed")})` : ""}`,
        c === first,
      ),
    )}
  </select></label></div>${note(true)}`;
  }
  if (op === "close") {
    fields = html`<div class="row"><label>${t(lang, "verdict")}
  <select name="verdict" required>
    ${VERDICTS.map((v) => option(v, label(VERDICT_LABELS, v, lang), false))}
  </select></label></div>${note(true)}`;
  }
  return html`<form method="post" action="/alerts/${a.id}/${op}" data-op="${op}">
  <h3>${label(OPERATION_LABELS, op, lang)}</h3>
  ${csrfField(ctx)}
  ${fields}
  <button type="submit">${label(OPERATION_LABELS, op, lang)}</button>
</form>`;
}

function evidenceTable(d: AlertPageData, lang: Lang): Html {
  const rows = d.alert.evidence.map((e) => {
    const v = evidenceView(e);
    const pairs = (xs: readonly (readonly [string, string])[]) =>
      xs.length
        ? html`<ul class="small">${xs.map(([k, x]) => html`<li><span class="muted">${k}</span> ${x}</li>`)}</ul>`
        : "—";
    return html`<tr data-rule="${v.rule}">
  <td><strong>${label(RULE_LABELS, v.rule, lang)}</strong><br /><span class="small mono">${v.rule}</span></td>
  <td class="num">${v.weight.toFixed(2)}</td>
  <td class="small">${lang === "zh" ? v.text_zh : v.text_en}
    ${v.tenders.length ? html`<br /><span class="muted">${t(lang, "tenders")}: ${v.tenders.join(", ")}</span>` : ""}
    <details><summary class="muted">${t(lang, "allFacts")}</summary><pre>${v.json}</pre></details></td>
  <td class="small mono">${v.shared.length ? html`<ul>${v.shared.map((s) => html`<li>${s}</li>`)}</ul>` : "—"}</td>
  <td>${pairs(v.statistics)}</td>
  <td>${pairs(v.thresholds)}</td>
</tr>`;
  });
  return html`<table class="grid evidence" data-testid="evidence">
  <thead><tr><th>${t(lang, "rule")}</th><th class="num">${t(lang, "weight")}</th><th>${t(lang, "finding")}</th>
    <th>${t(lang, "sharedValues")}</th><th>${t(lang, "statistics")}</th><th>${t(lang, "thresholds")}</th></tr></thead>
  <tbody>${rows}</tbody>
</table>`;
}

export function alertPage(
  ctx: PageContext,
  d: AlertPageData,
  flash?: { ok?: string; error?: string },
): string {
  const { lang } = ctx;
  const a = d.alert;
  const members = new Set(a.firms);
  const name = (f: string) => d.names.get(f) ?? f;

  const meta = html`<div class="card">
  <p>${statusBadge(a.status, lang)} ${a.verdict ? html`<span class="badge">${label(VERDICT_LABELS, a.verdict, lang)}</span>` : ""}
    · ${t(lang, "score")} <strong>${a.score.toFixed(2)}</strong> · ${t(lang, "amount")} <strong>${formatAmount(a.amount, lang)}</strong>
    ${a.assignee ? html` · ${t(lang, "assignee")} ${a.assignee}` : ""}
    ${a.referred_channel ? html` · ${t(lang, "referredTo")} <strong data-testid="referred-channel">${label(CHANNEL_LABELS, a.referred_channel, lang)}</strong> ${formatTime(a.referred_at)}` : ""}
    ${d.deadline ? html` · ${deadlineCell(d.deadline, lang)}` : ""}</p>
  <p class="small muted">${t(lang, "firstSeen")} ${formatTime(a.first_seen)} · ${t(lang, "lastSeen")} ${formatTime(a.last_seen)}</p>
  <p><strong>${t(lang, "firms")}</strong> (${a.firms.length}): ${a.firms.map((f, i) => html`${i ? "、" : ""}${name(f)} <span class="small mono">${f}</span>`)}</p>
  <p class="small"><strong>${t(lang, "tenders")}</strong> (${a.tenders.length}): ${a.tenders.join(", ")}</p>
</div>`;

  const summary = html`<div class="card summary" data-testid="summary">
  <p lang="zh-CN">${a.summary_zh}</p>
  <p lang="en" class="muted">${a.summary_en}</p>
</div>`;

  const actions = d.operations.length
    ? html`<div class="actions" data-testid="actions">${d.operations.map((op) => actionForm(ctx, d, op))}</div>`
    : html`<p class="muted">${t(lang, "noActions")}</p>`;

  const graph = d.edges.length
    ? html`<h2>${t(lang, "ringGraph")}</h2>
<div class="card">${chartBlock(
        "ring-graph",
        ringGraphOption(
          a.firms.map((f) => ({ id: f, name: d.names.get(f) ?? null })),
          d.edges,
          lang,
        ),
        { height: ringHeight(a.firms.length) },
      )}<p class="small muted">${t(lang, "ringLegend")}</p></div>`
    : "";

  const bidCharts = d.tenders.map((tender, i) =>
    chartBlock(`bids-${i + 1}`, bidChartOption(tender, d.bids.get(tender.tender_id) ?? [], members, lang), {
      height: 300,
    }),
  );
  const legend = html`<p class="legend small">
  <span><i style="background:${COLORS.winner}"></i>${lang === "zh" ? "中标" : "winner"}</span>
  <span><i style="background:${COLORS.alertFirm}"></i>${lang === "zh" ? "本预警企业 ★" : "alert firm ★"}</span>
  <span><i style="background:${COLORS.other}"></i>${lang === "zh" ? "其他投标人" : "other bidder"}</span>
  <span><i style="background:${COLORS.disqualified}"></i>${lang === "zh" ? "废标" : "disqualified"}</span>
  <span class="muted">${t(lang, "bidsLegend")}</span></p>`;

  const routing = a.routing?.length
    ? html`<h2>${t(lang, "routing")}</h2><ul class="card">${a.routing.map(
        (r) =>
          html`<li><strong>${label(CHANNEL_LABELS, r.channel, lang)}</strong>${r.department ? ` · ${label(CATEGORY_LABELS, r.department, lang)}` : ""}${
            (lang === "zh" ? r.reason_zh : r.reason_en)
              ? html` — ${lang === "zh" ? r.reason_zh : r.reason_en}`
              : ""
          }</li>`,
      )}</ul>`
    : "";

  const history = html`<table class="grid history" data-testid="history">
  <thead><tr><th class="num">#</th><th>${t(lang, "time")}</th><th>${t(lang, "actor")}</th><th>${t(lang, "action")}</th>
    <th>${t(lang, "transition")}</th><th>${t(lang, "channel")}</th><th>${t(lang, "note")}</th></tr></thead>
  <tbody>${d.trail.map(
    (e) => html`<tr data-action="${e.action}">
    <td class="num">${e.seq}</td><td>${formatTime(e.at)}</td><td>${e.actor}</td>
    <td>${label(AUDIT_ACTION_LABELS, e.action, lang)}</td>
    <td>${e.from_state ? label(STATUS_LABELS, e.from_state, lang) : "—"} → ${e.to_state ? label(STATUS_LABELS, e.to_state, lang) : "—"}</td>
    <td>${e.channel ? label(CHANNEL_LABELS, e.channel, lang) : ""}</td>
    <td class="small">${e.note ?? ""}</td></tr>`,
  )}</tbody>
</table>`;

  const body = html`<p><a href="/">← ${t(lang, "back")}</a></p>
<h1><span class="badge kind-${a.kind}">${label(KIND_LABELS, a.kind, lang)}</span> <span class="id" data-testid="alert-id">${a.id}</span></h1>
${flash?.ok ? html`<div class="flash ok" role="status">${flash.ok}</div>` : ""}
${flash?.error ? html`<div class="flash error" role="alert">${flash.error}</div>` : ""}
${meta}
<h2>${t(lang, "summary")}</h2>
${summary}
<h2>${t(lang, "actions")}</h2>
${actions}
${graph}
<h2>${t(lang, "evidence")}</h2>
${evidenceTable(d, lang)}
<h2>${t(lang, "bidsChart")}</h2>
${legend}
<div class="charts">${bidCharts}</div>
${d.moreTenders.length ? html`<p class="small muted">${t(lang, "moreTenders")}${d.moreTenders.join(", ")}</p>` : ""}
${routing}
<h2>${t(lang, "history")}</h2>
${history}`;
  return page(ctx, `${label(KIND_LABELS, a.kind, lang)} ${a.id}`, body, { charts: true });
}
