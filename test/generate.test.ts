import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isValidUscc } from "../src/domain/uscc.ts";
import { BidwatchError } from "../src/errors.ts";
import { CsvWriter } from "../src/generate/csv-writer.ts";
import { isValidResidentId, residentIdCheckChar } from "../src/generate/ids.ts";
import {
  type GenerateOptions,
  type GenerateSummary,
  generateExport,
  type Truth,
} from "../src/generate/index.ts";
import { Rng } from "../src/generate/rng.ts";
import { COLUMNS } from "../src/ingest/columns.ts";

const FILES = ["tenders.csv", "bids.csv", "firms.csv", "firm_people.csv", "sanctions.csv", "_truth.json"];
const N = 300;

interface Parsed {
  header: string[];
  /** Data records with the 1-based physical line each starts on. */
  rows: { line: number; fields: string[] }[];
}

/** A small RFC 4180 parser (quoted fields may hold commas, doubled quotes and newlines). */
function parseCsv(text: string): Parsed {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let start = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === "\n") line++;
        field += c;
      }
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      fields.push(field);
      field = "";
    } else if (c === "\n") {
      fields.push(field);
      records.push({ line: start, fields });
      fields = [];
      field = "";
      line++;
      start = line;
    } else field += c;
  }
  const [head, ...rows] = records;
  return { header: head?.fields ?? [], rows };
}

type Table = Record<string, string>[] & { lines: number[] };

function table(p: Parsed): Table {
  const out = p.rows.map((r) => Object.fromEntries(p.header.map((h, i) => [h, r.fields[i] ?? ""]))) as Table;
  out.lines = p.rows.map((r) => r.line);
  return out;
}

let root: string;
const runs: Record<string, { dir: string; summary: GenerateSummary }> = {};

async function run(name: string, options: GenerateOptions): Promise<void> {
  const dir = join(root, name);
  runs[name] = { dir, summary: await generateExport(options, dir) };
}

async function text(run: string, file: string): Promise<string> {
  return readFile(join(runs[run]?.dir as string, file), "utf8");
}

async function load(run: string, file: string): Promise<Table> {
  return table(parseCsv(await text(run, file)));
}

let truth: Truth;
let bids: Table;
let tenders: Table;
let firms: Table;
let people: Table;
let sanctions: Table;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "bidwatch-generate-"));
  await run("a", { tenders: N, seed: 11, badRows: 12 });
  await run("b", { tenders: N, seed: 11, badRows: 12 });
  await run("c", { tenders: N, seed: 12, badRows: 12 });
  await run("zh", { tenders: N, seed: 11, badRows: 12, headers: "zh" });
  await run("gbk", { tenders: N, seed: 11, badRows: 12, headers: "zh", bidsEncoding: "gbk" });
  truth = JSON.parse(await text("a", "_truth.json")) as Truth;
  bids = await load("a", "bids.csv");
  tenders = await load("a", "tenders.csv");
  firms = await load("a", "firms.csv");
  people = await load("a", "firm_people.csv");
  sanctions = await load("a", "sanctions.csv");
});

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

const badLines = () => new Set(truth.bad_rows.map((b) => b.line));
const goodBids = () => bids.filter((_, i) => !badLines().has(bids.lines[i] as number));

describe("rng and ids", () => {
  it("is deterministic per seed words and differs across seeds", () => {
    const seq = (r: Rng) => Array.from({ length: 5 }, () => r.u32());
    expect(seq(Rng.from(1, 2))).toEqual(seq(Rng.from(1, 2)));
    expect(seq(Rng.from(1, 2))).not.toEqual(seq(Rng.from(1, 3)));
    const r = Rng.from(7);
    for (let i = 0; i < 1000; i++) {
      const x = r.int(3, 12);
      expect(x).toBeGreaterThanOrEqual(3);
      expect(x).toBeLessThanOrEqual(12);
    }
  });

  it("computes the ISO 7064 MOD 11-2 check of resident ID numbers", () => {
    expect(residentIdCheckChar("11010519491231002")).toBe("X");
    expect(isValidResidentId("11010519491231002X")).toBe(true);
    expect(isValidResidentId("110105194912310021")).toBe(false);
  });

  it("quotes CSV fields and counts the physical lines of multi-line rows", async () => {
    const path = join(root, "writer.csv");
    const w = CsvWriter.open(path, ["a", "b"]);
    expect(w.row(["1", 'say "hi", then\nleave'])).toBe(2);
    expect(w.row(["2", "x"])).toBe(4);
    await w.close();
    expect(await readFile(path, "utf8")).toBe('a,b\n1,"say ""hi"", then\nleave"\n2,x\n');
  });

  it("rejects unknown or invalid options with a stable code", async () => {
    const bad = [
      { tenders: 0, seed: 1 },
      { tenders: 10, seed: 1.5 },
      { tenders: 10, seed: 1, colour: "red" },
    ];
    for (const o of bad) {
      const err = await generateExport(o as GenerateOptions, join(root, "never")).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BidwatchError);
      expect((err as BidwatchError).code).toBe("E_GENERATE_OPTIONS");
    }
  });
});

describe("generateExport", () => {
  it("writes byte-identical files for the same options and different ones for another seed", async () => {
    for (const f of FILES) {
      const a = await readFile(join(runs.a?.dir as string, f));
      const b = await readFile(join(runs.b?.dir as string, f));
      expect(a.equals(b), f).toBe(true);
    }
    expect(await text("a", "bids.csv")).not.toBe(await text("c", "bids.csv"));
    expect(runs.a?.summary.files.map((p) => basename(p))).toEqual(FILES);
  });

  it("reports counts that match the files and the truth", () => {
    const s = runs.a?.summary as GenerateSummary;
    expect(s.tenders).toBe(N);
    expect(tenders.length).toBe(N);
    expect(s.badRows).toBe(12);
    expect(bids.length).toBe(s.bids + s.badRows);
    expect(truth.bids).toBe(s.bids);
    expect(s.bids / N).toBeGreaterThan(6);
    expect(firms.length).toBe(s.firms);
    expect(truth.rings.length).toBe(s.rings);
    expect(new Set(truth.rings.map((r) => r.style))).toEqual(
      new Set(["shared_machine", "shared_bond_or_pm", "identical_files", "price_only", "affiliated"]),
    );
  });

  it("uses the canonical column names of src/ingest/columns.ts", async () => {
    for (const t of ["tenders", "bids", "firms", "firm_people", "sanctions"] as const) {
      const head = (await text("a", `${t}.csv`)).split("\n", 1)[0];
      expect(head).toBe(COLUMNS[t].map((c) => c.name).join(","));
    }
  });

  it("writes only valid credit codes, except the injected invalid-credit-code rows", () => {
    const invalid = new Set(
      truth.bad_rows.filter((b) => b.kind === "invalid_credit_code").map((b) => b.line),
    );
    bids.forEach((b, i) => {
      expect(isValidUscc(b.firm_id as string), `bids line ${bids.lines[i]}`).toBe(
        !invalid.has(bids.lines[i] as number),
      );
    });
    for (const r of [...firms, ...people]) expect(isValidUscc(r.firm_id as string)).toBe(true);
    for (const s of sanctions.filter((s) => s.subject_type === "firm"))
      expect(isValidUscc(s.subject_id as string)).toBe(true);
    for (const p of people) expect(isValidResidentId(p.person_id as string)).toBe(true);
    for (const b of goodBids()) expect(isValidResidentId(b.project_manager_id as string)).toBe(true);
  });

  it("keeps every bid between publication and deadline", () => {
    const window = new Map(
      tenders.map((t) => [t.tender_id, [t.published_at as string, t.bid_deadline as string]]),
    );
    for (const b of goodBids()) {
      const [published, deadline] = window.get(b.tender_id) as [string, string];
      expect((b.submitted_at as string) > published && (b.submitted_at as string) < deadline, b.bid_id).toBe(
        true,
      );
    }
  });

  it("has exactly one winner per tender, at the tender's award price", () => {
    const award = new Map(tenders.map((t) => [t.tender_id, t.award_price]));
    const winners = new Map<string, string[]>();
    for (const b of goodBids()) {
      if (b.is_winner === "1")
        winners.set(b.tender_id as string, [
          ...(winners.get(b.tender_id as string) ?? []),
          b.price as string,
        ]);
    }
    for (const t of tenders) {
      const w = winners.get(t.tender_id as string) ?? [];
      expect(w.length, t.tender_id).toBe(1);
      expect(Number((w[0] as string).replaceAll(",", ""))).toBe(Number(award.get(t.tender_id)));
    }
  });

  it("plants rings whose members co-bid in every ring tender and win in rotation", () => {
    const byTender = new Map<string, Record<string, string>[]>();
    for (const b of goodBids())
      byTender.set(b.tender_id as string, [...(byTender.get(b.tender_id as string) ?? []), b]);
    const rigged = new Set<string>();
    for (const ring of truth.rings) {
      expect(ring.firms.length).toBeGreaterThanOrEqual(3);
      expect(ring.firms.length).toBeLessThanOrEqual(6);
      expect(ring.tenders.length).toBeGreaterThanOrEqual(4);
      const winners: string[] = [];
      for (const [k, t] of ring.tenders.entries()) {
        rigged.add(t);
        const here = byTender.get(t) ?? [];
        const bidders = new Set(here.map((b) => b.firm_id));
        for (const f of ring.firms) expect(bidders.has(f), `${ring.ring_id} ${t} ${f}`).toBe(true);
        const winner = here.find((b) => b.is_winner === "1")?.firm_id as string;
        expect(winner).toBe(ring.firms[k % ring.firms.length]);
        winners.push(winner);
        // Cover bids sit a little above the winner.
        const price = (b: Record<string, string>) => Number((b.price as string).replaceAll(",", ""));
        const w = price(here.find((b) => b.is_winner === "1") as Record<string, string>);
        for (const b of here.filter((b) => ring.firms.includes(b.firm_id as string) && b.is_winner !== "1")) {
          expect(price(b) / w).toBeGreaterThan(1);
          expect(price(b) / w).toBeLessThan(1.2);
        }
      }
      expect(new Set(winners).size).toBe(Math.min(ring.firms.length, ring.tenders.length));
      for (let k = 1; k < winners.length; k++) expect(winners[k]).not.toBe(winners[k - 1]);
    }
    expect([...rigged].sort()).toEqual(truth.rigged_tenders);
  });

  it("leaves each ring style's trace in its tell tenders", () => {
    const byTender = new Map<string, Record<string, string>[]>();
    for (const b of goodBids())
      byTender.set(b.tender_id as string, [...(byTender.get(b.tender_id as string) ?? []), b]);
    const shares = (rows: Record<string, string>[], key: string) =>
      new Set(rows.map((r) => r[key])).size < rows.length;
    for (const ring of truth.rings) {
      for (const t of ring.tell_tenders) {
        const ringBids = (byTender.get(t) ?? []).filter((b) => ring.firms.includes(b.firm_id as string));
        switch (ring.style) {
          case "shared_machine":
            expect(shares(ringBids, "hardware_id") && shares(ringBids, "mac"), `${ring.ring_id} ${t}`).toBe(
              true,
            );
            break;
          case "identical_files":
            expect(
              shares(ringBids, "file_hash") && shares(ringBids, "file_author"),
              `${ring.ring_id} ${t}`,
            ).toBe(true);
            break;
          case "shared_bond_or_pm":
            expect(
              shares(ringBids, "bond_account") || shares(ringBids, "project_manager_id"),
              `${ring.ring_id} ${t}`,
            ).toBe(true);
            break;
          case "price_only": {
            const cents = ringBids
              .map((b) => Math.round(Number((b.price as string).replaceAll(",", "")) * 100))
              .sort((x, y) => x - y);
            const w = cents[0] as number;
            const gaps = cents.slice(1).map((c, j) => (c - w) / (j + 1));
            const ratios = cents.slice(1).map((c, j) => (c / w - 1) / (j + 1));
            const constant = (xs: number[], tol: number) => Math.max(...xs) - Math.min(...xs) <= tol;
            expect(constant(gaps, 1) || constant(ratios, 1e-6), `${ring.ring_id} ${t}`).toBe(true);
            const hub = new Set(Object.values(truth.traps.hub_values).flat());
            for (const key of [
              "ip",
              "mac",
              "hardware_id",
              "file_hash",
              "bond_account",
              "project_manager_id",
            ]) {
              const values = ringBids.map((b) => b[key] as string).filter((v) => !hub.has(v));
              expect(new Set(values).size, `${ring.ring_id} ${t} ${key}`).toBe(values.length);
            }
            break;
          }
          case "affiliated": {
            const persons = ring.firms.map(
              (f) =>
                new Set(
                  people
                    .filter((p) => p.firm_id === f && p.role !== "project_manager")
                    .map((p) => p.person_id),
                ),
            );
            const common = [...(persons[0] as Set<string>)].filter((p) => persons.every((s) => s.has(p)));
            expect(common.length, ring.ring_id).toBeGreaterThan(0);
            break;
          }
        }
      }
    }
  });

  it("records hub values that many unrelated firms really use, and a small honest market", () => {
    const hub = truth.traps.hub_values;
    const column = {
      ip: "ip",
      mac: "mac",
      hardware_id: "hardware_id",
      file_hash: "file_hash",
      bond_account: "bond_account",
      contact_phone: "contact_phone",
    } as const;
    for (const [key, col] of Object.entries(column)) {
      const values = new Set(hub[key as keyof typeof hub]);
      expect(values.size).toBeGreaterThan(0);
      const users = new Set(
        goodBids()
          .filter((b) => values.has(b[col] as string))
          .map((b) => b.firm_id),
      );
      expect(users.size, key).toBeGreaterThanOrEqual(5);
    }
    const small = new Set(truth.traps.small_market_firms);
    expect(small.size).toBeGreaterThanOrEqual(4);
    expect(small.size).toBeLessThanOrEqual(6);
    const byTender = new Map<string, string[]>();
    for (const b of goodBids())
      byTender.set(b.tender_id as string, [
        ...(byTender.get(b.tender_id as string) ?? []),
        b.firm_id as string,
      ]);
    const smallTenders = [...byTender.values()].filter((fs) => fs.every((f) => small.has(f)));
    expect(smallTenders.length).toBeGreaterThanOrEqual(3);
    for (const r of truth.rings) for (const f of r.firms) expect(small.has(f)).toBe(false);
  });

  it("lists exactly the bids placed inside a sanction period as breaches", () => {
    expect(truth.debarment_breaches.length).toBeGreaterThan(0);
    const legalRep = new Map(firms.map((f) => [f.firm_id, f.legal_rep_id]));
    const expected = new Set<string>();
    for (const b of goodBids()) {
      const day = (b.submitted_at as string).slice(0, 10);
      for (const s of sanctions) {
        const inside =
          day >= (s.start_date as string) && (s.end_date === "" || day <= (s.end_date as string));
        const subject =
          s.subject_id === b.firm_id ||
          s.subject_id === b.project_manager_id ||
          s.subject_id === legalRep.get(b.firm_id as string);
        if (inside && subject) expected.add(`${b.firm_id}|${b.tender_id}|${s.subject_id}`);
      }
    }
    const listed = truth.debarment_breaches.map((x) => `${x.firm_id}|${x.tender_id}|${x.subject_id}`);
    expect(new Set(listed)).toEqual(expected);
    expect(listed.length).toBe(expected.size);
    // Some sanctions ended before their subject's later bids: those bids are no breaches.
    expect(sanctions.some((s) => s.end_date !== "" && (s.end_date as string) < "2025-01-01")).toBe(true);
  });

  it("points bad_rows at the physical lines that hold them", async () => {
    const lines = (await text("a", "bids.csv")).split("\n");
    expect(truth.bad_rows.map((b) => b.kind)).toEqual([
      ...[
        "negative_price",
        "non_numeric_price",
        "overflow_price",
        "empty_tender_id",
        "invalid_credit_code",
        "impossible_date",
      ],
      ...[
        "negative_price",
        "non_numeric_price",
        "overflow_price",
        "empty_tender_id",
        "invalid_credit_code",
        "impossible_date",
      ],
    ]);
    const idx = Object.fromEntries(COLUMNS.bids.map((c, i) => [c.name, i]));
    const keys = new Set(goodBids().map((b) => `${b.tender_id}|${b.firm_id}`));
    let previous = 0;
    for (const bad of truth.bad_rows) {
      expect(bad.file).toBe("bids.csv");
      expect(bad.line).toBeGreaterThan(previous + 1);
      previous = bad.line;
      const f = parseCsv(`h\n${lines[bad.line - 1]}\n`).rows[0]?.fields as string[];
      const get = (name: string) => f[idx[name] as number] as string;
      expect(get("bid_id")).toMatch(/^X2025-\d{6}$/);
      expect(keys.has(`${get("tender_id")}|${get("firm_id")}`)).toBe(false);
      const expectations: Record<string, () => void> = {
        negative_price: () => expect(Number(get("price"))).toBeLessThan(0),
        non_numeric_price: () => expect(get("price")).toBe("abc"),
        overflow_price: () => expect(get("price")).toBe("1e30"),
        empty_tender_id: () => expect(get("tender_id")).toBe(""),
        invalid_credit_code: () => expect(isValidUscc(get("firm_id"))).toBe(false),
        impossible_date: () => expect(get("submitted_at")).toBe("2025-02-30 10:00:00"),
      };
      expectations[bad.kind]?.();
    }
    // Spread through the file, not bunched at one end.
    expect(truth.bad_rows[0]?.line).toBeLessThan(lines.length / 4);
    expect(truth.bad_rows.at(-1)?.line).toBeGreaterThan((lines.length * 3) / 4);
  });

  it("writes GBK bids with Chinese headers that decode to the UTF-8 version", async () => {
    const raw = await readFile(join(runs.gbk?.dir as string, "bids.csv"));
    expect(() => new TextDecoder("utf-8", { fatal: true }).decode(raw)).toThrow();
    const decoded = new TextDecoder("gb18030", { fatal: true }).decode(raw);
    expect(decoded.split("\n", 1)[0]).toBe(COLUMNS.bids.map((c) => c.aliases[0]).join(","));
    expect(decoded).toBe(await text("zh", "bids.csv"));
    const zhTenders = parseCsv(await text("gbk", "tenders.csv"));
    expect(zhTenders.header).toEqual(COLUMNS.tenders.map((c) => c.aliases[0]));
    expect(new Set(zhTenders.rows.map((r) => r.fields[3]))).toContain("工程建设");
    const winners = parseCsv(decoded).rows.map((r) => r.fields[15]);
    expect(new Set(winners)).toEqual(new Set(["是", "否"]));
  });
});
