/**
 * The analyst loop on the command line: `bidwatch alerts …`, `bidwatch audit verify`, `bidwatch export`,
 * `bidwatch deliver`. Every command calls the same service code as queue consumers (workflow.ts).
 */
import type { Command } from "commander";
import { auditTrail, verifyAudit } from "../alerts/audit.ts";
import { DEFAULT_REDIS_URL, deliverPending, safeUrl } from "../alerts/deliver.ts";
import { type ExportChannel, exportAlerts } from "../alerts/export.ts";
import { type AlertStatus, getAlert, listAlerts } from "../alerts/store.ts";
import { accept, claim, close, feedback, overdue, refer, triage } from "../alerts/workflow.ts";
import { loadConfig } from "../config.ts";
import { BidwatchError, UsageError } from "../errors.ts";
import type { Channel } from "../types.ts";
import { DB_DEFAULT, printJson, resolveActor, stderrLogger, systemClock, withDb } from "./common.ts";

const CHANNELS: readonly Channel[] = ["analyst", "inspection", "discipline", "public-security"];

function channelArg(v: string): Channel {
  if (!(CHANNELS as readonly string[]).includes(v))
    throw new UsageError(`unknown channel "${v}" (${CHANNELS.join(", ")})`);
  return v as Channel;
}

export function registerAlertCommands(program: Command): void {
  const alerts = program
    .command("alerts")
    .description("work the alert queue: list, show, claim, triage, refer, accept, feedback, close, overdue");

  alerts
    .command("list")
    .description("alerts in rank order (open ones by default)")
    .option("--db <file>", "database file", DB_DEFAULT)
    .option("--status <status>", "new | in_review | referred | result_received | closed")
    .option("--channel <channel>", "routed or referred to this channel", channelArg)
    .option("--all", "include closed and suppressed alerts")
    .option("--limit <n>", "at most this many", (v) => Number(v))
    .option("--json", "print JSON")
    .action(
      async (o: {
        db: string;
        status?: string;
        channel?: Channel;
        all?: boolean;
        limit?: number;
        json?: boolean;
      }) => {
        await withDb(o.db, async (db) => {
          const rows = await listAlerts(db, {
            ...(o.status ? { status: o.status as AlertStatus } : o.all ? {} : { open: true }),
            ...(o.channel ? { channel: o.channel } : {}),
            ...(o.all ? { includeSuppressed: true } : {}),
            ...(o.limit ? { limit: o.limit } : {}),
          });
          if (o.json) return printJson(rows);
          for (const a of rows) {
            process.stdout.write(
              `${a.id}  ${a.status.padEnd(15)} ${a.score.toFixed(2)}  ${a.kind.padEnd(6)} ${String(a.firms.length).padStart(2)} firms  ${(a.amount / 10_000).toFixed(1).padStart(10)} 万元  ${a.channels.join(",")}\n`,
            );
          }
        });
      },
    );

  alerts
    .command("show")
    .description("one alert with its evidence and status history")
    .argument("<id>")
    .option("--db <file>", "database file", DB_DEFAULT)
    .action(async (id: string, o: { db: string }) => {
      await withDb(o.db, async (db) => {
        const a = await getAlert(db, id);
        if (!a) throw new BidwatchError("E_ALERT_NOT_FOUND", `alerts: no alert ${id}`);
        printJson({ ...a, history: await auditTrail(db, id) });
      });
    });

  const op = (name: string, description: string) =>
    alerts
      .command(name)
      .description(description)
      .argument("<id>")
      .option("--db <file>", "database file", DB_DEFAULT)
      .option("--actor <name>", "who acts (default $BIDWATCH_ACTOR)");

  const done = (r: { alert: { id: string; status: string } }) =>
    stderrLogger.info("ok", { alert: r.alert.id, status: r.alert.status });

  op("claim", "take an alert for review (new → in_review)").action(
    async (id: string, o: { db: string; actor?: string }) => {
      await withDb(o.db, async (db) =>
        done(await claim({ db, clock: systemClock }, id, resolveActor(o.actor))),
      );
    },
  );
  op("triage", "record the review's findings")
    .requiredOption("--note <text>", "what the review found")
    .action(async (id: string, o: { db: string; actor?: string; note: string }) => {
      await withDb(o.db, async (db) =>
        done(await triage({ db, clock: systemClock }, id, resolveActor(o.actor), o.note)),
      );
    });
  op("refer", "refer to an agency channel (inspection, discipline, public-security)")
    .requiredOption("--channel <channel>", "inspection | discipline | public-security", channelArg)
    .requiredOption("--note <text>", "what is referred and why")
    .action(async (id: string, o: { db: string; actor?: string; channel: Channel; note: string }) => {
      await withDb(o.db, async (db) =>
        done(await refer({ db, clock: systemClock }, id, resolveActor(o.actor), o.channel, o.note)),
      );
    });
  op("accept", "the receiving agency acknowledges the referral")
    .option("--note <text>", "note")
    .action(async (id: string, o: { db: string; actor?: string; note?: string }) => {
      await withDb(o.db, async (db) =>
        done(await accept({ db, clock: systemClock }, id, resolveActor(o.actor), o.note)),
      );
    });
  op("feedback", "record the agency's result (核查结果反馈)")
    .requiredOption("--note <text>", "the result")
    .action(async (id: string, o: { db: string; actor?: string; note: string }) => {
      await withDb(o.db, async (db) =>
        done(await feedback({ db, clock: systemClock }, id, resolveActor(o.actor), o.note)),
      );
    });
  op("close", "close as confirmed or dismissed")
    .requiredOption("--verdict <v>", "confirmed | dismissed")
    .requiredOption("--note <text>", "why")
    .action(async (id: string, o: { db: string; actor?: string; verdict: string; note: string }) => {
      if (o.verdict !== "confirmed" && o.verdict !== "dismissed")
        throw new UsageError("--verdict must be confirmed or dismissed");
      await withDb(o.db, async (db) =>
        done(
          await close(
            { db, clock: systemClock },
            id,
            resolveActor(o.actor),
            o.verdict as "confirmed",
            o.note,
          ),
        ),
      );
    });

  alerts
    .command("overdue")
    .description("referrals late on acceptance (5 working days) or result (10 working days after acceptance)")
    .option("--db <file>", "database file", DB_DEFAULT)
    .option("--json", "print JSON")
    .option("--config <file>", "settings file with deadlines and holidays (docs/configuration.md)")
    .action(async (o: { db: string; json?: boolean; config?: string }) => {
      const settings = await loadConfig(o.config);
      await withDb(o.db, async (db) => {
        const items = await overdue(db, systemClock, settings.deadlines);
        if (o.json) return printJson(items);
        for (const i of items) {
          process.stdout.write(
            `${i.alert_id}  ${String(i.channel ?? "").padEnd(16)} ${i.working_days_overdue} working day(s) overdue\n`,
          );
        }
        if (items.length === 0) stderrLogger.info("nothing overdue");
      });
    });

  program
    .command("audit")
    .description("the append-only audit log")
    .command("verify")
    .description("recompute the hash chain; fails naming the first tampered row")
    .option("--db <file>", "database file", DB_DEFAULT)
    .action(async (o: { db: string }) => {
      await withDb(o.db, async (db) => {
        const r = await verifyAudit(db);
        if (!r.ok) {
          throw new BidwatchError(
            "E_AUDIT_TAMPERED",
            `audit: row ${r.firstBad?.seq} fails verification: ${r.firstBad?.reason}`,
          );
        }
        stderrLogger.info("audit log intact", { rows: r.checked, head: r.head?.hash ?? "" });
      });
    });

  program
    .command("export")
    .description("alerts for an agency channel (or `public` for 公示, masked) as CSV or JSON")
    .requiredOption("--channel <channel>", "analyst | inspection | discipline | public-security | public")
    .requiredOption("--format <format>", "csv | json")
    .option("--lang <lang>", "zh | en (CSV headers and labels)", "zh")
    .option("--encoding <enc>", "utf8 | gbk (CSV)", "utf8")
    .requiredOption("--out <file>", "output file")
    .option("--db <file>", "database file", DB_DEFAULT)
    .action(
      async (o: {
        channel: string;
        format: string;
        lang: string;
        encoding: string;
        out: string;
        db: string;
      }) => {
        if (o.channel !== "public") channelArg(o.channel);
        if (o.format !== "csv" && o.format !== "json") throw new UsageError("--format must be csv or json");
        if (o.lang !== "zh" && o.lang !== "en") throw new UsageError("--lang must be zh or en");
        if (o.encoding !== "utf8" && o.encoding !== "gbk")
          throw new UsageError("--encoding must be utf8 or gbk");
        await withDb(o.db, async (db) => {
          const r = await exportAlerts(
            db,
            {
              channel: o.channel as ExportChannel,
              format: o.format as "csv",
              lang: o.lang as "zh",
              encoding: o.encoding as "utf8",
            },
            o.out,
          );
          stderrLogger.info("exported", { out: r.path, alerts: r.count, masked: r.masked });
        });
      },
    );

  program
    .command("deliver")
    .description("send pending alerts from the outbox to the BullMQ queues (job id = alert id)")
    .option("--db <file>", "database file", DB_DEFAULT)
    .option("--redis <url>", "Redis URL (default $REDIS_URL or redis://127.0.0.1:6379)")
    .action(async (o: { db: string; redis?: string }) => {
      const url = o.redis ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
      await withDb(o.db, async (db) => {
        const r = await deliverPending(db, { redisUrl: url }, systemClock, stderrLogger);
        if (r.error) throw new BidwatchError("E_DELIVERY", `deliver: ${r.error}`);
        stderrLogger.info("delivered", { redis: safeUrl(url), delivered: r.delivered, pending: r.pending });
      });
    });
}
