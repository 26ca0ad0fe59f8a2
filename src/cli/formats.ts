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

/** A line of bytes, without its line ending, with its 1-based number and byte offset. */
export interface Line {
  bytes: Buffer;
  line: number;
  offset: number;
}

/** Splits a byte stream into lines (LF or CRLF); a line split across chunks is joined once. */
export async function* lines(chunks: AsyncIterable<Buffer>): AsyncGenerator<Line, void, undefined> {
  let tail: Buffer[] = [];
  let tailLength = 0;
  let lineNo = 0;
  let offset = 0;
  for await (const chunk of chunks) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) break;
      let bytes = chunk.subarray(start, nl);
      if (tailLength > 0) {
        tail.push(bytes);
        bytes = Buffer.concat(tail, tailLength + bytes.length);
        tail = [];
        tailLength = 0;
      }
      const length = bytes.length + 1;
      if (bytes.length > 0 && bytes[bytes.length - 1] === 13) bytes = bytes.subarray(0, bytes.length - 1);
      if (lineNo === 0) bytes = withoutBom(bytes);
      yield { bytes, line: ++lineNo, offset };
      offset += length;
      start = nl + 1;
    }
    if (start < chunk.length) {
      tail.push(chunk.subarray(start));
      tailLength += chunk.length - start;
    }
  }
  if (tailLength > 0) {
    let bytes = Buffer.concat(tail, tailLength);
    if (bytes[bytes.length - 1] === 13) bytes = bytes.subarray(0, bytes.length - 1);
    if (lineNo === 0) bytes = withoutBom(bytes);
    yield { bytes, line: ++lineNo, offset };
  }
}

/** The first line without a UTF-8 byte order mark (EF BB BF), which editors on Windows put at the start of text files; offsets still count it. */
function withoutBom<B extends Buffer>(bytes: B): B {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? (bytes.subarray(3) as B) : bytes;
}

/** A latin1 string (one char per byte) as an argument: the string itself when ASCII, else the bytes (UTF-8 text then stays exact). */
function argOf(latin1: string): string | Buffer {
  for (let i = 0; i < latin1.length; i++) {
    if (latin1.charCodeAt(i) > 127) {
      const b = Buffer.from(latin1, 'latin1');
      return b;
    }
  }
  return latin1;
}

const HEX = /^[0-9a-fA-F]{2}$/;

/**
 * Splits one line by redis-cli's rules (sdssplitargs): arguments separated by
 * blanks; "double quotes" with \xHH, \n, \r, \t, \b, \a, \\ and \" escapes;
 * 'single quotes' literal except \'; a closing quote must be followed by a
 * blank or the end of the line. Throws a message for unbalanced quotes.
 */
export function splitArgs(bytes: Buffer): Array<string | Buffer> {
  const s = bytes.toString('latin1');
  const out: Array<string | Buffer> = [];
  let i = 0;
  const n = s.length;
  for (;;) {
    while (i < n && isBlank(s.charCodeAt(i))) i++;
    if (i >= n) return out;
    let cur = '';
    let inDq = false;
    let inSq = false;
    for (;;) {
      if (inDq) {
        if (i >= n) throw new Error('unbalanced double quotes');
        const c = s[i] as string;
        if (c === '\\' && i + 3 < n && s[i + 1] === 'x' && HEX.test(s.slice(i + 2, i + 4))) {
          cur += String.fromCharCode(parseInt(s.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (c === '\\' && i + 1 < n) {
          i++;
          const e = s[i] as string;
          cur += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (c === '"') {
          if (i + 1 < n && !isBlank(s.charCodeAt(i + 1))) throw new Error('closing quote must be followed by a space');
          inDq = false;
          i++;
          break;
        } else {
          cur += c;
        }
      } else if (inSq) {
        if (i >= n) throw new Error('unbalanced single quotes');
        const c = s[i] as string;
        if (c === '\\' && s[i + 1] === "'") {
          i++;
          cur += "'";
        } else if (c === "'") {
          if (i + 1 < n && !isBlank(s.charCodeAt(i + 1))) throw new Error('closing quote must be followed by a space');
          inSq = false;
          i++;
          break;
        } else {
          cur += c;
        }
      } else {
        if (i >= n) break;
        const code = s.charCodeAt(i);
        if (isBlank(code)) break;
        if (code === 34) inDq = true;
        else if (code === 39) inSq = true;
        else cur += s[i];
      }
      i++;
    }
    out.push(argOf(cur));
  }
}

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
}

/** `text`: one command per line, redis-cli quoting; blank lines are skipped. */
export async function* textItems(chunks: AsyncIterable<Buffer>): AsyncGenerator<LoadItem | LineError, void, undefined> {
  for await (const l of lines(chunks)) {
    let args: Array<string | Buffer>;
    try {
      args = splitArgs(l.bytes);
    } catch (err) {
      yield new LineError((err as Error).message, l.line, l.offset);
      continue;
    }
    if (args.length === 0) continue;
    const [command, ...rest] = args;
    yield { command: command as string | Buffer, args: rest, line: l.line, offset: l.offset };
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

/** `ndjson`: one JSON array per line (`["ZADD","board",42,"ann"]`); blank lines are skipped. */
export async function* ndjsonItems(chunks: AsyncIterable<Buffer>): AsyncGenerator<LoadItem | LineError, void, undefined> {
  for await (const l of lines(chunks)) {
    if (l.bytes.length === 0 || /^\s*$/.test(l.bytes.toString('latin1'))) continue;
    let item: LoadItem;
    try {
      let v: unknown;
      try {
        v = JSON.parse(l.bytes.toString('utf8'));
      } catch (err) {
        throw new Error(`not JSON: ${(err as Error).message}`);
      }
      if (!Array.isArray(v) || v.length === 0) throw new Error('expected a non-empty JSON array');
      const args: unknown[] = [];
      for (let i = 1; i < v.length; i++) args.push(ndjsonArg(v[i], i));
      item = { command: ndjsonArg(v[0], 0) as string, args, line: l.line, offset: l.offset };
    } catch (err) {
      yield new LineError((err as Error).message, l.line, l.offset);
      continue;
    }
    yield item;
  }
}

/** Largest RESP bulk string accepted (Redis's proto-max-bulk-len default). */
const MAX_BULK = 512 * 1024 * 1024;
const MAX_ARGS = 1024 * 1024;

class Incomplete {
  constructor(readonly need: number) {}
}

/**
 * `resp`: a RESP command stream as `redis-cli --pipe` takes it (arrays of
 * bulk strings). A line that does not start with `*` is an inline command,
 * split by the `text` rules. After a framing error, reading resumes at the
 * next line that starts with `*`.
 */
export async function* respItems(chunks: AsyncIterable<Buffer>): AsyncGenerator<LoadItem | LineError, void, undefined> {
  let buf: Buffer = Buffer.alloc(0);
  let pending: Buffer[] = [];
  let pendingLength = 0;
  /** Total bytes needed in `buf` before a parse can get further. */
  let need = 1;
  /** Byte offset of buf[0] in the stream, and line number at buf[0]. */
  let base = 0;
  let lineAtBase = 1;
  for await (const chunk of chunks) {
    pending.push(chunk);
    pendingLength += chunk.length;
    if (buf.length + pendingLength < need) continue;
    buf = buf.length === 0 && pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat([buf, ...pending], buf.length + pendingLength);
    pending = [];
    pendingLength = 0;
    let pos = 0;
    for (;;) {
      const r = parseRespCommand(buf, pos, base, lineAtBase);
      if (r instanceof Incomplete) {
        need = r.need - pos;
        break;
      }
      lineAtBase += countLines(buf, pos, r.end);
      base += r.end - pos;
      pos = r.end;
      if (r.item !== null) yield r.item;
    }
    buf = buf.subarray(pos);
  }
  if (pendingLength > 0) buf = Buffer.concat([buf, ...pending]);
  if (buf.length > 0) {
    let pos = 0;
    while (pos < buf.length) {
      const r = parseRespCommand(buf, pos, base, lineAtBase, true);
      if (r instanceof Incomplete) {
        yield new LineError('the input ends in the middle of a command', lineAtBase, base);
        return;
      }
      lineAtBase += countLines(buf, pos, r.end);
      base += r.end - pos;
      pos = r.end;
      if (r.item !== null) yield r.item;
    }
  }
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
}

/** Reads a `<prefix><integer>\r\n` header at pos; the integer and the position after the line, or Incomplete / an error message. */
function header(buf: Buffer, pos: number, prefix: number): { n: number; next: number } | Incomplete | string {
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

function parseRespCommand(buf: Buffer, pos: number, base: number, line: number, atEnd = false): Parsed | Incomplete {
  const first = buf[pos] as number;
  const offset = base;
  if (first === 10 || first === 13) {
    // Blank line between commands.
    return { item: null, end: first === 13 && buf[pos + 1] === 10 ? pos + 2 : pos + 1 };
  }
  const fail = (message: string): Parsed | Incomplete => {
    const end = resync(buf, pos, atEnd);
    if (end instanceof Incomplete) return end;
    return { item: new LineError(message, line, offset), end };
  };
  if (first !== 42) {
    // An inline command: one text line.
    let nl = buf.indexOf(10, pos);
    if (nl === -1) {
      if (!atEnd) return new Incomplete(buf.length + 1);
      nl = buf.length;
    }
    let args: Array<string | Buffer>;
    try {
      args = splitArgs(buf.subarray(pos, nl));
    } catch (err) {
      return { item: new LineError((err as Error).message, line, offset), end: nl + 1 };
    }
    const [command, ...rest] = args;
    return { item: command === undefined ? null : { command, args: rest, line, offset }, end: nl + 1 };
  }
  const h = header(buf, pos, 42);
  if (h instanceof Incomplete) return atEnd ? fail('the input ends in the middle of a command') : h;
  if (typeof h === 'string') return fail(h);
  if (h.n < 1 || h.n > MAX_ARGS) return fail(`bad argument count ${h.n}`);
  let p = h.next;
  const parts: Buffer[] = [];
  for (let i = 0; i < h.n; i++) {
    if (p >= buf.length) return atEnd ? fail('the input ends in the middle of a command') : new Incomplete(p + 1);
    const b = header(buf, p, 36);
    if (b instanceof Incomplete) return atEnd ? fail('the input ends in the middle of a command') : b;
    if (typeof b === 'string') return fail(`argument ${i + 1}: ${b}`);
    if (b.n < 0 || b.n > MAX_BULK) return fail(`argument ${i + 1}: bad bulk length ${b.n}`);
    const end = b.next + b.n;
    if (end + 2 > buf.length) return atEnd ? fail('the input ends in the middle of a command') : new Incomplete(end + 2);
    if (buf[end] !== 13 || buf[end + 1] !== 10) return fail(`argument ${i + 1}: bulk string not followed by \\r\\n`);
    parts.push(buf.subarray(b.next, end));
    p = end + 2;
  }
  const name = (parts[0] as Buffer).toString('latin1');
  const args: Array<string | Buffer> = [];
  for (let i = 1; i < parts.length; i++) {
    const part = parts[i] as Buffer;
    // ASCII as a string (cheaper to send); anything else as its exact bytes, copied out of the read buffer.
    args.push(isAscii(part) ? part.toString('latin1') : Buffer.from(part));
  }
  return { item: { command: name, args, line, offset }, end: p };
}

function isAscii(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) if ((b[i] as number) > 127) return false;
  return true;
}
