// Mixed commands whose replies are unique to their caller, so a reply handed
// to the wrong caller can never pass for the right one.
import type { Ledis } from '../../src/index.js';

export interface Issued {
  /** What was sent, for failure messages. */
  what: string;
  promise: Promise<unknown>;
  expected: unknown;
}

const BIG = 2n ** 60n;

/**
 * Command `i` of a mixed run under key prefix `p`. Commands at i % 7 === 2 read
 * the key that command i - 1 wrote, so the run must keep them in order on one
 * connection (every fault test uses one).
 */
export function mixedCommand(ledis: Ledis, p: string, i: number, independent = false): Issued {
  const kind = i % 7;
  // Independent: no command depends on another's effect (for runs where some may time out).
  switch (independent && (kind === 2 || kind === 5) ? 0 : kind) {
    case 0: {
      const payload = `echo-${i}-${'x'.repeat(i % 97)}`;
      return { what: `ECHO ${i}`, promise: ledis.echo(payload), expected: payload };
    }
    case 1:
      return { what: `SET ${i}`, promise: ledis.set(`${p}s${i}`, `value-${i}`), expected: true };
    case 2:
      return { what: `GET ${i - 1}`, promise: ledis.get(`${p}s${i - 1}`), expected: `value-${i - 1}` };
    case 3:
      return { what: `INCRBY ${i}`, promise: ledis.incrby(`${p}n${i}`, i), expected: i };
    case 4:
      // Beyond 2^53: the reply must come back as an exact bigint.
      return { what: `INCRBY big ${i}`, promise: ledis.sendCommand('INCRBY', `${p}b${i}`, BIG + BigInt(i)), expected: BIG + BigInt(i) };
    case 5:
      // A missing key in an array reply: null inside arrays, per caller.
      return {
        what: `MGET ${i - 4}`,
        promise: ledis.mget([`${p}s${i - 4}`, `${p}missing${i}`]),
        expected: [`value-${i - 4}`, null],
      };
    default: {
      // A bulk of a few hundred bytes, so a slicer splits it many ways.
      const payload = `${i}:`.padEnd(300 + (i % 300), String.fromCharCode(97 + (i % 26)));
      return { what: `ECHO big ${i}`, promise: ledis.echo(payload), expected: payload };
    }
  }
}

/** Issues `n` mixed commands in one go. */
export function issueMixed(ledis: Ledis, p: string, n: number, independent = false): Issued[] {
  return Array.from({ length: n }, (_, i) => mixedCommand(ledis, p, i, independent));
}

/** Every reply, or the first wrong one as a readable message. */
export async function wrongReplies(issued: Issued[]): Promise<string[]> {
  const wrong: string[] = [];
  const settled = await Promise.allSettled(issued.map((c) => c.promise));
  settled.forEach((s, i) => {
    const c = issued[i] as Issued;
    if (s.status === 'rejected') wrong.push(`${c.what}: rejected with ${String(s.reason)}`);
    else if (!sameValue(s.value, c.expected)) wrong.push(`${c.what}: got ${show(s.value)}, expected ${show(c.expected)}`);
  });
  return wrong;
}

export function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  return a === b;
}

function show(v: unknown): string {
  const s = typeof v === 'bigint' ? `${v}n` : JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));
  return s === undefined ? String(v) : s.length > 80 ? s.slice(0, 80) + '...' : s;
}
