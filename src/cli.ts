/** The `bidwatch` command line. Each command group lives in src/cli/ and wires real effects into pipelines. */
import { Command, CommanderError } from "commander";
import { registerBenchCommand } from "../pipelines/bench.ts";
import { registerEvalCommand } from "../pipelines/eval.ts";
import { registerAlertCommands } from "./cli/alerts.ts";
import { registerInspectCommands } from "./cli/inspect.ts";
import { registerRunCommands } from "./cli/run.ts";
import { registerServeCommands } from "./cli/serve.ts";
import { registerWorkerCommands } from "./cli/worker.ts";
import { BidwatchError } from "./errors.ts";

export function program(): Command {
  const cmd = new Command("bidwatch")
    .description(
      "Finds bid rigging (围标串标) in public-resource trading exports and ranks evidenced alerts.",
    )
    .exitOverride()
    .showHelpAfterError();
  registerRunCommands(cmd);
  registerAlertCommands(cmd);
  registerWorkerCommands(cmd);
  registerInspectCommands(cmd);
  registerServeCommands(cmd);
  registerEvalCommand(cmd);
  registerBenchCommand(cmd);
  return cmd;
}

/** Runs the CLI; returns the process exit code (0 ok, 1 input/run error, 2 usage error). */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await program().parseAsync([...argv], { from: "user" });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof BidwatchError) {
      process.stderr.write(`bidwatch: error ${err.code}: ${err.message}\n`);
      return err.code === "E_USAGE" ? 2 : 1;
    }
    throw err;
  }
}
