import { describe, expect, it } from "vitest";
import { noProgress, terminalProgress } from "../src/progress.ts";

function stream(isTTY: boolean) {
  const out: string[] = [];
  return { out, s: { isTTY, columns: 80, write: (t: string) => out.push(t) } };
}

describe("progress", () => {
  it("stays quiet when stderr is not a terminal", () => {
    const { out, s } = stream(false);
    const p = terminalProgress(s);
    expect(p).toBe(noProgress);
    const t = p.start("ingest", 3);
    t.tick();
    t.done();
    expect(out).toEqual([]);
  });

  it("draws a bar on a terminal, throttled, and clears it when done", () => {
    const { out, s } = stream(true);
    let now = 0;
    const p = terminalProgress(s, { intervalMs: 100, now: () => now });
    const t = p.start("ingest", 4);
    t.tick(1, "bids.csv"); // within the interval: not drawn
    now = 150;
    t.tick(1);
    t.done();
    const drawn = out.filter((x) => x.includes("ingest"));
    expect(drawn).toHaveLength(2);
    expect(drawn[1]).toContain("50% 2/4");
    expect(drawn[1]).toContain("bids.csv");
    expect(out.at(-1)).toBe("\r\x1b[2K");
  });
});
