import { DataError } from '../errors.js';

/** What a command argument may be. Everything else is refused before sending. */
export type Arg = string | number | bigint | Buffer;

/**
 * An encoded command: a string when every argument was text or a number (the
 * common case, written with one string write), or parts when a Buffer
 * argument (or a very long string) must pass through without being copied.
 */
export type Encoded = string | Array<string | Buffer>;

/**
 * The largest command the encoder builds, in bytes on the wire: 512 MiB, the
 * same bound the parser puts on a bulk reply. Past it a command is refused
 * with a DataError before anything is queued (a JS string cannot hold much
 * more, and LedisDB would buffer all of it in memory).
 */
export const MAX_COMMAND_BYTES = 512 * 1024 * 1024;

// String.prototype.isWellFormed is ES2024 (Node 20+); the project's lib is older.
declare global {
  interface String {
    isWellFormed(): boolean;
  }
}
/** Strings up to this long are measured in JS; longer ones by the runtime. */
const SHORT = 32;

/**
 * The UTF-8 byte length of `s`, or -1 when it holds a lone surrogate (which
 * UTF-8 cannot carry: Node would write U+FFFD in its place, silently changing
 * the caller's key or value). Short strings, nearly every name, key and
 * field, take one JS pass that answers both questions, instead of two calls
 * into the runtime (measured on a SET loop: the check costs about nothing for
 * short strings and ~15-20 ns for a 64-byte value).
 */
function utf8Length(s: string): number {
  const n = s.length;
  if (n > SHORT) return s.isWellFormed() ? Buffer.byteLength(s) : -1;
  let bytes = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c < 0xd800 || c > 0xdfff) bytes += 2;
    else {
      // A high surrogate followed by a low one: 4 bytes for 2 units.
      if (c > 0xdbff || i + 1 === n) return -1;
      const d = s.charCodeAt(i + 1);
      if (d < 0xdc00 || d > 0xdfff) return -1;
      bytes += 2;
      i++;
    }
  }
  return bytes;
}

/** Strings longer than this (in UTF-16 units) go out as their own part instead of being concatenated. */
const OWN_PART = 1024 * 1024;

/**
 * Encodes one command as a RESP array of bulk strings. Every length is a
 * byte length (UTF-8), the command name's included. Throws DataError naming
 * the command and the argument's position for a value that cannot be sent
 * (not a string, finite number, bigint or Buffer; a string holding a lone
 * UTF-16 surrogate, which UTF-8 cannot carry; a command over
 * MAX_COMMAND_BYTES); nothing is returned (so nothing can be queued) then.
 */
export function encodeCommand(name: string, args: readonly unknown[]): Encoded {
  if (typeof name !== 'string' || name.length === 0) throw badName(name);
  const n = args.length;
  let size = utf8Length(name);
  if (size < 0) throw new DataError('the command name holds a lone UTF-16 surrogate, which UTF-8 cannot carry', name);
  let s = '*' + (n + 1) + '\r\n$' + size + '\r\n' + name + '\r\n';
  let parts: Array<string | Buffer> | null = null;
  for (let i = 0; i < n; i++) {
    const a = args[i];
    if (typeof a === 'string') {
      const bytes = utf8Length(a);
      if (bytes < 0) throw loneSurrogate(name, i);
      size += bytes + 16;
      if (size > MAX_COMMAND_BYTES) throw tooLarge(name, size);
      if (a.length > OWN_PART) {
        // No giant string concatenation: the argument is written as it is.
        if (parts === null) parts = [];
        parts.push(s + '$' + bytes + '\r\n', a);
        s = '\r\n';
      } else {
        s += '$' + bytes + '\r\n' + a + '\r\n';
      }
    } else if (typeof a === 'number') {
      if (!Number.isFinite(a)) throw badArg(name, i, a);
      const t = '' + a;
      size += t.length + 16;
      s += '$' + t.length + '\r\n' + t + '\r\n';
    } else if (a instanceof Uint8Array) {
      size += a.length + 16;
      if (size > MAX_COMMAND_BYTES) throw tooLarge(name, size);
      if (parts === null) parts = [];
      parts.push(s + '$' + a.length + '\r\n', Buffer.isBuffer(a) ? a : Buffer.from(a.buffer, a.byteOffset, a.length));
      s = '\r\n';
    } else if (typeof a === 'bigint') {
      const t = a.toString();
      size += t.length + 16;
      s += '$' + t.length + '\r\n' + t + '\r\n';
    } else {
      throw badArg(name, i, a);
    }
  }
  if (size > MAX_COMMAND_BYTES) throw tooLarge(name, size);
  if (parts === null) return s;
  parts.push(s);
  return parts;
}

/** Byte length of an encoded command, as far as the flush threshold cares (strings count characters). */
export function encodedLength(e: Encoded): number {
  if (typeof e === 'string') return e.length;
  let n = 0;
  for (const p of e) n += p.length;
  return n;
}

function badName(name: unknown): DataError {
  const what = typeof name === 'string' ? 'empty' : name === null ? 'null' : typeof name;
  return new DataError(`the command name must be a non-empty string, got ${what}`);
}

function loneSurrogate(name: string, index: number): DataError {
  return new DataError(
    `argument ${index + 1} is a string holding a lone UTF-16 surrogate, which UTF-8 cannot carry; pass a Buffer for binary data`,
    name,
  );
}

function tooLarge(name: string, size: number): DataError {
  return new DataError(
    `command of more than ${size} bytes exceeds the ${MAX_COMMAND_BYTES / 1048576} MiB limit (MAX_COMMAND_BYTES); split the data`,
    name,
  );
}

function badArg(name: string, index: number, value: unknown): DataError {
  let what: string;
  if (value === undefined) what = 'undefined';
  else if (value === null) what = 'null';
  else if (typeof value === 'number') what = String(value);
  else if (Array.isArray(value)) what = 'an array';
  else what = `a value of type ${typeof value === 'object' ? (value.constructor?.name ?? 'object') : typeof value}`;
  return new DataError(
    `argument ${index + 1} is ${what}; arguments must be strings, finite numbers, bigints or Buffers`,
    name,
  );
}

/**
 * The argument rule, stated once: what `encodeCommand` accepts (its branches
 * are this rule unrolled for speed; test/unit/encoder.test.ts checks that
 * both accept and refuse the same values). A string must be well-formed
 * UTF-16: a lone surrogate has no UTF-8 form.
 */
export function isArg(a: unknown): a is Arg | Uint8Array {
  const t = typeof a;
  if (t === 'string') return (a as string).isWellFormed();
  return t === 'bigint' || a instanceof Uint8Array || (t === 'number' && Number.isFinite(a));
}

/** Checks argument types without encoding (for pipelines, which encode later); the same error encodeCommand throws. */
export function validateArgs(name: string, args: readonly unknown[]): void {
  if (typeof name !== 'string' || name.length === 0) throw badName(name);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (isArg(a)) continue;
    throw typeof a === 'string' ? loneSurrogate(name, i) : badArg(name, i, a);
  }
}
