/**
 * Vitest global setup: makes sure a Redis answers for the queue tests.
 * Order: REDIS_URL if set; else 127.0.0.1:6379; else a `redis-server` from PATH on a free port (stopped
 * after the run); else fail with instructions. The URL reaches tests as env REDIS_URL.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer, Socket } from "node:net";
import type { TestProject } from "vitest/node";

function ping(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = new Socket();
    let buf = "";
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once("error", () => done(false));
    s.connect(port, host, () => s.write("PING\r\n"));
    s.on("data", (d) => {
      buf += d.toString();
      if (buf.includes("\r\n")) done(buf.startsWith("+PONG"));
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

let child: ChildProcess | undefined;

export default async function setup(project: TestProject): Promise<() => void> {
  const fromEnv = process.env.REDIS_URL;
  let url: string | undefined;
  if (fromEnv) {
    const u = new URL(fromEnv);
    if (!(await ping(u.hostname, Number(u.port || 6379)))) {
      throw new Error(`test setup: REDIS_URL=${fromEnv} does not answer PING`);
    }
    url = fromEnv;
  } else if (await ping("127.0.0.1", 6379)) {
    url = "redis://127.0.0.1:6379";
  } else {
    const found = spawnSync("redis-server", ["--version"], { stdio: "ignore" });
    if (found.error) {
      throw new Error(
        "test setup: no Redis at REDIS_URL or 127.0.0.1:6379 and no redis-server on PATH. " +
          "Install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL.",
      );
    }
    const port = await freePort();
    child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      {
        stdio: "ignore",
      },
    );
    for (let i = 0; i < 50 && !(await ping("127.0.0.1", port)); i++)
      await new Promise((r) => setTimeout(r, 100));
    if (!(await ping("127.0.0.1", port)))
      throw new Error(`test setup: started redis-server on port ${port} but it does not answer`);
    url = `redis://127.0.0.1:${port}`;
  }
  project.provide("redisUrl", url);
  process.env.REDIS_URL = url;
  return () => {
    child?.kill();
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    redisUrl: string;
  }
}
