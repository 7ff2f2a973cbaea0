import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CsvWriter, csvCell, safeText } from "../../src/alerts/csv.ts";
import { tempDir } from "../helpers/db.ts";

describe("CSV cells safe to open in Excel", () => {
  it.each([
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ["+1234", "'+1234"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["\tcmd", "'\tcmd"],
    ["\rcmd", `"'\rcmd"`],
    ["普通文本", "普通文本"],
    ["a,b", '"a,b"'],
  ])("text %j is written as %j", (input, expected) => {
    expect(csvCell(input)).toBe(expected);
  });

  it("leaves numbers as numbers, including negatives", () => {
    expect(csvCell(-5)).toBe("-5");
    expect(csvCell(0.25)).toBe("0.25");
    expect(safeText("A-1")).toBe("A-1");
  });

  it("writes a BOM and CRLF lines", async () => {
    const { dir, cleanup } = await tempDir();
    const w = new CsvWriter(join(dir, "x.csv"), ["a", "b"]);
    await w.write(["=1+1", 2]);
    await w.close();
    const buf = await readFile(join(dir, "x.csv"));
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(buf.subarray(3).toString("utf8")).toBe("a,b\r\n'=1+1,2\r\n");
    await cleanup();
  });
});
