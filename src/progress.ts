/**
 * Progress of long stages, as an effect pipelines receive (like the logger and the clock): a bar on a
 * terminal, nothing otherwise. `noProgress` is the silent implementation for tests, pipes and log files;
 * `terminalProgress` draws one line on stderr, redrawn in place, only when that stream is a TTY.
 */

/** One task being worked through: a stage, a file, a size of the benchmark. */
export interface ProgressTask {
  /** Advances by `n` steps (default 1); `note` replaces the text shown after the bar. */
  tick(n?: number, note?: string): void;
  /** Sets the number of steps done. */
  update(done: number, note?: string): void;
  /** Ends the task (its line is cleared). */
  done(): void;
}

export interface Progress {
  /** Starts a task of `total` steps, or of unknown length when `total` is undefined. */
  start(name: string, total?: number): ProgressTask;
}

const NO_TASK: ProgressTask = { tick() {}, update() {}, done() {} };

/** Shows nothing. */
export const noProgress: Progress = { start: () => NO_TASK };

/** The parts of a stream `terminalProgress` needs (process.stderr satisfies it). */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

export interface TerminalProgressOptions {
  /** Milliseconds between redraws (default 100). */
  readonly intervalMs?: number;
  /** Monotonic milliseconds (default performance.now); injected in tests. */
  readonly now?: () => number;
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const BAR_WIDTH = 24;

/**
 * A one-line progress bar on `stream` when it is a terminal, otherwise `noProgress`. Tasks of unknown
 * length show a spinner and the elapsed time. Redraws are throttled to `intervalMs`; a timer redraws the
 * elapsed time while nothing ticks.
 */
export function terminalProgress(
  stream: ProgressStream = process.stderr,
  options: TerminalProgressOptions = {},
): Progress {
  if (!stream.isTTY) return noProgress;
  const interval = options.intervalMs ?? 100;
  const now = options.now ?? (() => performance.now());
  return {
    start(name, total) {
      const started = now();
      let done = 0;
      let note = "";
      let lastDraw = -Infinity;
      let frame = 0;
      let open = true;
      const draw = (force: boolean) => {
        const t = now();
        if (!open || (!force && t - lastDraw < interval)) return;
        lastDraw = t;
        const secs = ((t - started) / 1000).toFixed(1);
        let line: string;
        if (total !== undefined && total > 0) {
          const share = Math.min(1, done / total);
          const filled = Math.round(share * BAR_WIDTH);
          const bar = `${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)}`;
          line = `${name} ${bar} ${Math.floor(share * 100)}% ${done}/${total} ${secs}s`;
        } else {
          frame = (frame + 1) % SPINNER.length;
          line = `${name} ${SPINNER[frame]} ${secs}s`;
        }
        if (note) line += ` ${note}`;
        const width = Math.max(20, (stream.columns ?? 80) - 1);
        stream.write(`\r\x1b[2K${line.slice(0, width)}`);
      };
      draw(true);
      // Redraws while nothing ticks (a long DuckDB statement runs off the event loop), for the clock.
      const timer = setInterval(() => draw(true), Math.max(interval, 100) * 2);
      timer.unref?.();
      return {
        tick(n = 1, text) {
          done += n;
          if (text !== undefined) note = text;
          draw(false);
        },
        update(value, text) {
          done = value;
          if (text !== undefined) note = text;
          draw(false);
        },
        done() {
          if (!open) return;
          open = false;
          clearInterval(timer);
          stream.write("\r\x1b[2K");
        },
      };
    },
  };
}

/** Runs `fn` as a task of unknown length (a spinner while it runs). */
export async function withProgress<T>(progress: Progress, name: string, fn: () => Promise<T>): Promise<T> {
  const task = progress.start(name);
  try {
    return await fn();
  } finally {
    task.done();
  }
}
