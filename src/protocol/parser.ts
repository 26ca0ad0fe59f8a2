import { StringDecoder } from 'node:string_decoder';
import { ProtocolError, ResponseError } from '../errors.js';

/** A decoded RESP2 value. Errors inside arrays come out as ResponseError values. */
export type Reply = string | Buffer | number | bigint | null | ResponseError | Reply[];

const CR = 13;
const LF = 10;
const MINUS = 45;
const ZERO = 48;
const NINE = 57;
const PLUS = 43; // '+'
const DASH = 45; // '-'
const COLON = 58; // ':'
const DOLLAR = 36; // '$'
const STAR = 42; // '*'

/** Lines longer than this (a header or a simple string) are refused as hostile. */
const MAX_LINE = 64 * 1024 * 1024;
/** Bulk strings larger than this are refused (LedisDB's own limit is far below). */
const MAX_BULK = 512 * 1024 * 1024;
const MAX_ARRAY = 1 << 28;
/**
 * A split bulk string at least this long, wanted as a string, is decoded
 * piece by piece as its chunks arrive instead of being copied into one buffer
 * first (measured: half the cost for 100 KB values in 64 KiB chunks).
 */
const DECODE_AS_IT_COMES = 16 * 1024;
/** Marks `bulk` while a split bulk string is being decoded as it comes. */
const DECODING = Buffer.alloc(0);
/** Slots reserved up front for a nested array (see the STAR case). */
const NESTED_SLOTS = 16;
/** Bulk strings up to this long are decoded in JS when they are ASCII (see shortText). */
const SHORT = 8;

interface Frame {
  items: Reply[];
  index: number;
  /** The element count the header announced. */
  size: number;
}

// utf8Slice skips the argument checks of toString('utf8', start, end); it is
// measurably faster for the many small bulks of a hot GET loop. Likewise, in
// Buffer mode, Buffer#slice makes the same zero-copy view as subarray without
// going through TypedArray's species lookup (measured: bench/parser.bench.mjs).
interface SliceableBuffer extends Buffer {
  utf8Slice(start: number, end: number): string;
}

/**
 * An incremental RESP2 parser. Feed it socket chunks with `execute`; it calls
 * `onReply` once per complete top-level reply, in order. It keeps an offset
 * into the current chunk and, when a reply is split across chunks, resumes
 * where it stopped: a split header line is joined from its few leftover bytes,
 * a split bulk string is copied once into a buffer of its final size.
 *
 * `returnBuffers` is read at the start of every top-level reply, so the
 * consumer can set it per reply (from the command at the head of its queue).
 */
export class Parser {
  returnBuffers = false;

  private readonly onReply: (reply: Reply) => void;
  private buf: SliceableBuffer = Buffer.alloc(0) as SliceableBuffer;
  private pos = 0;
  private readonly stack: Frame[] = [];
  /** Bytes of a header line that started at the end of the previous chunk. */
  private partialLine: Buffer | null = null;
  /** A bulk string being filled across chunks. */
  private bulk: Buffer | null = null;
  private bulkFilled = 0;
  private bulkSize = 0;
  /** The text of a split bulk decoded so far (string mode, large bulks). */
  private bulkText: string | null = null;
  private decoder: StringDecoder | null = null;
  /** Bytes of the bulk's trailing CRLF already consumed (0..2). */
  private bulkTail = 0;
  private bulkAsBuffer = false;
  /** Buffer mode of the top-level reply in progress. */
  private mode = false;
  private failed: ProtocolError | null = null;

  constructor(onReply: (reply: Reply) => void) {
    this.onReply = onReply;
  }

  /** Forget any partial reply (after the connection is replaced). */
  reset(): void {
    this.buf = Buffer.alloc(0) as SliceableBuffer;
    this.pos = 0;
    this.stack.length = 0;
    this.partialLine = null;
    this.bulk = null;
    this.bulkText = null;
    this.decoder = null;
    this.bulkFilled = 0;
    this.bulkTail = 0;
    this.failed = null;
  }

  /** True while a reply has been started but not finished. */
  get inReply(): boolean {
    return this.stack.length > 0 || this.partialLine !== null || this.bulk !== null;
  }

  /**
   * Parses a chunk. Throws ProtocolError on malformed input; after that the
   * parser refuses further input until `reset()`.
   */
  execute(chunk: Buffer): void {
    if (this.failed) throw this.failed;
    if (chunk.length === 0) return;
    this.buf = chunk as SliceableBuffer;
    this.pos = 0;
    try {
      if (this.bulk !== null && !this.continueBulk()) return;
      if (this.partialLine !== null && !this.continueLine()) return;
      this.run(chunk as SliceableBuffer);
    } catch (err) {
      this.failed = err instanceof ProtocolError ? err : new ProtocolError(String(err));
      this.buf = Buffer.alloc(0) as SliceableBuffer;
      throw this.failed;
    }
  }

  /**
   * The main loop over a chunk. Bulk strings, integers and simple strings,
   * which are nearly every reply, are parsed here in one pass over their
   * bytes with locals only (the length or value is read while looking for
   * the CR); errors, arrays and anything split across chunks take `header`.
   */
  private run(buf: SliceableBuffer): void {
    const len = buf.length;
    const stack = this.stack;
    let pos = this.pos;
    while (pos < len) {
      const top = stack.length === 0;
      if (top) this.mode = this.returnBuffers;
      const type = buf[pos];
      let v: Reply;
      let i = pos + 1;
      let c = 0;
      if (type === DOLLAR) {
        if (buf[i] === MINUS) {
          if (i + 3 >= len) break;
          if (buf[i + 1] !== 49 || buf[i + 2] !== CR || buf[i + 3] !== LF) throw new ProtocolError('negative length in RESP header');
          v = null;
          pos = i + 4;
        } else {
          let n = 0;
          while (i < len && (c = buf[i] as number) !== CR) {
            if (c < ZERO || c > NINE) throw new ProtocolError(`invalid digit in RESP length: 0x${c.toString(16)}`);
            n = n * 10 + (c - ZERO);
            if (i - pos > 10) throw new ProtocolError('length in RESP header is too large');
            i++;
          }
          if (i + 1 >= len) break;
          if (i === pos + 1) throw new ProtocolError('empty length in RESP header');
          if (buf[i + 1] !== LF) throw new ProtocolError(`expected LF after CR at byte ${i + 1} of a RESP line`);
          const start = i + 2;
          const end = start + n;
          if (end + 2 > len) {
            // The body goes on in later chunks.
            if (!this.startBulk(buf, start, n)) return;
            pos = this.pos;
            continue;
          }
          if (buf[end] !== CR || buf[end + 1] !== LF) throw new ProtocolError('bulk string not terminated by CRLF');
          v = this.mode ? buf.slice(start, end) : n <= SHORT ? shortText(buf, start, end) : buf.utf8Slice(start, end);
          pos = end + 2;
        }
      } else if (type === COLON) {
        const negative = buf[i] === MINUS;
        if (negative) i++;
        const first = i;
        let n = 0;
        while (i < len && (c = buf[i] as number) !== CR) {
          if (c < ZERO || c > NINE) throw new ProtocolError(`invalid digit in RESP integer: 0x${c.toString(16)}`);
          n = n * 10 + (c - ZERO);
          i++;
        }
        if (i + 1 >= len) break;
        if (buf[i + 1] !== LF) throw new ProtocolError(`expected LF after CR at byte ${i + 1} of a RESP line`);
        v = i - first < 16 && i > first ? (negative ? -n : n) : parseInteger(buf, pos + 1, i);
        pos = i + 2;
      } else if (type === PLUS) {
        while (i < len && buf[i] !== CR) i++;
        if (i + 1 >= len) break;
        if (buf[i + 1] !== LF) throw new ProtocolError(`expected LF after CR at byte ${i + 1} of a RESP line`);
        if (this.mode) v = buf.slice(pos + 1, i);
        // "+OK" answers most writes: skip the decoder for it.
        else v = i === pos + 3 && buf[pos + 1] === 79 && buf[pos + 2] === 75 ? 'OK' : buf.utf8Slice(pos + 1, i);
        pos = i + 2;
      } else {
        const end = this.lineEnd(pos);
        if (end < 0 || end + 1 >= len) break;
        if (!this.header(buf, pos, end)) return;
        pos = this.pos;
        continue;
      }
      if (top) {
        this.onReply(v);
      } else {
        // An element: most do not finish their array, so place it here.
        const frame = stack[stack.length - 1] as Frame;
        if (frame.index + 1 < frame.size) frame.items[frame.index++] = v;
        else {
          this.pos = pos;
          this.value(v);
        }
      }
    }
    this.pos = pos;
    // Stopped inside a header line: keep its bytes for the next chunk.
    if (pos < len) this.savePartialLine();
  }

  /** Index of the CR of the line starting at `start`, or -1 if the chunk ends first. */
  private lineEnd(start: number): number {
    const buf = this.buf;
    const len = buf.length;
    // Short lines dominate (":1", "$64", "+OK"): a plain loop beats indexOf's call cost.
    const stop = len < start + 24 ? len : start + 24;
    for (let i = start + 1; i < stop; i++) {
      if (buf[i] === CR) return i;
    }
    if (stop === len) return -1;
    return buf.indexOf(CR, stop);
  }

  private savePartialLine(): void {
    const rest = this.buf.length - this.pos;
    if (rest > MAX_LINE) throw new ProtocolError(`RESP line longer than ${MAX_LINE} bytes`);
    // Copy: the leftover is tiny for headers, and it must outlive this chunk's buffer slice.
    this.partialLine = Buffer.from(this.buf.subarray(this.pos));
    this.pos = this.buf.length;
  }

  /** Completes a header line split across chunks. Returns false if more input is needed. */
  private continueLine(): boolean {
    const head = this.partialLine as Buffer;
    const chunk = this.buf;
    // The CR may be the last byte of the leftover, with the LF first in this chunk.
    let line: Buffer;
    let used: number;
    if (head[head.length - 1] === CR) {
      line = Buffer.concat([head, chunk.subarray(0, 1)]);
      used = 1;
    } else {
      const cr = chunk.indexOf(CR);
      if (cr < 0 || cr + 1 >= chunk.length) {
        if (head.length + chunk.length > MAX_LINE) throw new ProtocolError(`RESP line longer than ${MAX_LINE} bytes`);
        this.partialLine = Buffer.concat([head, chunk]);
        this.pos = chunk.length;
        return false;
      }
      line = Buffer.concat([head, chunk.subarray(0, cr + 2)]);
      used = cr + 2;
    }
    this.partialLine = null;
    // Parse the header from the joined line, then let its body (if any) come from this chunk.
    const joined = line as SliceableBuffer;
    this.buf = joined;
    const ok = this.header(joined, 0, line.length - 2, chunk as SliceableBuffer, used);
    return ok;
  }

  /**
   * Handles one header line [start, cr) of `buf`. The value's body, for a bulk
   * string, starts right after the line: in `buf`, or in `body` at `bodyPos`
   * when the line was joined from two chunks. Sets this.buf/this.pos to where
   * parsing continues. Returns false when the chunk is used up mid-value.
   */
  private header(buf: SliceableBuffer, start: number, cr: number, body?: SliceableBuffer, bodyPos?: number): boolean {
    if (buf[cr + 1] !== LF) throw new ProtocolError(`expected LF after CR at byte ${cr + 1} of a RESP line`);
    const type = buf[start];
    let next = cr + 2;
    if (body !== undefined) {
      this.buf = body;
      next = bodyPos as number;
    }
    switch (type) {
      case DOLLAR: {
        const n = parseLength(buf, start + 1, cr);
        if (n < 0) {
          if (n !== -1) throw new ProtocolError(`invalid bulk length ${n}`);
          this.pos = next;
          this.value(null);
          return true;
        }
        if (n > MAX_BULK) throw new ProtocolError(`bulk string of ${n} bytes exceeds ${MAX_BULK}`);
        const src = this.buf;
        const end = next + n;
        if (end + 2 <= src.length) {
          if (src[end] !== CR || src[end + 1] !== LF) throw new ProtocolError('bulk string not terminated by CRLF');
          this.pos = end + 2;
          this.value(this.mode ? src.subarray(next, end) : src.utf8Slice(next, end));
          return true;
        }
        return this.startBulk(src, next, n);
      }
      case COLON: {
        this.pos = next;
        this.value(parseInteger(buf, start + 1, cr));
        return true;
      }
      case PLUS: {
        this.pos = next;
        this.value(this.mode ? buf.subarray(start + 1, cr) : buf.utf8Slice(start + 1, cr));
        return true;
      }
      case DASH: {
        this.pos = next;
        this.value(new ResponseError(buf.utf8Slice(start + 1, cr)));
        return true;
      }
      case STAR: {
        const n = parseLength(buf, start + 1, cr);
        this.pos = next;
        if (n < 0) {
          if (n !== -1) throw new ProtocolError(`invalid array length ${n}`);
          this.value(null);
        } else if (n === 0) {
          this.value([]);
        } else {
          if (n > MAX_ARRAY) throw new ProtocolError(`array of ${n} elements is too large`);
          // The header is untrusted: sized from it alone, a few bytes ("*30000000", 230 MiB
          // each) could exhaust memory. Reserve no more slots than the bytes at hand can
          // fill (3 bytes per element at least), and few for nested arrays, which can pile
          // up; past that the array grows as elements arrive.
          const room = this.stack.length === 0 ? ((this.buf.length - next) / 3) | 0 : NESTED_SLOTS;
          this.stack.push({ items: new Array<Reply>(n < room ? n : room), index: 0, size: n });
        }
        return true;
      }
      default:
        throw new ProtocolError(`invalid RESP type byte 0x${(type ?? 0).toString(16).padStart(2, '0')}`);
    }
  }

  /**
   * Starts a bulk string of `n` bytes at `start` whose end is not in `src`:
   * copies what is here into a buffer of the final size, once. Returns false
   * when the chunk is used up (true only if just the CRLF was missing).
   */
  private startBulk(src: SliceableBuffer, start: number, n: number): boolean {
    if (n > MAX_BULK) throw new ProtocolError(`bulk string of ${n} bytes exceeds ${MAX_BULK}`);
    const avail = Math.min(n, src.length - start);
    if (!this.mode && n >= DECODE_AS_IT_COMES) {
      // A multi-byte character split between chunks is held by the decoder until its end arrives.
      this.decoder ??= new StringDecoder('utf8');
      this.bulkText = this.decoder.write(src.subarray(start, start + avail));
      this.bulk = DECODING;
    } else {
      const target = Buffer.allocUnsafe(n);
      src.copy(target, 0, start, start + avail);
      this.bulk = target;
    }
    this.bulkSize = n;
    this.bulkFilled = avail;
    this.bulkTail = 0;
    this.bulkAsBuffer = this.mode;
    this.pos = start + avail;
    if (this.pos < src.length) return this.finishBulkTail();
    return false;
  }

  /** Continues a bulk string split across chunks. Returns false if more input is needed. */
  private continueBulk(): boolean {
    const src = this.buf;
    if (this.bulkFilled < this.bulkSize) {
      const take = Math.min(this.bulkSize - this.bulkFilled, src.length);
      if (this.bulkText !== null) this.bulkText += (this.decoder as StringDecoder).write(src.subarray(0, take));
      else src.copy(this.bulk as Buffer, this.bulkFilled, 0, take);
      this.bulkFilled += take;
      this.pos = take;
      if (this.bulkFilled < this.bulkSize) return false;
    }
    return this.finishBulkTail();
  }

  private finishBulkTail(): boolean {
    const src = this.buf;
    while (this.bulkTail < 2) {
      if (this.pos >= src.length) return false;
      const expected = this.bulkTail === 0 ? CR : LF;
      if (src[this.pos] !== expected) throw new ProtocolError('bulk string not terminated by CRLF');
      this.pos++;
      this.bulkTail++;
    }
    const target = this.bulk as Buffer;
    const text = this.bulkText;
    this.bulk = null;
    this.bulkText = null;
    if (text !== null) this.value(text + (this.decoder as StringDecoder).end());
    else this.value(this.bulkAsBuffer ? target : target.toString('utf8'));
    return true;
  }

  /** Places a finished value into the array being built, or hands out a top-level reply. */
  private value(v: Reply): void {
    const stack = this.stack;
    while (stack.length > 0) {
      const frame = stack[stack.length - 1] as Frame;
      frame.items[frame.index++] = v;
      if (frame.index < frame.size) return;
      stack.pop();
      v = frame.items;
    }
    this.onReply(v);
  }
}

/** Parses the decimal length of a `$` or `*` header; -1 for null. */
function parseLength(buf: Buffer, start: number, end: number): number {
  if (start >= end) throw new ProtocolError('empty length in RESP header');
  if (buf[start] === MINUS) {
    if (end - start === 2 && buf[start + 1] === 49) return -1;
    throw new ProtocolError('negative length in RESP header');
  }
  if (end - start > 10) throw new ProtocolError('length in RESP header is too large');
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i] as number;
    if (c < ZERO || c > NINE) throw new ProtocolError(`invalid digit in RESP length: 0x${c.toString(16)}`);
    n = n * 10 + (c - ZERO);
  }
  return n;
}

/**
 * Parses a RESP integer. Values beyond Number's safe range come back as
 * bigint so they are never silently rounded.
 */
function parseInteger(buf: Buffer, start: number, end: number): number | bigint {
  let i = start;
  let negative = false;
  if (buf[i] === MINUS) {
    negative = true;
    i++;
  }
  const digits = end - i;
  if (digits <= 0) throw new ProtocolError('empty RESP integer');
  if (digits > 20) throw new ProtocolError('RESP integer too long');
  let n = 0;
  for (let j = i; j < end; j++) {
    const c = buf[j] as number;
    if (c < ZERO || c > NINE) throw new ProtocolError(`invalid digit in RESP integer: 0x${c.toString(16)}`);
    n = n * 10 + (c - ZERO);
  }
  if (digits < 16) return negative ? -n : n;
  const big = BigInt(buf.toString('latin1', start, end));
  if (big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER)) return Number(big);
  return big;
}

/**
 * A short ASCII bulk as a string without a call into the runtime: for a few
 * bytes the call costs more than the decoding (measured on 5-byte values with
 * bench/parser.bench.mjs). Anything else goes to utf8Slice.
 */
function shortText(buf: SliceableBuffer, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) {
    const c = buf[i] as number;
    if (c > 127) return buf.utf8Slice(start, end);
    s += String.fromCharCode(c);
  }
  return s;
}
