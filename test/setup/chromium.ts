/**
 * Vitest global setup: makes sure the browser tests (report page, workbench) have Debian's Chromium.
 * With CHROMIUM_PATH set, or /usr/bin/chromium present, nothing is done. Otherwise, as root on a machine with
 * apt-get (a fresh Debian machine, CI), Debian's `chromium` package is installed once; elsewhere nothing is
 * installed and the browser tests fail with the command to run (test/web/browser.ts).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { DEFAULT_CHROMIUM_PATH } from "../web/browser.ts";

function run(command: string, args: readonly string[]): boolean {
  const r = spawnSync(command, args, {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  return r.status === 0;
}

export default function setup(): void {
  if (process.env.CHROMIUM_PATH || existsSync(DEFAULT_CHROMIUM_PATH)) return;
  const root = process.getuid?.() === 0;
  if (!root || spawnSync("apt-get", ["--version"], { stdio: "ignore" }).error) return;
  process.stderr.write("test setup: installing Debian's chromium for the browser tests (once per machine)\n");
  if (!run("apt-get", ["update", "-qq"]) || !run("apt-get", ["install", "-y", "-qq", "chromium"])) {
    process.stderr.write(
      "test setup: apt-get could not install chromium; the browser tests will say what to do\n",
    );
  }
}
