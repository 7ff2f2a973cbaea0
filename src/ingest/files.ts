/**
 * Finds the input files of a batch and sniffs each: content hash, format and text encoding.
 * Encodings are detected, never assumed: a UTF-8 BOM, else strict UTF-8, else strict GB18030
 * (a superset of GBK/GB2312). Text that is neither fails the file.
 */
import { isUtf8 } from "node:buffer";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { basename, extname, join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { TextDecoder } from "node:util";
import { InputFileError } from "../errors.ts";

export type Format = "csv" | "ndjson" | "json" | "parquet";
export type Encoding = "utf-8" | "utf-8-bom" | "gb18030" | "utf-16le" | "utf-16be" | "binary";

export interface InputFile {
  readonly path: string;
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
  readonly format: Format;
  /** Text encoding as detected; `binary` for Parquet. */
  readonly encoding: Encoding;
}

const EXTENSIONS: Readonly<Record<string, Format>> = {
  ".csv": "csv",
  ".tsv": "csv",
  ".txt": "csv",
  ".ndjson": "ndjson",
  ".jsonl": "ndjson",
  ".json": "json",
  ".parquet": "parquet",
};

/** Expands folders (their data files, sorted by name; names starting with `_` or `.` are skipped). */
export async function resolveInputs(inputs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    const p = resolve(input);
    let st: Awaited<ReturnType<typeof stat>>;
    try {
      st = await stat(p);
    } catch {
      throw new InputFileError("E_NO_FILE", input, "no such file or folder");
    }
    if (st.isDirectory()) {
      const names = (await readdir(p)).filter(
        (n) => !n.startsWith(".") && !n.startsWith("_") && extname(n).toLowerCase() in EXTENSIONS,
      );
      names.sort();
      for (const n of names) out.push(join(p, n));
    } else {
      out.push(p);
    }
  }
  return out;
}

/** Reads the file once: hashes it and classifies its bytes. */
export async function sniffFile(path: string): Promise<InputFile> {
  const name = basename(path);
  const ext = extname(name).toLowerCase();
  let format = EXTENSIONS[ext];
  if (!format) throw new InputFileError("E_FORMAT", name, `unsupported file type "${ext || "(none)"}"`);

  const hash = createHash("sha256");
  let head: Buffer | undefined;
  let utf8: TextDecoder | undefined = new TextDecoder("utf-8", { fatal: true });
  let gb: TextDecoder | undefined = new TextDecoder("gb18030", { fatal: true });
  let hasNul = false;
  /** The UTF-8 decoder holds the start of a character split between chunks. */
  let pending = false;
  let size = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
    if (!head) head = chunk.subarray(0, 8);
    if (format === "parquet") continue;
    if (!hasNul && chunk.includes(0)) hasNul = true;
    if (utf8) {
      // A chunk of whole, valid UTF-8 characters after a character boundary leaves the streaming decoder
      // as it was, so the (much faster) validator stands in for decoding it.
      if (pending || !isUtf8(chunk)) {
        try {
          utf8.decode(chunk, { stream: true });
          pending = !endsOnCharBoundary(chunk);
        } catch {
          utf8 = undefined;
        }
      }
    }
    if (gb && !utf8) {
      try {
        gb.decode(chunk, { stream: true });
      } catch {
        gb = undefined;
      }
    }
  }
  head ??= Buffer.alloc(0);
  const sha256 = hash.digest("hex");

  if (format === "parquet" || head.subarray(0, 4).toString("latin1") === "PAR1") {
    if (head.subarray(0, 4).toString("latin1") !== "PAR1") {
      throw new InputFileError("E_FORMAT", name, "not a Parquet file (no PAR1 magic)");
    }
    return { path, name, size, sha256, format: "parquet", encoding: "binary" };
  }
  if (head[0] === 0xff && head[1] === 0xfe) return { path, name, size, sha256, format, encoding: "utf-16le" };
  if (head[0] === 0xfe && head[1] === 0xff) return { path, name, size, sha256, format, encoding: "utf-16be" };
  if (head.subarray(0, 2).toString("latin1") === "PK") {
    throw new InputFileError("E_FORMAT", name, "looks like a ZIP/Excel workbook, not text; export it as CSV");
  }
  if (hasNul) throw new InputFileError("E_FORMAT", name, "contains NUL bytes: not a text file");
  if (utf8) {
    try {
      utf8.decode();
    } catch {
      utf8 = undefined;
    }
  }
  if (utf8) {
    const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf;
    if (format === "json") format = await jsonFlavour(path);
    return { path, name, size, sha256, format, encoding: bom ? "utf-8-bom" : "utf-8" };
  }
  if (gb) {
    try {
      gb.decode();
    } catch {
      gb = undefined;
    }
  }
  if (gb) {
    if (format === "json") format = await jsonFlavour(path);
    return { path, name, size, sha256, format, encoding: "gb18030" };
  }
  throw new InputFileError("E_ENCODING", name, "text is neither UTF-8 nor GBK/GB18030");
}

/** Whether a byte string that is valid UTF-8 so far ends after a whole character (not inside one). */
function endsOnCharBoundary(chunk: Buffer): boolean {
  let i = chunk.length - 1;
  while (i >= 0 && chunk.length - i <= 4 && ((chunk[i] ?? 0) & 0xc0) === 0x80) i--;
  if (i < 0) return chunk.length === 0;
  const lead = chunk[i] ?? 0;
  const need = lead < 0x80 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
  return chunk.length - i === need;
}

/**
 * A `.json` file holding one object per line is NDJSON; one starting with `[` is a JSON array.
 * Decided on the first non-blank byte, which is ASCII in every supported encoding.
 */
async function jsonFlavour(path: string): Promise<Format> {
  for await (const chunk of createReadStream(path, { start: 0, end: 4095 }) as AsyncIterable<Buffer>) {
    const first = chunk
      .toString("latin1")
      .replace(/^\xEF\xBB\xBF/, "")
      .trimStart()[0];
    return first === "[" ? "json" : "ndjson";
  }
  return "json";
}

/** Writes a UTF-8 copy (without BOM) of a text file in another encoding, streaming. */
export async function transcodeToUtf8(file: InputFile, outPath: string): Promise<void> {
  const label = file.encoding === "gb18030" ? "gb18030" : file.encoding;
  const decoder = new TextDecoder(label, { fatal: true, ignoreBOM: false });
  await pipeline(
    createReadStream(file.path),
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) yield Buffer.from(decoder.decode(chunk, { stream: true }), "utf8");
      const tail = decoder.decode();
      if (tail) yield Buffer.from(tail, "utf8");
    },
    createWriteStream(outPath),
  );
}
