import { StringDecoder } from 'node:string_decoder';
import { ProtocolError, ResponseError } from '../errors.js';
import { badType, lineTooLong, parseInteger, parseLength, PARSER_LIMITS } from './limits.js';

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

export { PARSER_LIMITS } from './limits.js';

const MAX_HEADER_LINE = PARSER_LIMITS.maxHeaderLine;
const MAX_TEXT_LINE = PARSER_LIMITS.maxTextLine;
const MAX_BULK = PARSER_LIMITS.maxBulk;
const MAX_ARRAY = PARSER_LIMITS.maxArray;
const MAX_DEPTH = PARSER_LIMITS.maxDepth;
/**
 * A split bulk's buffer starts at most this large and doubles as bytes
 * arrive (capped at the announced size), so memory follows what the server
 * sent, never the header's claim.
 */
const BULK_START = 256 * 1024;
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
  /**
   * A line that started at the end of an earlier chunk: its bytes are in
   * `partialLine[0, lineLength)`, a buffer that doubles as the line grows,
   * so a line split into many chunks costs time linear in its length.
   */
  private partialLine: Buffer | null = null;
  private lineLength = 0;
  /** Most bytes the whole line may take, type byte and CRLF included. */
  private lineLimit = 0;
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

  /** Elements of the top-level array being read that are complete (0 when none is): progress inside one long reply. */
  get elementsRead(): number {
    const frame = this.stack[0];
    return frame === undefined ? 0 : frame.index;
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
          if (i - pos > MAX_HEADER_LINE) throw lineTooLong(COLON, MAX_HEADER_LINE);
          i++;
        }
        if (i + 1 >= len) break;
        if (buf[i + 1] !== LF) throw new ProtocolError(`expected LF after CR at byte ${i + 1} of a RESP line`);
        v = i - first < 16 && i > first ? (negative ? -n : n) : parseInteger(buf, pos + 1, i);
        pos = i + 2;
      } else if (type === PLUS) {
        while (i < len && buf[i] !== CR) i++;
        if (i - pos > MAX_TEXT_LINE + 1) throw lineTooLong(PLUS, MAX_TEXT_LINE);
        if (i + 1 >= len) break;
        if (buf[i + 1] !== LF) throw new ProtocolError(`expected LF after CR at byte ${i + 1} of a RESP line`);
        if (this.mode) v = buf.slice(pos + 1, i);
        // "+OK" answers most writes: skip the decoder for it.
        else v = i === pos + 3 && buf[pos + 1] === 79 && buf[pos + 2] === 75 ? 'OK' : buf.utf8Slice(pos + 1, i);
        pos = i + 2;
      } else {
        if (type !== DASH && type !== STAR) throw badType(type);
        const end = this.lineEnd(pos, type === DASH ? MAX_TEXT_LINE : MAX_HEADER_LINE);
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

  /**
   * Index of the CR of the line starting at `start`, or -1 if the chunk ends
   * first. Throws once the line is longer than `limit` bytes (type byte and
   * CRLF aside), without looking further.
   */
  private lineEnd(start: number, limit: number): number {
    const buf = this.buf;
    const len = buf.length;
    // Short lines dominate (":1", "$64", "+OK"): a plain loop beats indexOf's call cost.
    const stop = len < start + 24 ? len : start + 24;
    for (let i = start + 1; i < stop; i++) {
      if (buf[i] === CR) return i;
    }
    if (stop === len) return -1;
    const last = start + limit + 2; // the furthest a CR may be
    const cr = last < len ? buf.subarray(stop, last).indexOf(CR) : buf.indexOf(CR, stop);
    if (cr >= 0) return last < len ? stop + cr : cr;
    if (last < len) throw lineTooLong(buf[start] as number, limit);
    return -1;
  }

  /** Keeps the start of a line that the chunk cut, for the next chunk to complete. */
  private savePartialLine(): void {
    const buf = this.buf;
    const type = buf[this.pos] as number;
    const limit = type === PLUS || type === DASH ? MAX_TEXT_LINE : MAX_HEADER_LINE;
    const rest = buf.length - this.pos;
    // Type byte, at most `limit` bytes, and the CR (the LF is in a later chunk).
    if (rest > limit + 2) throw lineTooLong(type, limit);
    // Copy: it must outlive this chunk's buffer slice. Header lines fit a tiny buffer.
    const line = Buffer.allocUnsafe(rest < 64 ? 64 : rest * 2);
    buf.copy(line, 0, this.pos);
    this.partialLine = line;
    this.lineLength = rest;
    this.lineLimit = limit + 3;
    this.pos = buf.length;
  }

  /** Appends `src[0, n)` to the partial line, doubling its buffer when full. */
  private growLine(src: Buffer, n: number): void {
    let line = this.partialLine as Buffer;
    const need = this.lineLength + n;
    if (need > line.length) {
      const bigger = Buffer.allocUnsafe(Math.max(line.length * 2, need));
      line.copy(bigger, 0, 0, this.lineLength);
      line = this.partialLine = bigger;
    }
    src.copy(line, this.lineLength, 0, n);
    this.lineLength = need;
  }

  /** Completes a line split across chunks. Returns false if more input is needed. */
  private continueLine(): boolean {
    const chunk = this.buf;
    let used: number;
    if ((this.partialLine as Buffer)[this.lineLength - 1] === CR) {
      // The CR was the last byte of the leftover; the LF comes first in this chunk.
      used = 1;
    } else {
      // Look no further than the line may go: a line with no CR is refused at its limit.
      const room = this.lineLimit - 1 - this.lineLength; // bytes up to and including the CR
      const cr = chunk.length > room ? chunk.subarray(0, room).indexOf(CR) : chunk.indexOf(CR);
      if (cr < 0) {
        if (chunk.length >= room) throw lineTooLong((this.partialLine as Buffer)[0] as number, this.lineLimit - 3);
        this.growLine(chunk, chunk.length);
        this.pos = chunk.length;
        return false;
      }
      if (cr + 1 >= chunk.length) {
        this.growLine(chunk, chunk.length);
        this.pos = chunk.length;
        return false;
      }
      used = cr + 2;
    }
    this.growLine(chunk, used);
    const joined = (this.partialLine as Buffer).subarray(0, this.lineLength) as SliceableBuffer;
    this.partialLine = null;
    // Parse the header from the joined line, then let its body (if any) come from this chunk.
    this.buf = joined;
    return this.header(joined, 0, joined.length - 2, chunk as SliceableBuffer, used);
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
          if (this.stack.length >= MAX_DEPTH) throw new ProtocolError(`RESP arrays nested deeper than ${MAX_DEPTH} levels`);
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
      // Sized by what arrived, not by the header's claim: it doubles as the rest comes.
      const target = Buffer.allocUnsafe(Math.min(n, Math.max(BULK_START, avail)));
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
      else {
        let target = this.bulk as Buffer;
        if (this.bulkFilled + take > target.length) {
          const bigger = Buffer.allocUnsafe(Math.min(this.bulkSize, Math.max(target.length * 2, this.bulkFilled + take)));
          target.copy(bigger, 0, 0, this.bulkFilled);
          target = this.bulk = bigger;
        }
        src.copy(target, this.bulkFilled, 0, take);
      }
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
