import { DataError } from '../errors.js';

/** What a command argument may be. Everything else is refused before sending. */
export type Arg = string | number | bigint | Buffer;

/**
 * An encoded command: a string when every argument was text or a number (the
 * common case, written with one string write), or parts when a Buffer
 * argument must pass through without being copied.
 */
export type Encoded = string | Array<string | Buffer>;

/**
 * Encodes one command as a RESP array of bulk strings. Throws DataError naming
 * the command and the argument's position for a value that cannot be sent;
 * nothing is returned (so nothing can be queued) in that case.
 */
export function encodeCommand(name: string, args: readonly unknown[]): Encoded {
  const n = args.length;
  let s = '*' + (n + 1) + '\r\n$' + name.length + '\r\n' + name + '\r\n';
  let parts: Array<string | Buffer> | null = null;
  for (let i = 0; i < n; i++) {
    const a = args[i];
    if (typeof a === 'string') {
      s += '$' + Buffer.byteLength(a) + '\r\n' + a + '\r\n';
    } else if (typeof a === 'number') {
      if (!Number.isFinite(a)) throw badArg(name, i, a);
      const t = '' + a;
      s += '$' + t.length + '\r\n' + t + '\r\n';
    } else if (a instanceof Uint8Array) {
      if (parts === null) parts = [];
      parts.push(s + '$' + a.length + '\r\n', Buffer.isBuffer(a) ? a : Buffer.from(a.buffer, a.byteOffset, a.length));
      s = '\r\n';
    } else if (typeof a === 'bigint') {
      const t = a.toString();
      s += '$' + t.length + '\r\n' + t + '\r\n';
    } else {
      throw badArg(name, i, a);
    }
  }
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
 * both accept and refuse the same values).
 */
export function isArg(a: unknown): a is Arg | Uint8Array {
  const t = typeof a;
  return t === 'string' || t === 'bigint' || a instanceof Uint8Array || (t === 'number' && Number.isFinite(a));
}

/** Checks argument types without encoding (for pipelines, which encode later); the same error encodeCommand throws. */
export function validateArgs(name: string, args: readonly unknown[]): void {
  for (let i = 0; i < args.length; i++) if (!isArg(args[i])) throw badArg(name, i, args[i]);
}
