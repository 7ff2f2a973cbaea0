/** `bidwatch serve` (the analyst workbench) and `bidwatch hash-secret` (for the users file). */
import type { Command } from "commander";
import { COMMANDS_QUEUE } from "../alerts/commands.ts";
import { QUEUE_PREFIX, safeUrl } from "../alerts/deliver.ts";
import { UsageError } from "../errors.ts";
import type { Channel } from "../types.ts";
import { DbLease } from "../web/db-source.ts";
import { startServer } from "../web/server.ts";
import { hashSecret, UserDirectory } from "../web/users.ts";
import { DB_DEFAULT, stderrLogger, systemClock } from "./common.ts";
import { NIGHTLY_QUEUE } from "./worker.ts";

/** Queues shown on the admin dashboard: the delivery channels and the workers' queues. */
const DASHBOARD_QUEUES: readonly string[] = [
  ...(["analyst", "inspection", "discipline", "public-security"] satisfies Channel[]),
  NIGHTLY_QUEUE,
  COMMANDS_QUEUE,
];

function portArg(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port must be 0–65535, not "${v}"`);
  return n;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(typeof c === "string" ? Buffer.from(c) : c);
  return Buffer.concat(chunks).toString("utf8");
}

export function registerServeCommands(program: Command): void {
  program
    .command("serve")
    .description("the analyst workbench in the browser: alert queue, alert pages, workflow actions")
    .option("--port <n>", "TCP port", portArg, 8080)
    .option(
      "--host <addr>",
      "address to listen on (serve other machines through a TLS reverse proxy)",
      "127.0.0.1",
    )
    .option("--db <file>", "database file", DB_DEFAULT)
    .option("--users <file>", "users file (JSON, scrypt-hashed secrets; see docs/web.md)", "users.json")
    .option("--redis <url>", "show the BullMQ queues to supervisors at /admin/queues (default: $REDIS_URL)")
    .action(async (o: { port: number; host: string; db: string; users: string; redis?: string }) => {
      const users = await UserDirectory.load(o.users);
      const redisUrl = o.redis ?? process.env.REDIS_URL;
      const server = await startServer(
        {
          db: new DbLease(o.db),
          users,
          clock: systemClock,
          logger: stderrLogger,
          ...(redisUrl ? { admin: { redisUrl, queues: DASHBOARD_QUEUES, prefix: QUEUE_PREFIX } } : {}),
        },
        { port: o.port, host: o.host },
      );
      stderrLogger.info("workbench listening", {
        url: server.url,
        db: o.db,
        users: users.size,
        queues: redisUrl ? safeUrl(redisUrl) : "off",
      });
      await new Promise<void>((resolve) => {
        const stop = () => {
          stderrLogger.info("stopping");
          void server.close().then(resolve);
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });

  program
    .command("hash-secret")
    .description("read a secret on standard input and print its scrypt hash for the users file")
    .action(async () => {
      const secret = (await readStdin()).replace(/\r?\n$/, "");
      if (!secret)
        throw new UsageError(
          'give the secret on standard input, e.g. `read -rs S; echo "$S" | bidwatch hash-secret`',
        );
      process.stdout.write(`${await hashSecret(secret)}\n`);
    });
}
