import { ProtocolError } from '../errors.js';

// The bytes these checks read (the parser names the same ones).
const MINUS = 45;
const ZERO = 48;
const NINE = 57;
const PLUS = 43; // '+'
const DASH = 45; // '-'

/**
 * Limits on what a server may send, chosen from what LedisDB sends (server/
 * client_resp.go, server/script.go at the pinned commit) with room to spare.
 * Past any of them the reply is refused with a ProtocolError at once, after a
 * bounded number of bytes, and the connection is replaced.
 */
export const PARSER_LIMITS = Object.freeze({
  /**
   * Bytes between the type byte and the CR of a `$`, `*` or `:` header:
   * a 64-bit integer is at most 20 digits and a sign, a length at most 10.
   */
  maxHeaderLine: 32,
  /**
   * Bytes of a simple string (`+`) or error (`-`) line. LedisDB's status
   * replies are a few bytes, but an error can echo a caller's key (at most
   * 1 KiB in LedisDB), a scan MATCH pattern or a Lua error() text, so this is
   * generous: 1 MiB.
   */
  maxTextLine: 1024 * 1024,
  /** Bytes of one bulk string (LedisDB allows 1 GiB values; Node strings stop near 512 MiB). */
  maxBulk: 512 * 1024 * 1024,
  /** Elements of one array (the header's claim; memory still follows the bytes that arrive). */
  maxArray: 1 << 28,
  /**
   * Arrays inside arrays. LedisDB's own replies nest two deep (XSCAN); only a
   * Lua script returning nested tables goes deeper (script.go converts them
   * recursively).
   */
  maxDepth: 128,
});

/** Parses the decimal length of a `$` or `*` header; -1 for null. */
export function parseLength(buf: Buffer, start: number, end: number): number {
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
export function parseInteger(buf: Buffer, start: number, end: number): number | bigint {
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


export function lineTooLong(type: number, limit: number): ProtocolError {
  const what = type === PLUS ? 'simple string' : type === DASH ? 'error' : 'header';
  return new ProtocolError(`RESP ${what} line longer than ${limit} bytes (the limit for such lines)`);
}

export function badType(type: number | undefined): ProtocolError {
  return new ProtocolError(`invalid RESP type byte 0x${(type ?? 0).toString(16).padStart(2, '0')}`);
}
