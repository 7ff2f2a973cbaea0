/**
 * CSV writing for outputs meant to be opened in Excel: UTF-8 with BOM, RFC 4180 quoting, and every text
 * cell that starts with = + - @ tab or carriage return prefixed with ' so it is never evaluated as a formula.
 */

import { once } from "node:events";
import { createWriteStream } from "node:fs";

export type Cell = string | number | boolean | null | undefined;

/** Escapes a text cell against formula injection (OWASP CSV injection). Numbers pass unchanged. */
export function safeText(s: string): string {
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
}

export function csvCell(v: Cell): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  if (typeof v === "boolean") return v ? "true" : "false";
  const s = safeText(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function csvLine(cells: readonly Cell[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

/** Streams rows to a CSV file (with BOM by default). */
export class CsvWriter {
  private readonly out;
  constructor(path: string, header: readonly string[], options: { bom?: boolean } = {}) {
    this.out = createWriteStream(path);
    if (options.bom ?? true) this.out.write("\uFEFF");
    this.out.write(csvLine(header));
  }

  async write(cells: readonly Cell[]): Promise<void> {
    if (!this.out.write(csvLine(cells))) await once(this.out, "drain");
  }

  async close(): Promise<void> {
    this.out.end();
    await once(this.out, "finish");
  }
}
