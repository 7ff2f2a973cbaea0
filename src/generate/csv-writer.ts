/**
 * Streamed CSV writing (RFC 4180 quoting, LF line ends) with backpressure: rows are buffered in
 * memory up to a threshold, then written, waiting for 'drain' when the stream asks for it. Counts
 * physical lines so callers can point at the line a row starts on.
 */
import { once } from "node:events";
import { createWriteStream, type WriteStream } from "node:fs";
import { finished } from "node:stream/promises";
import iconv from "iconv-lite";

export type CsvEncoding = "utf8" | "gbk";

const NEEDS_QUOTES = /[",\r\n]/;
const FLUSH_AT = 1 << 20;
/** UTF-8 rows are encoded straight into a buffer of this size (a row may take 3 bytes per UTF-16 unit). */
const BUFFER_SIZE = FLUSH_AT + (1 << 18);

/** One CSV field: quoted (with doubled quotes) when it holds a comma, quote, CR or LF. */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

const SPECIAL = /["\r\n]/;

function countChar(s: string, c: string): number {
  let n = 0;
  for (let i = s.indexOf(c); i !== -1; i = s.indexOf(c, i + 1)) n++;
  return n;
}

export class CsvWriter {
  /** GBK: rows waiting to be encoded. UTF-8: rows already encoded into `buffer[0..pendingSize)`. */
  private pending: string[] = [];
  private pendingSize = 0;
  private buffer: Buffer = Buffer.allocUnsafe(BUFFER_SIZE);
  /** Physical lines written so far (the header is line 1). */
  private lineCount = 0;
  private rowCount = 0;
  private failure: Error | undefined;

  private constructor(
    private readonly stream: WriteStream,
    private readonly encoding: CsvEncoding,
  ) {
    // Keep a stream error until the next flush/close reports it (never an unhandled 'error' event).
    stream.on("error", (err) => {
      this.failure ??= err;
    });
  }

  /** Opens `path` for writing and writes the header row. */
  static open(path: string, header: readonly string[], encoding: CsvEncoding = "utf8"): CsvWriter {
    const w = new CsvWriter(createWriteStream(path), encoding);
    w.row(header);
    w.rowCount = 0;
    return w;
  }

  /** Data rows written (the header not counted). */
  get rows(): number {
    return this.rowCount;
  }

  /** Buffers one row; returns the 1-based physical line number it starts on. */
  row(fields: readonly string[]): number {
    const line = this.lineCount + 1;
    let text = fields.join(",");
    // Fast path: no quote, CR or LF anywhere and no comma inside a field → nothing to quote.
    if (SPECIAL.test(text) || countChar(text, ",") !== fields.length - 1) {
      text = fields.map(csvField).join(",");
      this.lineCount += countChar(text, "\n");
    }
    text += "\n";
    this.lineCount++;
    this.rowCount++;
    if (this.encoding === "gbk") {
      this.pending.push(text);
      this.pendingSize += text.length;
    } else {
      if (this.pendingSize + text.length * 3 > this.buffer.length) this.spill(text.length * 3);
      this.pendingSize += this.buffer.write(text, this.pendingSize, "utf8");
    }
    return line;
  }

  /** Writes buffered rows if enough have piled up (or always with `force`), honouring backpressure. */
  async flush(force = false): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.pendingSize === 0 || (!force && this.pendingSize < FLUSH_AT)) return;
    const chunk = this.take();
    if (!this.stream.write(chunk)) {
      if (this.failure) throw this.failure;
      await once(this.stream, "drain");
    }
  }

  /** The pending bytes, handing the buffer over to the stream and starting a fresh one. */
  private take(): Buffer {
    let chunk: Buffer;
    if (this.encoding === "gbk") {
      chunk = iconv.encode(this.pending.join(""), "gbk");
      this.pending = [];
    } else {
      chunk = this.buffer.subarray(0, this.pendingSize);
      this.buffer = Buffer.allocUnsafe(BUFFER_SIZE);
    }
    this.pendingSize = 0;
    return chunk;
  }

  /** A UTF-8 row does not fit: queue the full buffer without waiting (flush() waits for the drain). */
  private spill(need: number): void {
    const chunk = this.take();
    if (need > this.buffer.length) this.buffer = Buffer.allocUnsafe(need);
    this.stream.write(chunk);
  }

  /** Flushes everything and closes the file. */
  async close(): Promise<void> {
    await this.flush(true);
    this.stream.end();
    await finished(this.stream);
    if (this.failure) throw this.failure;
  }

  /** Abandons the file after an error elsewhere (no further writes). */
  destroy(): void {
    this.stream.destroy();
  }
}
