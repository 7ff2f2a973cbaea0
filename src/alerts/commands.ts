/**
 * Workflow operations arriving as queue jobs (a queue consumer's view of `bidwatch alerts …`): the job's
 * data names the operation, the alert, the actor and the note. Validated here, executed by workflow.ts.
 */
import { z } from "zod";
import type { Db } from "../db/duckdb.ts";
import { UsageError } from "../errors.ts";
import type { Clock } from "../types.ts";
import { accept, claim, close, feedback, refer, type TransitionResult, triage } from "./workflow.ts";

export const COMMANDS_QUEUE = "commands";

export const WorkflowCommand = z.discriminatedUnion("op", [
  z.object({ op: z.literal("claim"), alert_id: z.string(), actor: z.string() }).strict(),
  z.object({ op: z.literal("triage"), alert_id: z.string(), actor: z.string(), note: z.string() }).strict(),
  z
    .object({
      op: z.literal("refer"),
      alert_id: z.string(),
      actor: z.string(),
      channel: z.enum(["inspection", "discipline", "public-security"]),
      note: z.string(),
    })
    .strict(),
  z
    .object({ op: z.literal("accept"), alert_id: z.string(), actor: z.string(), note: z.string().optional() })
    .strict(),
  z.object({ op: z.literal("feedback"), alert_id: z.string(), actor: z.string(), note: z.string() }).strict(),
  z
    .object({
      op: z.literal("close"),
      alert_id: z.string(),
      actor: z.string(),
      verdict: z.enum(["confirmed", "dismissed"]),
      note: z.string(),
    })
    .strict(),
]);
export type WorkflowCommand = z.infer<typeof WorkflowCommand>;

export async function executeCommand(db: Db, clock: Clock, data: unknown): Promise<TransitionResult> {
  const parsed = WorkflowCommand.safeParse(data);
  if (!parsed.success)
    throw new UsageError(
      `commands: invalid job data: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  const c = parsed.data;
  const ctx = { db, clock };
  switch (c.op) {
    case "claim":
      return claim(ctx, c.alert_id, c.actor);
    case "triage":
      return triage(ctx, c.alert_id, c.actor, c.note);
    case "refer":
      return refer(ctx, c.alert_id, c.actor, c.channel, c.note);
    case "accept":
      return accept(ctx, c.alert_id, c.actor, c.note);
    case "feedback":
      return feedback(ctx, c.alert_id, c.actor, c.note);
    case "close":
      return close(ctx, c.alert_id, c.actor, c.verdict, c.note);
  }
}
