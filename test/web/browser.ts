/**
 * Headless Chromium for the end-to-end tests: Debian's `chromium` package driven by playwright-core
 * through its executable path (no browser download). Missing Chromium is a test failure with the fix.
 */
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

/** Where Debian's package puts Chromium (test/setup/chromium.ts installs it there when it is missing). */
export const DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium";
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM_PATH;

/** The flags this machine needs: no sandbox as root, and no background connections to a closed network. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `e2e: Chromium not found at ${CHROMIUM_PATH}. Install Debian's package: ` +
        "`apt-get update && apt-get install -y chromium` (or set CHROMIUM_PATH to a Chromium binary).",
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** Screenshots go to docs/screenshots/ when UPDATE_SCREENSHOTS=1, else into the test's temp folder. */
export function screenshotDir(tempDir: string): string {
  return process.env.UPDATE_SCREENSHOTS === "1"
    ? new URL("../../docs/screenshots/", import.meta.url).pathname
    : tempDir;
}
