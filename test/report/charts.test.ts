import { describe, expect, it } from "vitest";
import {
  bidChartOption,
  edgeLabel,
  histogram,
  niceAxis,
  ringGraphOption,
  shortName,
} from "../../src/report/charts.ts";
import { dominant } from "../../src/report/data.ts";
import { scriptSafeJson } from "../../src/report/html.ts";
import { clip, ringEdges } from "../../src/report/report.ts";

describe("histogram", () => {
  it("counts every finite value once, end bins taking what lies outside", () => {
    const values = [0, 0.05, 0.1, 0.55, 0.99, 1, 1.5, -2, Number.NaN, null];
    const input = [...values];
    const h = histogram(values, { bins: 10, min: 0, max: 1 });
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(8);
    expect(h.counts[0]).toBe(3); // -2 (clipped), 0, 0.05
    expect(h.counts[1]).toBe(1); // 0.1
    expect(h.counts[5]).toBe(1);
    expect(h.counts[9]).toBe(3); // 0.99, 1, 1.5 (clipped)
    expect(h.clipped).toBe(2);
    expect(h.edges).toHaveLength(11);
    expect(values).toEqual(input);
  });

  it("uses the 1st–99th percentile range by default and copes with one distinct value", () => {
    expect(histogram([]).counts).toEqual([]);
    const flat = histogram([3, 3, 3], { bins: 4 });
    expect(flat.counts.reduce((a, b) => a + b, 0)).toBe(3);
    expect(flat.edges[0]).toBeLessThan(3);
  });
});

describe("niceAxis", () => {
  it("gives round steps and a margin around the data", () => {
    const a = niceAxis(4563.4, 4911.3);
    expect([1, 2, 5].map((m) => m * 10 ** Math.floor(Math.log10(a.step)))).toContain(a.step);
    expect(a.min).toBeLessThan(4563.4);
    expect(a.max).toBeGreaterThan(4911.3);
    expect(Number.isInteger(Math.round((a.min / a.step) * 1e9) / 1e9)).toBe(true);
    expect(niceAxis(0, 0.5).min).toBe(0);
  });
});

describe("chart options", () => {
  it("marks the winner, the alert's firms and the ceiling price", () => {
    const opt = bidChartOption(
      { tender_id: "T1", title: "某工程", ceiling_price: 1_000_000 },
      [
        { firm_id: "C1", firm_name: "甲建设有限公司", price: 950_000, is_winner: false, disqualified: false },
        { firm_id: "W", firm_name: "乙建设有限公司", price: 900_000, is_winner: true, disqualified: false },
        { firm_id: "X", firm_name: null, price: 970_000, is_winner: false, disqualified: true },
      ],
      new Set(["W", "C1"]),
      "zh",
    ) as {
      series: {
        data: { value: number; label?: { formatter: string } }[];
        markLine: { data: { yAxis: number }[] };
      }[];
      xAxis: { data: { value: string }[] };
    };
    const bars = opt.series[0]?.data ?? [];
    expect(bars.map((b) => b.value)).toEqual([90, 95, 97]);
    expect(bars[0]?.label?.formatter).toBe("中标");
    expect(bars[2]?.label?.formatter).toBe("废标");
    expect(opt.series[0]?.markLine.data[0]?.yAxis).toBe(100);
    expect(opt.xAxis.data.map((d) => d.value)).toEqual(["乙建设 ★", "甲建设 ★", "X"]);
    expect(JSON.parse(JSON.stringify(opt))).toEqual(opt);
  });

  it("draws rings with labelled edges", () => {
    const e = {
      a: "A",
      b: "B",
      weight: 0.9975,
      rules: ["IDENTICAL_BID_FILE", "SHARED_FILE_AUTHOR", "SHARED_IP"],
    };
    expect(edgeLabel(e, "zh")).toBe("投标文件相同 + 同一文件制作人 +1  1.00");
    expect(edgeLabel(e, "en")).toBe("identical bid file + same file author +1  1.00");
    const opt = ringGraphOption(
      [
        { id: "A", name: "甲" },
        { id: "B", name: null },
      ],
      [e],
      "zh",
    ) as {
      series: { data: unknown[]; links: { source: string; target: string }[] }[];
    };
    expect(opt.series[0]?.data).toHaveLength(2);
    expect(opt.series[0]?.links[0]).toMatchObject({ source: "A", target: "B" });
  });

  it("reads ring edges from RING evidence only", () => {
    const edges = ringEdges({
      evidence: [
        { rule: "SHARED_IP", weight: 0.5, text_zh: "", text_en: "", facts: { edges: [{ a: "x", b: "y" }] } },
        {
          rule: "RING",
          weight: 0.9,
          text_zh: "",
          text_en: "",
          facts: { edges: [{ a: "A", b: "B", weight: 0.8, rules: ["SHARED_MAC"] }, { a: 1 }] },
        },
      ],
    });
    expect(edges).toEqual([{ a: "A", b: "B", weight: 0.8, rules: ["SHARED_MAC"] }]);
  });
});

describe("helpers", () => {
  it("shortens names, picks the dominant value, clips text", () => {
    expect(shortName("杭州泽中交通工程有限公司", "X")).toBe("杭州泽中交通工程");
    expect(shortName(null, "913301068181520861")).toBe("…520861");
    expect(dominant(["b", "a", null, "b", "a"])).toBe("a");
    expect(dominant([null])).toBeNull();
    expect(clip("一二三四五", 3)).toBe("一二三…");
  });

  it("embeds JSON that cannot close its script element", () => {
    const s = scriptSafeJson({ x: "</script><script>alert(1)</script>&\u2028" });
    expect(s).not.toContain("<");
    expect(s).not.toContain(">");
    expect(JSON.parse(s)).toEqual({ x: "</script><script>alert(1)</script>&\u2028" });
  });
});
