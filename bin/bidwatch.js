#!/usr/bin/env node
// Entry point: runs the TypeScript CLI through tsx, so `npm ci` is the only set-up step.
import { spawn } from "node:child_process";
import { totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { getHeapStatistics } from "node:v8";

process.env.TZ ??= "Asia/Shanghai";

// V8 caps the JavaScript heap near 4 GB whatever the machine has, and a run over ten million bids needs more.
// Unless the caller chose a limit (--max-old-space-size in the node options), the CLI runs itself once more
// in a child with a heap of up to half the machine's memory (DuckDB keeps to its own limit, src/db/duckdb.ts).
// Signals are passed on; if this process dies outright, the child sees its IPC channel close and stops.
// The child also gets a 64 MB young generation (V8's default is 16 MB on 64-bit): the run allocates
// short-lived objects in bulk (rows read, alerts built, lines written), and at a million bids the larger
// semi-space cut garbage collection by about a second and peak RSS by about 200 MB (issue 5, bench).
const MB = 2 ** 20;
const heapMb = Math.floor(totalmem() / 2 / MB);
const chosen = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].some((a) =>
  a.startsWith("--max-old-space-size"),
);
const launched = process.env.BIDWATCH_LAUNCHED === "1";
delete process.env.BIDWATCH_LAUNCHED;
const relaunch = !chosen && !launched && getHeapStatistics().heap_size_limit / MB < heapMb;

if (relaunch) {
  const semi = process.execArgv.some((a) => a.startsWith("--max-semi-space-size"))
    ? []
    : ["--max-semi-space-size=64"];
  const args = [
    ...process.execArgv,
    `--max-old-space-size=${heapMb}`,
    ...semi,
    fileURLToPath(import.meta.url),
  ];
  const child = spawn(process.execPath, [...args, ...process.argv.slice(2)], {
    stdio: ["inherit", "inherit", "inherit", "ipc"],
    env: { ...process.env, BIDWATCH_LAUNCHED: "1" },
  });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => child.kill(signal));
  }
  child.on("exit", (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
} else {
  function orphaned() {
    process.exit(130);
  }
  if (launched) {
    // Started by the launcher above: stop when it is gone, but never stay alive just for the channel.
    process.on("disconnect", orphaned);
    process.channel?.unref();
  }
  const { register } = await import("tsx/esm/api");
  register();
  const { main } = await import("../src/cli.ts");
  process.exitCode = await main(process.argv.slice(2));
  if (launched && process.connected) {
    process.off("disconnect", orphaned);
    process.disconnect();
  }
}
