// Input formats of `ledis load`: each turns a stream of bytes into bulk items
// `{ command, args, line, offset }`, or a LineError for what does not parse.
// Memory is bounded by one line (one command, for resp) plus one chunk.
import { DataError } from '../errors.js';

/** A command read from the input, with where it started. */
export interface LoadItem {
  command: string | Buffer;
  args: unknown[];
  /** 1-based line number where the command starts. */
  line: number;
  /** Byte offset where the command starts. */
  offset: number;
}

/** A line (or RESP command) that does not parse. */
export class LineError extends DataError {
  override name = 'LineError';
  constructor(
    message: string,
    readonly line: number,
    readonly offset: number,
  ) {
    super(message);
  }
}

export type Format = 'resp' | 'text' | 'ndjson' | 'csv' | 'tsv';
export const FORMATS: readonly Format[] = ['resp', 'text', 'ndjson', 'csv', 'tsv'];

/** The format named by a file's extension (after any .gz), or null. */
export function formatOf(path: string): Format | null {
  const m = /\.([a-z]+)(?:\.gz)?$/i.exec(path);
  if (m === null) return null;
  const ext = (m[1] as string).toLowerCase();
  if (ext === 'resp' || ext === 'text' || ext === 'ndjson' || ext === 'csv' || ext === 'tsv') return ext;
  if (ext === 'txt' || ext === 'redis') return 'text';
  if (ext === 'jsonl') return 'ndjson';
  return null;
}

/** Default most bytes of one line (one command, for resp): 64 MiB. A longer line is that line's error; the load goes on. */
export const DEFAULT_MAX_LINE = 64 * 1024 * 1024;

/** A line of bytes, without its line ending, with its 1-based number and byte offset; `bytes` null when it is longer than the maximum (then `length` says how long). */
export interface Line {
  bytes: Buffer | null;
  line: number;
  offset: number;
  /** Bytes of the line without its LF (a CR before it counts). */
  length: number;
}

/**
 * Splits a byte stream into lines (LF or CRLF), yielded as one array per
 * input chunk (one async step per chunk, not per line); a line split across
 * chunks is joined once. A line longer than `maxLine` bytes is not held: its bytes
 * are dropped as they arrive and it comes out with `bytes: null`. Time is
 * linear in the input, memory at most one line of `maxLine` plus one chunk.
 * `maxLine` counts the bytes before the LF (a CR of a CRLF included).
 */
/** Lines of the input read so far, blank ones included (the formats update it as they read). */
export interface ReadCount {
  lines: number;
}

export async function* lines(chunks: AsyncIterable<Buffer>, maxLine = DEFAULT_MAX_LINE, count?: ReadCount): AsyncGenerator<Line[], void, undefined> {
  let tail: Buffer[] = [];
  let tailLength = 0;
  /** The current line's length so far when it is over the maximum (its bytes dropped), else -1. */
  let dropped = -1;
  let lineNo = 0;
  let offset = 0;
  for await (const chunk of chunks) {
    let start = 0;
    const batch: Line[] = [];
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) break;
      let bytes: Buffer | null = chunk.subarray(start, nl);
      let length = bytes.length + tailLength;
      if (dropped >= 0) {
        length = dropped + bytes.length;
        bytes = null;
        dropped = -1;
      } else if (length > maxLine) {
        bytes = null;
      } else if (tailLength > 0) {
        tail.push(bytes);
        bytes = Buffer.concat(tail, length);
      }
      tail = [];
      tailLength = 0;
      if (bytes !== null && bytes.length > 0 && bytes[bytes.length - 1] === 13) bytes = bytes.subarray(0, bytes.length - 1);
      if (lineNo === 0 && bytes !== null) bytes = withoutBom(bytes);
      batch.push({ bytes, line: ++lineNo, offset, length });
      offset += length + 1;
      start = nl + 1;
    }
    if (count !== undefined) count.lines = lineNo;
    if (batch.length > 0) yield batch;
    if (start < chunk.length) {
      const rest = chunk.length - start;
      if (dropped >= 0) dropped += rest;
      else if (tailLength + rest > maxLine) {
        dropped = tailLength + rest;
        tail = [];
        tailLength = 0;
      } else {
        tail.push(chunk.subarray(start));
        tailLength += rest;
      }
    }
  }
  if (count !== undefined) count.lines = lineNo + (dropped >= 0 || tailLength > 0 ? 1 : 0);
  if (dropped >= 0) {
    yield [{ bytes: null, line: ++lineNo, offset, length: dropped }];
  } else if (tailLength > 0) {
    let bytes = Buffer.concat(tail, tailLength);
    if (bytes[bytes.length - 1] === 13) bytes = bytes.subarray(0, bytes.length - 1);
    if (lineNo === 0) bytes = withoutBom(bytes);
    yield [{ bytes, line: ++lineNo, offset, length: tailLength }];
  }
}

/** The message of a line over the maximum. */
export function tooLong(length: number, maxLine: number): string {
  return `line of ${length} bytes is longer than the maximum of ${maxLine} (--max-line); skipped`;
}

/** The first line without a UTF-8 byte order mark (EF BB BF), which editors on Windows put at the start of text files; offsets still count it. */
function withoutBom<B extends Buffer>(bytes: B): B {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? (bytes.subarray(3) as B) : bytes;
}

/** Bytes of an argument as sent: a string when ASCII (cheaper to send), else a copy of the exact bytes (UTF-8 text stays exact). */
function argOf(bytes: Buffer): string | Buffer {
  for (let i = 0; i < bytes.length; i++) if ((bytes[i] as number) > 127) return Buffer.from(bytes);
  return bytes.toString('latin1');
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

const ESCAPES: Record<number, number> = { 110: 10, 114: 13, 116: 9, 98: 8, 97: 7 };

/**
 * Splits one line by redis-cli's rules (sdssplitargs): arguments separated by
 * blanks; "double quotes" with \xHH, \n, \r, \t, \b, \a, \\ and \" escapes;
 * 'single quotes' literal except \'; a closing quote must be followed by a
 * blank or the end of the line. Throws a message for unbalanced quotes.
 * Linear in the line: runs of plain bytes are sliced, not copied a byte at a time.
 */
export function splitArgs(bytes: Buffer): Array<string | Buffer> {
  const out: Array<string | Buffer> = [];
  const n = bytes.length;
  let i = 0;
  for (;;) {
    while (i < n && isBlank(bytes[i] as number)) i++;
    if (i >= n) return out;
    /** Pieces of the current argument: slices of the line and single escaped bytes. */
    const pieces: Buffer[] = [];
    let run = i;
    const cut = (to: number) => {
      if (to > run) pieces.push(bytes.subarray(run, to));
    };
    let inDq = false;
    let inSq = false;
    for (;;) {
      if (inDq) {
        if (i >= n) throw new Error('unbalanced double quotes');
        const c = bytes[i] as number;
        if (c === 92 && i + 3 < n && bytes[i + 1] === 120 && hexValue(bytes[i + 2] as number) >= 0 && hexValue(bytes[i + 3] as number) >= 0) {
          cut(i);
          pieces.push(Buffer.from([hexValue(bytes[i + 2] as number) * 16 + hexValue(bytes[i + 3] as number)]));
          i += 4;
          run = i;
          continue;
        } else if (c === 92 && i + 1 < n) {
          cut(i);
          const e = bytes[i + 1] as number;
          pieces.push(Buffer.from([ESCAPES[e] ?? e]));
          i += 2;
          run = i;
          continue;
        } else if (c === 34) {
          if (i + 1 < n && !isBlank(bytes[i + 1] as number)) throw new Error('closing quote must be followed by a space');
          cut(i);
          i++;
          break;
        }
      } else if (inSq) {
        if (i >= n) throw new Error('unbalanced single quotes');
        const c = bytes[i] as number;
        if (c === 92 && bytes[i + 1] === 39) {
          cut(i);
          pieces.push(Buffer.from([39]));
          i += 2;
          run = i;
          continue;
        } else if (c === 39) {
          if (i + 1 < n && !isBlank(bytes[i + 1] as number)) throw new Error('closing quote must be followed by a space');
          cut(i);
          i++;
          break;
        }
      } else {
        if (i >= n) {
          cut(i);
          break;
        }
        const c = bytes[i] as number;
        if (isBlank(c)) {
          cut(i);
          break;
        }
        if (c === 34 || c === 39) {
          cut(i);
          if (c === 34) inDq = true;
          else inSq = true;
          i++;
          run = i;
          continue;
        }
      }
      i++;
    }
    out.push(argOf(pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces)));
  }
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
}

/** One batch of items (per input chunk): `ledis load` takes a chunk's items in one async step, not one per line. */
export type ItemBatch = Array<LoadItem | LineError>;

/** `text`: one command per line, redis-cli quoting; blank lines are skipped. Yields the items of each input chunk as one array. */
export async function* textItems(chunks: AsyncIterable<Buffer>, maxLine = DEFAULT_MAX_LINE, count?: ReadCount): AsyncGenerator<ItemBatch, void, undefined> {
  for await (const batch of lines(chunks, maxLine, count)) {
    const out: ItemBatch = [];
    for (const l of batch) {
      if (l.bytes === null) {
        out.push(new LineError(tooLong(l.length, maxLine), l.line, l.offset));
        continue;
      }
      let args: Array<string | Buffer>;
      try {
        args = splitArgs(l.bytes);
      } catch (err) {
        out.push(new LineError((err as Error).message, l.line, l.offset));
        continue;
      }
      if (args.length === 0) continue;
      const command = args[0] as string | Buffer;
      args.shift();
      out.push({ command, args, line: l.line, offset: l.offset });
    }
    if (out.length > 0) yield out;
  }
}

/** Decodes one ndjson element: a string, a finite number, or `{"base64": "..."}` for bytes that are not UTF-8. */
export function ndjsonArg(v: unknown, position: number): string | number | Buffer {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const keys = Object.keys(v);
    const b64 = (v as { base64?: unknown }).base64;
    if (keys.length === 1 && typeof b64 === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(b64) && b64.length % 4 === 0) {
      return Buffer.from(b64, 'base64');
    }
  }
  throw new Error(`element ${position} must be a string, a number or {"base64": "..."}, got ${JSON.stringify(v)?.slice(0, 60) ?? typeof v}`);
}

/** One word of an ndjson object template: literal text, a whole field (by path), or text with `{path}` placeholders. */
type TemplatePart = { kind: 'literal'; value: string } | { kind: 'field'; path: string[]; name: string } | { kind: 'mixed'; pieces: Array<string | { path: string[]; name: string }> };

/**
 * Compiles `--template` for ndjson objects: words split by the `text` rules,
 * `{path}` replaced by the object's field at that dotted path (`{user.id}`,
 * `{tags.0}` for an array element). Throws DataError for an empty template
 * or one that does not start with the command name.
 */
export function compileObjectTemplate(template: string): TemplatePart[] {
  let words: Array<string | Buffer>;
  try {
    words = splitArgs(Buffer.from(template, 'utf8'));
  } catch (err) {
    throw new DataError(`--template: ${(err as Error).message}`);
  }
  if (words.length === 0) throw new DataError('--template is empty');
  const field = (name: string) => ({ path: name.split('.'), name });
  const parts: TemplatePart[] = words.map((w) => {
    const word = typeof w === 'string' ? w : w.toString('utf8');
    const whole = /^\{([^{}]+)\}$/.exec(word);
    if (whole !== null) return { kind: 'field', ...field(whole[1] as string) };
    if (!/\{[^{}]+\}/.test(word)) return { kind: 'literal', value: word };
    const pieces: Array<string | { path: string[]; name: string }> = [];
    let last = 0;
    for (const m of word.matchAll(/\{([^{}]+)\}/g)) {
      if (m.index > last) pieces.push(word.slice(last, m.index));
      pieces.push(field(m[1] as string));
      last = m.index + m[0].length;
    }
    if (last < word.length) pieces.push(word.slice(last));
    return { kind: 'mixed', pieces };
  });
  if (parts[0]?.kind !== 'literal') throw new DataError('--template must start with the command name');
  return parts;
}

/** The value at `path` in `obj` as an argument: strings as they are, numbers and booleans as text, {"base64"} as bytes, other objects and arrays as JSON text. */
function fieldValue(obj: unknown, f: { path: string[]; name: string }): string | Buffer {
  let v: unknown = obj;
  for (const step of f.path) {
    if (v === null || typeof v !== 'object' || !Object.prototype.hasOwnProperty.call(v, step)) throw new Error(`field {${f.name}} is missing`);
    v = (v as Record<string, unknown>)[step];
  }
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null) throw new Error(`field {${f.name}} is null`);
  const b64 = (v as { base64?: unknown }).base64;
  if (!Array.isArray(v) && Object.keys(v as object).length === 1 && typeof b64 === 'string') return ndjsonArg(v, 0) as Buffer;
  return JSON.stringify(v);
}

function applyObjectTemplate(parts: readonly TemplatePart[], obj: unknown): Array<string | Buffer> {
  const out: Array<string | Buffer> = [];
  for (const p of parts) {
    if (p.kind === 'literal') out.push(p.value);
    else if (p.kind === 'field') out.push(fieldValue(obj, p));
    else {
      let s = '';
      for (const piece of p.pieces) {
        if (typeof piece === 'string') s += piece;
        else {
          const v = fieldValue(obj, piece);
          s += typeof v === 'string' ? v : v.toString('utf8');
        }
      }
      out.push(s);
    }
  }
  return out;
}

/**
 * `ndjson`: one JSON array per line (`["ZADD","board",42,"ann"]`), or with
 * `template` one JSON object per line turned into a command by it (an array
 * line is still a command); blank lines are skipped.
 */
export async function* ndjsonItems(chunks: AsyncIterable<Buffer>, maxLine = DEFAULT_MAX_LINE, template?: string, count?: ReadCount): AsyncGenerator<ItemBatch, void, undefined> {
  const parts = template === undefined ? null : compileObjectTemplate(template);
  for await (const batch of lines(chunks, maxLine, count)) {
    const out: ItemBatch = [];
    for (const l of batch) {
      if (l.bytes === null) {
        out.push(new LineError(tooLong(l.length, maxLine), l.line, l.offset));
        continue;
      }
      if (l.bytes.length === 0 || /^\s*$/.test(l.bytes.toString('latin1'))) continue;
      let item: LoadItem;
      try {
        let v: unknown;
        try {
          v = JSON.parse(l.bytes.toString('utf8'));
        } catch (err) {
          throw new Error(`not JSON: ${(err as Error).message}`);
        }
        if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
          if (parts === null) throw new Error("a JSON object needs --template, e.g. --template 'HMSET user:{id} name {name}'");
          const words = applyObjectTemplate(parts, v);
          item = { command: words[0] as string, args: words.slice(1), line: l.line, offset: l.offset };
        } else {
          if (!Array.isArray(v) || v.length === 0) throw new Error(parts === null ? 'expected a non-empty JSON array' : 'expected a JSON object or a non-empty JSON array');
          const args: unknown[] = [];
          for (let i = 1; i < v.length; i++) args.push(ndjsonArg(v[i], i));
          item = { command: ndjsonArg(v[0], 0) as string, args, line: l.line, offset: l.offset };
        }
      } catch (err) {
        out.push(new LineError((err as Error).message, l.line, l.offset));
        continue;
      }
      out.push(item);
    }
    if (out.length > 0) yield out;
  }
}

/** Largest RESP bulk string accepted (Redis's proto-max-bulk-len default). */
const MAX_BULK = 512 * 1024 * 1024;
const MAX_ARGS = 1024 * 1024;

class Incomplete {
  constructor(readonly need: number) {}
}

/** How to drop the rest of a command that cannot be held: up to and including the next LF ('line'), to the next line that starts with '*' ('resync'), or a bulk string's bytes and then `args` more bulk strings. */
type Skip = 'line' | 'resync' | { bytes: number; args: number };

/** A command that is dropped: its error (reported at once) and how its bytes are skipped from `end`. */
interface Dropped {
  item: LineError;
  end: number;
  skip: Skip;
}

/**
 * `resp`: a RESP command stream as `redis-cli --pipe` takes it (arrays of
 * bulk strings). A line that does not start with `*` is an inline command,
 * split by the `text` rules. After a framing error, reading resumes at the
 * next line that starts with `*`. A command (or inline line) longer than
 * `maxLine` bytes is that command's error: its bytes are dropped as they
 * arrive, never held. Linear in the input.
 */
export async function* respItems(chunks: AsyncIterable<Buffer>, maxLine = DEFAULT_MAX_LINE, count?: ReadCount): AsyncGenerator<ItemBatch, void, undefined> {
  let buf: Buffer = Buffer.alloc(0);
  let pos = 0;
  let pending: Buffer[] = [];
  let pendingLength = 0;
  /** Total bytes needed in `buf` (from `pos`) before a parse can get further. */
  let need = 1;
  /** Byte offset of buf[pos] in the stream, and line number at buf[pos]. */
  let base = 0;
  let lineAtBase = 1;
  let skip: Skip | null = null;
  const advance = (to: number) => {
    lineAtBase += countLines(buf, pos, to);
    base += to - pos;
    pos = to;
  };
  /** Drops what `skip` says from buf; true when done, false when it needs more input. */
  const skipping = (atEnd: boolean): boolean => {
    for (;;) {
      if (skip === null) return true;
      if (skip === 'line' || skip === 'resync') {
        const nl = buf.indexOf(10, pos);
        if (nl === -1) {
          advance(buf.length);
          return atEnd ? ((skip = null), true) : false;
        }
        if (skip === 'line') {
          advance(nl + 1);
          skip = null;
          return true;
        }
        if (nl + 1 >= buf.length) {
          advance(nl);
          if (atEnd) {
            advance(buf.length);
            skip = null;
            return true;
          }
          return false;
        }
        advance(nl + 1);
        if (buf[pos] === 42) skip = null;
        continue;
      }
      if (skip.bytes > 0) {
        const take = Math.min(skip.bytes, buf.length - pos);
        advance(pos + take);
        skip.bytes -= take;
        if (skip.bytes > 0) return atEnd ? ((skip = null), true) : false;
      }
      if (skip.args === 0) {
        skip = null;
        return true;
      }
      const b = header(buf, pos, 36);
      if (b instanceof Incomplete) {
        if (!atEnd) return false;
        advance(buf.length);
        skip = null;
        return true;
      }
      if (typeof b === 'string' || b.n < 0) {
        skip = 'resync';
        continue;
      }
      advance(b.next);
      skip = { bytes: b.n + 2, args: skip.args - 1 };
    }
  };
  /** Parses what buf holds from pos into `out`; sets `need` when it needs more. */
  function parse(atEnd: boolean, out: ItemBatch): void {
    for (;;) {
      if (!skipping(atEnd)) {
        need = 1;
        return;
      }
      if (pos >= buf.length) {
        need = 1;
        return;
      }
      const r = parseRespCommand(buf, pos, base, lineAtBase, maxLine, atEnd);
      if (r instanceof Incomplete) {
        if (atEnd) {
          out.push(new LineError('the input ends in the middle of a command', lineAtBase, base));
          advance(buf.length);
          return;
        }
        const held = buf.length - pos;
        // Exactly what is missing for a small command; for a big one at least double what is held, so a
        // command split over many chunks is re-parsed a logarithmic number of times (linear overall).
        need = held < 65536 ? r.need - pos : Math.min(Math.max(r.need - pos, 2 * held), maxLine + 64);
        return;
      }
      if ('skip' in r) {
        out.push(r.item);
        advance(r.end);
        skip = r.skip;
        continue;
      }
      if (r.lines >= 0) {
        // A well-formed command: its line count is known from the parse, no second pass over its bytes.
        lineAtBase += r.lines;
        base += r.end - pos;
        pos = r.end;
      } else advance(r.end);
      if (r.item !== null) out.push(r.item);
    }
  }
  for await (const chunk of chunks) {
    pending.push(chunk);
    pendingLength += chunk.length;
    if (buf.length - pos + pendingLength < need) continue;
    const rest = buf.length - pos;
    buf = rest === 0 && pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat([buf.subarray(pos), ...pending], rest + pendingLength);
    pos = 0;
    pending = [];
    pendingLength = 0;
    const out: ItemBatch = [];
    parse(false, out);
    if (out.length > 0) yield out;
  }
  if (pendingLength > 0 || pos < buf.length) {
    buf = Buffer.concat([buf.subarray(pos), ...pending]);
    pos = 0;
    pending = [];
  }
  const out: ItemBatch = [];
  parse(true, out);
  // Every byte consumed: the lines ended by an LF (a last line without one has an item or error of its own).
  if (count !== undefined) count.lines = lineAtBase - 1;
  if (out.length > 0) yield out;
}

function countLines(buf: Buffer, from: number, to: number): number {
  let n = 0;
  let i = buf.indexOf(10, from);
  while (i !== -1 && i < to) {
    n++;
    i = buf.indexOf(10, i + 1);
  }
  return n;
}

interface Parsed {
  item: LoadItem | LineError | null;
  end: number;
  /** LFs from the start to `end` when counted by the parse, else -1 (then counted on advance). */
  lines: number;
}

/** Reads a `<prefix><integer>\r\n` header at pos; the integer and the position after the line, or Incomplete / an error message. */
function header(buf: Buffer, pos: number, prefix: number): { n: number; next: number } | Incomplete | string {
  // Fast path: `<prefix><1-12 digits>\r\n` read in place (the slow path below gives every other answer and every message).
  if (buf[pos] === prefix) {
    let n = 0;
    let j = pos + 1;
    const limit = Math.min(buf.length, pos + 13);
    while (j < limit) {
      const c = buf[j] as number;
      if (c < 48 || c > 57) break;
      n = n * 10 + (c - 48);
      j++;
    }
    if (j > pos + 1 && j + 1 < buf.length && buf[j] === 13 && buf[j + 1] === 10) return { n, next: j + 2 };
  }
  return headerSlow(buf, pos, prefix);
}

function headerSlow(buf: Buffer, pos: number, prefix: number): { n: number; next: number } | Incomplete | string {
  const cr = buf.indexOf(13, pos);
  if (cr === -1 || cr + 1 >= buf.length) {
    if (buf.length - pos > 32) return `expected ${String.fromCharCode(prefix)}<length>\\r\\n`;
    return new Incomplete(buf.length + 1);
  }
  if (buf[cr + 1] !== 10) return 'expected \\n after \\r';
  if (buf[pos] !== prefix) return `expected '${String.fromCharCode(prefix)}', got ${JSON.stringify(String.fromCharCode(buf[pos] as number))}`;
  const text = buf.toString('latin1', pos + 1, cr);
  if (!/^-?\d{1,12}$/.test(text)) return `bad length ${JSON.stringify(text.slice(0, 20))}`;
  return { n: Number(text), next: cr + 2 };
}

/** Where reading resumes after a framing error: the next line starting with '*' after `from`, or Incomplete. */
function resync(buf: Buffer, from: number, atEnd: boolean): number | Incomplete {
  let i = buf.indexOf(10, from);
  while (i !== -1) {
    if (i + 1 >= buf.length) return atEnd ? buf.length : new Incomplete(buf.length + 1);
    if (buf[i + 1] === 42) return i + 1;
    i = buf.indexOf(10, i + 1);
  }
  return atEnd ? buf.length : new Incomplete(buf.length + 1);
}

function parseRespCommand(buf: Buffer, pos: number, base: number, line: number, maxLine: number, atEnd = false): Parsed | Dropped | Incomplete {
  const first = buf[pos] as number;
  const offset = base;
  if (first === 10 || first === 13) {
    // Blank line between commands.
    return { item: null, end: first === 13 && buf[pos + 1] === 10 ? pos + 2 : pos + 1, lines: -1 };
  }
  const fail = (message: string): Parsed | Dropped | Incomplete => {
    const end = resync(buf, pos, atEnd);
    if (end instanceof Incomplete) {
      // No next command in what is held: report now and drop bytes as they come, rather than hold them.
      return buf.length - pos > maxLine ? { item: new LineError(message, line, offset), end: pos, skip: 'resync' } : end;
    }
    return { item: new LineError(message, line, offset), end, lines: -1 };
  };
  if (first !== 42) {
    // An inline command: one text line.
    let nl = buf.indexOf(10, pos);
    if (nl === -1) {
      if (buf.length - pos > maxLine) return { item: new LineError(tooLong(buf.length - pos, maxLine).replace(/ bytes is/, '+ bytes is'), line, offset), end: pos, skip: 'line' };
      if (!atEnd) return new Incomplete(buf.length + 1);
      nl = buf.length;
    }
    if (nl - pos > maxLine) return { item: new LineError(tooLong(nl - pos, maxLine), line, offset), end: nl + 1, lines: -1 };
    let args: Array<string | Buffer>;
    try {
      args = splitArgs(buf.subarray(pos, nl));
    } catch (err) {
      return { item: new LineError((err as Error).message, line, offset), end: nl + 1, lines: -1 };
    }
    const [command, ...rest] = args;
    return { item: command === undefined ? null : { command, args: rest, line, offset }, end: nl + 1, lines: -1 };
  }
  const h = header(buf, pos, 42);
  if (h instanceof Incomplete) return atEnd ? fail('the input ends in the middle of a command') : h;
  if (typeof h === 'string') return fail(h);
  if (h.n < 1 || h.n > MAX_ARGS) return fail(`bad argument count ${h.n}`);
  let p = h.next;
  // Arguments are converted as they are framed (no slice per argument): ASCII as a string (cheaper to
  // send), anything else as its exact bytes, copied out of the read buffer. LFs are counted on the way.
  let name = '';
  const args: Array<string | Buffer> = [];
  let lfs = 1;
  for (let i = 0; i < h.n; i++) {
    if (p >= buf.length) return atEnd ? fail('the input ends in the middle of a command') : new Incomplete(p + 1);
    const b = header(buf, p, 36);
    if (b instanceof Incomplete) return atEnd ? fail('the input ends in the middle of a command') : b;
    if (typeof b === 'string') return fail(`argument ${i + 1}: ${b}`);
    if (b.n < 0 || b.n > MAX_BULK) return fail(`argument ${i + 1}: bad bulk length ${b.n}`);
    const end = b.next + b.n;
    if (end - pos > maxLine) {
      return { item: new LineError(`command longer than the maximum of ${maxLine} bytes (--max-line); skipped`, line, offset), end: b.next, skip: { bytes: b.n + 2, args: h.n - i - 1 } };
    }
    if (end + 2 > buf.length) return atEnd ? fail('the input ends in the middle of a command') : new Incomplete(end + 2);
    if (buf[end] !== 13 || buf[end + 1] !== 10) return fail(`argument ${i + 1}: bulk string not followed by \\r\\n`);
    let ascii = true;
    for (let k = b.next; k < end; k++) {
      const c = buf[k] as number;
      if (c > 127) ascii = false;
      else if (c === 10) lfs++;
    }
    lfs += 2;
    if (i === 0) name = latin1(buf, b.next, end);
    else args.push(ascii ? latin1(buf, b.next, end) : Buffer.from(buf.subarray(b.next, end)));
    p = end + 2;
  }
  return { item: { command: name, args, line, offset }, end: p, lines: lfs };
}

type Latin1Slicing = Buffer & { latin1Slice?: (start: number, end: number) => string };

/** buf's bytes start..end as a latin1 string (Buffer#latin1Slice where the runtime has it: toString's argument checks cost more than a short slice). */
function latin1(buf: Buffer, start: number, end: number): string {
  const f = (buf as Latin1Slicing).latin1Slice;
  return typeof f === 'function' ? f.call(buf, start, end) : buf.toString('latin1', start, end);
}

function isAscii(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if ((b[i] as number) > 127) return false;
  return true;
}
