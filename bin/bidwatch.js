#!/usr/bin/env node
// Entry point: runs the TypeScript CLI through tsx, so `npm ci` is the only set-up step.
import { register } from "tsx/esm/api";

process.env.TZ ??= "Asia/Shanghai";
register();
const { main } = await import("../src/cli.ts");
process.exitCode = await main(process.argv.slice(2));
