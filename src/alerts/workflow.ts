/**
 * The analyst workflow (发现 → 移交 → 核查 → 处理 → 反馈), the one service API the CLI, queue consumers and a
 * future web UI call. States:
 *
 *   new → in_review → referred(channel) → result_received → closed(confirmed | dismissed)
 *
 * | operation | from                        | to              | records                                |
 * |-----------|-----------------------------|-----------------|----------------------------------------|
 * | claim     | new                         | in_review       | assignee = actor                       |
 * | triage    | in_review                   | in_review       | a note                                 |
 * | refer     | in_review                   | referred        | channel, referred_at                   |
 * | accept    | referred, not yet accepted  | referred        | accepted_at (the agency acknowledges)  |
 * | feedback  | referred, accepted          | result_received | result_at, the result note             |
 * | close     | in_review, result_received  | closed          | verdict, closed_at (+ watch list)      |
 *
 * Every operation runs in one DuckDB transaction together with its audit-log row (actor, time from the
 * injected clock, from/to state, channel, note). Anything else throws a `WorkflowError` with a stable code.
 * Reopening is not an operation: a dismissed alert reopens by itself when new evidence arrives (store.ts).
 */
import { type Db, sqlSection } from "../db/duckdb.ts";
import { BidwatchError } from "../errors.ts";
import type { Channel, Clock } from "../types.ts";
import { type AuditEntry, appendAudit } from "./audit.ts";
import {
  addWorkingDays,
  type CivilDate,
  CN_CALENDAR_2025_2026,
  shanghaiDate,
  type WorkCalendar,
  workingDaysBetween,
} from "./calendar.ts";
import {
  type AlertRecord,
  type AlertStatus,
  addToWatchlist,
  getAlert,
  listAlerts,
  type ReferralChannel,
  type Verdict,
} from "./store.ts";

const q = (name: string) => sqlSection(import.meta.url, "store.sql", name);

export type WorkflowErrorCode = "E_ALERT_NOT_FOUND" | "E_INVALID_TRANSITION" | "E_WORKFLOW_INPUT";

export class WorkflowError extends BidwatchError {
  constructor(
    override readonly code: WorkflowErrorCode,
    message: string,
    readonly alertId?: string,
  ) {
    super(code, `workflow: ${message}`);
    this.name = "WorkflowError";
  }
}

export type Operation = "claim" | "triage" | "refer" | "accept" | "feedback" | "close";

/** Where each operation may start and where it leads (the table above). */
export const TRANSITIONS: Readonly<
  Record<Operation, { from: readonly AlertStatus[]; to: AlertStatus | null }>
> = {
  claim: { from: ["new"], to: "in_review" },
  triage: { from: ["in_review"], to: null },
  refer: { from: ["in_review"], to: "referred" },
  accept: { from: ["referred"], to: null },
  feedback: { from: ["referred"], to: "result_received" },
  close: { from: ["in_review", "result_received"], to: "closed" },
};

export const REFERRAL_CHANNELS: readonly ReferralChannel[] = ["inspection", "discipline", "public-security"];
export const VERDICTS: readonly Verdict[] = ["confirmed", "dismissed"];

/** What the workflow needs from the outside: the database and the clock. */
export interface WorkflowContext {
  readonly db: Db;
  readonly clock: Clock;
}

export interface TransitionResult {
  readonly alert: AlertRecord;
  readonly audit: AuditEntry;
}

function requireText(what: string, value: string | undefined, alertId: string): string {
  const v = value?.trim() ?? "";
  if (!v) throw new WorkflowError("E_WORKFLOW_INPUT", `${what} is required`, alertId);
  return v;
}

/** Operations allowed on an alert now (for menus and buttons). */
export function allowedOperations(alert: Pick<AlertRecord, "status" | "accepted_at">): Operation[] {
  return (Object.keys(TRANSITIONS) as Operation[]).filter((op) => whyNot(op, alert) === undefined);
}

function whyNot(op: Operation, alert: Pick<AlertRecord, "status" | "accepted_at">): string | undefined {
  if (!TRANSITIONS[op].from.includes(alert.status)) {
    return `cannot ${op} an alert that is ${alert.status} (allowed from: ${TRANSITIONS[op].from.join(", ")})`;
  }
  if (op === "accept" && alert.accepted_at) return "the referral was already accepted";
  if (op === "feedback" && !alert.accepted_at) return "the referral has not been accepted yet";
  return undefined;
}

interface Step {
  readonly op: Operation;
  readonly actor: string;
  readonly note: string | null;
  /** Runs the state change (inside the transaction); returns the channel for the audit row. */
  readonly apply: (alert: AlertRecord, now: Date) => Promise<string | null>;
}

async function transition(ctx: WorkflowContext, alertId: string, step: Step): Promise<TransitionResult> {
  const now = ctx.clock.now();
  return ctx.db.transaction(async () => {
    const before = await getAlert(ctx.db, alertId);
    if (!before) throw new WorkflowError("E_ALERT_NOT_FOUND", `no alert "${alertId}"`, alertId);
    const reason = whyNot(step.op, before);
    if (reason) throw new WorkflowError("E_INVALID_TRANSITION", `${alertId}: ${reason}`, alertId);
    const channel = await step.apply(before, now);
    const after = (await getAlert(ctx.db, alertId)) as AlertRecord;
    const [entry] = await appendAudit(
      ctx.db,
      [
        {
          actor: step.actor,
          alert_id: alertId,
          action: step.op,
          from_state: before.status,
          to_state: after.status,
          channel,
          note: step.note,
        },
      ],
      now,
    );
    return { alert: after, audit: entry as AuditEntry };
  });
}

/** An analyst takes a new alert: new → in_review, assigned to them. */
export async function claim(ctx: WorkflowContext, alertId: string, actor: string): Promise<TransitionResult> {
  const who = requireText("actor", actor, alertId);
  return transition(ctx, alertId, {
    op: "claim",
    actor: who,
    note: null,
    apply: async (_a, now) => {
      await ctx.db.exec(q("wf_claim"), { id: alertId, actor: who, now: now.toISOString() });
      return null;
    },
  });
}

/** Records the analyst's assessment while in review (state unchanged). */
export async function triage(
  ctx: WorkflowContext,
  alertId: string,
  actor: string,
  note: string,
): Promise<TransitionResult> {
  const who = requireText("actor", actor, alertId);
  const text = requireText("note", note, alertId);
  return transition(ctx, alertId, {
    op: "triage",
    actor: who,
    note: text,
    apply: async (_a, now) => {
      await ctx.db.exec(q("wf_touch"), { id: alertId, now: now.toISOString() });
      return null;
    },
  });
}

/** Refers the alert to an agency channel: in_review → referred(channel); the acceptance deadline starts. */
export async function refer(
  ctx: WorkflowContext,
  alertId: string,
  actor: string,
  channel: Channel,
  note: string,
): Promise<TransitionResult> {
  const who = requireText("actor", actor, alertId);
  const text = requireText("note", note, alertId);
  if (!(REFERRAL_CHANNELS as readonly string[]).includes(channel)) {
    throw new WorkflowError(
      "E_WORKFLOW_INPUT",
      `cannot refer to "${channel}" (one of: ${REFERRAL_CHANNELS.join(", ")})`,
      alertId,
    );
  }
  return transition(ctx, alertId, {
    op: "refer",
    actor: who,
    note: text,
    apply: async (_a, now) => {
      await ctx.db.exec(q("wf_refer"), { id: alertId, channel, now: now.toISOString() });
      return channel;
    },
  });
}

/** The receiving agency acknowledges the referral (state stays referred); the result deadline starts. */
export async function accept(
  ctx: WorkflowContext,
  alertId: string,
  actor: string,
  note?: string,
): Promise<TransitionResult> {
  const who = requireText("actor", actor, alertId);
  return transition(ctx, alertId, {
    op: "accept",
    actor: who,
    note: note?.trim() || null,
    apply: async (a, now) => {
      await ctx.db.exec(q("wf_accept"), { id: alertId, now: now.toISOString() });
      return a.referred_channel;
    },
  });
}

/** The agency reports its result: referred (accepted) → result_received. */
export async function feedback(
  ctx: WorkflowContext,
  alertId: string,
  actor: string,
  note: string,
): Promise<TransitionResult> {
  const who = requireText("actor", actor, alertId);
  const text = requireText("result note", note, alertId);
  return transition(ctx, alertId, {
    op: "feedback",
    actor: who,
    note: text,
    apply: async (a, now) => {
      await ctx.db.exec(q("wf_feedback"), { id: alertId, now: now.toISOString() });
      return a.referred_channel;
    },
  });
}

/**
 * Closes the case with a verdict. `confirmed` puts the firms and the people in the evidence on the watch
 * list; `dismissed` remembers the evidence so the same evidence does not raise the alert again.
 */
export async function close(
  ctx: WorkflowContext,
  alertId: string,
  actor: string,
  verdict: Verdict,
  note: string,
): Promise<TransitionResult> {
  const who = requireText("actor", actor, alertId);
  const text = requireText("note", note, alertId);
  if (!VERDICTS.includes(verdict)) {
    throw new WorkflowError(
      "E_WORKFLOW_INPUT",
      `verdict must be confirmed or dismissed, not "${verdict}"`,
      alertId,
    );
  }
  return transition(ctx, alertId, {
    op: "close",
    actor: who,
    note: `${verdict}: ${text}`,
    apply: async (a, now) => {
      await ctx.db.exec(q("wf_close"), { id: alertId, verdict, now: now.toISOString() });
      if (verdict === "confirmed") await addToWatchlist(ctx.db, a, { actor: who, note: text, at: now });
      return a.referred_channel;
    },
  });
}

// ---------------------------------------------------------------------------------------------------------
// Deadlines

export interface DeadlineSettings {
  /** Working days the agency has to accept a referral, counted from the day of `refer`. */
  readonly acceptWorkingDays: number;
  /** Working days the agency has to report a result, counted from the day of `accept`. */
  readonly resultWorkingDays: number;
  readonly calendar: WorkCalendar;
}

export const DEADLINE_DEFAULTS: DeadlineSettings = {
  acceptWorkingDays: 5,
  resultWorkingDays: 10,
  calendar: CN_CALENDAR_2025_2026,
};

/** Fills defaults; unknown keys and negative or fractional day counts are errors. */
export function resolveDeadlineSettings(settings: Partial<DeadlineSettings> = {}): DeadlineSettings {
  for (const k of Object.keys(settings)) {
    if (!(k in DEADLINE_DEFAULTS))
      throw new WorkflowError("E_WORKFLOW_INPUT", `unknown deadline setting "${k}"`);
  }
  const s = { ...DEADLINE_DEFAULTS, ...settings };
  for (const k of ["acceptWorkingDays", "resultWorkingDays"] as const) {
    if (!Number.isInteger(s[k]) || s[k] < 0) {
      throw new WorkflowError("E_WORKFLOW_INPUT", `${k} must be an integer ≥ 0, not ${s[k]}`);
    }
  }
  return s;
}

export interface Deadline {
  readonly stage: "acceptance" | "result";
  /** When the clock started (referred_at or accepted_at). */
  readonly since: Date;
  /** The last working day (Asia/Shanghai) on which the step is on time. */
  readonly due: CivilDate;
}

/** The deadline an alert is running against now, if any (pure). */
export function currentDeadline(
  alert: Pick<AlertRecord, "status" | "referred_at" | "accepted_at">,
  settings: DeadlineSettings = DEADLINE_DEFAULTS,
): Deadline | undefined {
  if (alert.status !== "referred" || !alert.referred_at) return undefined;
  if (!alert.accepted_at) {
    return {
      stage: "acceptance",
      since: alert.referred_at,
      due: addWorkingDays(alert.referred_at, settings.acceptWorkingDays, settings.calendar),
    };
  }
  return {
    stage: "result",
    since: alert.accepted_at,
    due: addWorkingDays(alert.accepted_at, settings.resultWorkingDays, settings.calendar),
  };
}

export interface OverdueItem extends Deadline {
  readonly alert_id: string;
  readonly channel: ReferralChannel | null;
  readonly assignee: string | null;
  /** Working days since the clock started, up to today. */
  readonly working_days_elapsed: number;
  /** Working days past `due` (≥ 1). */
  readonly working_days_overdue: number;
}

/**
 * Referred alerts late on acceptance (not accepted within `acceptWorkingDays` of the referral) or on the
 * result (none within `resultWorkingDays` of acceptance), most overdue first, then by alert id.
 * A step is late from the first working day after its due day.
 */
export async function overdue(
  db: Db,
  clock: Clock,
  settings: Partial<DeadlineSettings> = {},
): Promise<OverdueItem[]> {
  const s = resolveDeadlineSettings(settings);
  const today = shanghaiDate(clock.now());
  const out: OverdueItem[] = [];
  for (const a of await listAlerts(db, { status: "referred", includeSuppressed: true })) {
    const d = currentDeadline(a, s);
    if (!d) continue;
    const late = workingDaysBetween(d.due, today, s.calendar);
    if (late <= 0) continue;
    out.push({
      ...d,
      alert_id: a.id,
      channel: a.referred_channel,
      assignee: a.assignee,
      working_days_elapsed: workingDaysBetween(d.since, today, s.calendar),
      working_days_overdue: late,
    });
  }
  return out.sort(
    (x, y) => y.working_days_overdue - x.working_days_overdue || (x.alert_id < y.alert_id ? -1 : 1),
  );
}
