// Property-based fuzzing of the RESP parser with fast-check: random valid
// streams cut at random places, the same streams mutated, and random bytes.
// The parser must never throw anything but ProtocolError, never loop, and
// never hand out a wrong value. Runs are bounded in count and time; a failure
// prints the seed (rerun with FUZZ_SEED=<seed> to reproduce it; FUZZ_RUNS and
// FUZZ_MS make a longer hunt).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Parser, ProtocolError, ResponseError, type Reply } from '../../src/index.js';
import { PARSER_LIMITS } from '../../src/protocol/parser.js';

const SEED = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : Date.now() % 0x7fffffff;
// FUZZ_RUNS raises the count for a longer hunt (the time limit still applies per property).
const RUNS = { numRuns: Number(process.env.FUZZ_RUNS ?? 400), interruptAfterTimeLimit: Number(process.env.FUZZ_MS ?? 8000) };

/** A RESP value as generated: kept with its wire form and the reply the parser must give in each mode. */
interface Value {
  wire: Buffer;
  asString: Reply;
  asBuffer: Reply;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const intReply = (n: bigint): number | bigint => (n <= MAX_SAFE && n >= -MAX_SAFE ? Number(n) : n);
const line = (s: string) => s.replace(/[\r\n]/g, ' ');

const simple = fc.string({ unit: 'binary', maxLength: 20 }).map((raw): Value => {
  const s = line(raw);
  const bytes = Buffer.from(s);
  return { wire: Buffer.concat([Buffer.from('+'), bytes, Buffer.from('\r\n')]), asString: s, asBuffer: bytes };
});
const error = fc.string({ unit: 'binary-ascii', maxLength: 20 }).map((raw): Value => {
  const s = line(raw);
  return { wire: Buffer.from(`-${s}\r\n`), asString: new ResponseError(s), asBuffer: new ResponseError(s) };
});
const integer = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(
  (n): Value => ({ wire: Buffer.from(`:${n}\r\n`), asString: intReply(n), asBuffer: intReply(n) }),
);
const text = fc.string({ unit: 'binary', maxLength: 40 }).map((s): Value => {
  const bytes = Buffer.from(s);
  return { wire: Buffer.concat([Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n')]), asString: s, asBuffer: bytes };
});
const binary = fc.uint8Array({ maxLength: 40 }).map((u): Value => {
  const bytes = Buffer.from(u);
  return {
    wire: Buffer.concat([Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from('\r\n')]),
    asString: bytes.toString('utf8'),
    asBuffer: bytes,
  };
});
const nulls = fc.constantFrom<Value>(
  { wire: Buffer.from('$-1\r\n'), asString: null, asBuffer: null },
  { wire: Buffer.from('*-1\r\n'), asString: null, asBuffer: null },
  { wire: Buffer.from('*0\r\n'), asString: [], asBuffer: [] },
);

const { value } = fc.letrec<{ value: Value; array: Value }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, simple, error, integer, text, binary, nulls, tie('array')),
  array: fc.array(tie('value'), { minLength: 1, maxLength: 6 }).map(
    (items): Value => ({
      wire: Buffer.concat([Buffer.from(`*${items.length}\r\n`), ...items.map((i) => i.wire)]),
      asString: items.map((i) => i.asString),
      asBuffer: items.map((i) => i.asBuffer),
    }),
  ),
}));

const stream = fc.array(value, { minLength: 1, maxLength: 12 });

/** Cut points for a stream of `length` bytes, as fractions so they shrink well. */
const cuts = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 30 });

function chunksOf(wire: Buffer, fractions: number[]): Buffer[] {
  const at = [...new Set(fractions.map((f) => Math.floor(f * wire.length)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const c of at) {
    // Copies: a parser must not depend on a chunk's bytes after it was handed in.
    out.push(Buffer.from(wire.subarray(from, c)));
    from = c;
  }
  out.push(Buffer.from(wire.subarray(from)));
  return out;
}

interface Outcome {
  replies: Reply[];
  error: unknown;
  /** Stopped inside an unfinished reply (no error yet). */
  waiting: boolean;
}

/** Runs the parser over `chunks`, stopping at its first error (it refuses input after one). */
function run(chunks: Buffer[], returnBuffers: boolean): Outcome {
  const replies: Reply[] = [];
  const parser = new Parser((r) => replies.push(r));
  parser.returnBuffers = returnBuffers;
  try {
    for (const c of chunks) parser.execute(c);
  } catch (error) {
    return { replies, error, waiting: false };
  }
  return { replies, error: null, waiting: parser.inReply };
}

/**
 * However the bytes are cut, the same replies come out, and the input is
 * refused or not alike. One allowance: bad bytes at the end of a line the
 * whole input leaves unfinished may be refused early when a cut lands right
 * after a CR (the parser checks for LF there at once), so one run may have
 * refused what the other still waits on.
 */
function expectSameOutcome(split: Outcome, whole: Outcome): void {
  for (const o of [whole, split]) if (o.error !== null) expect(o.error).toBeInstanceOf(ProtocolError);
  expect(split.replies).toEqual(whole.replies);
  if ((split.error === null) !== (whole.error === null)) {
    expect((split.error === null ? split : whole).waiting).toBe(true);
  }
}

function withSeed(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    const e = err as Error;
    e.message = `parser fuzz failed; reproduce with FUZZ_SEED=${SEED}\n${e.message}`;
    throw e;
  }
}

type Mutation = { kind: 'flip' | 'insert' | 'delete' | 'truncate'; at: number; byte: number };

const mutation = fc.record({
  kind: fc.constantFrom<Mutation['kind']>('flip', 'insert', 'delete', 'truncate'),
  at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
  // Bytes that matter to RESP come up often; any byte can.
  byte: fc.oneof(fc.constantFrom(13, 10, 36, 42, 43, 45, 58, 48, 57), fc.integer({ min: 0, max: 255 })),
});

/** Applies mutations; returns the new bytes and the first offset that differs from the original. */
function mutate(wire: Buffer, ms: Array<{ kind: Mutation['kind']; at: number; byte: number }>): { bytes: Buffer; firstChange: number } {
  let bytes = Buffer.from(wire);
  let firstChange = bytes.length;
  for (const m of ms) {
    const at = Math.floor(m.at * bytes.length);
    if (bytes.length === 0) break;
    if (m.kind === 'flip') bytes[at] = bytes[at] === m.byte ? (m.byte + 1) & 0xff : m.byte;
    else if (m.kind === 'insert') bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([m.byte]), bytes.subarray(at)]);
    else if (m.kind === 'delete') bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
    else bytes = Buffer.from(bytes.subarray(0, at));
    firstChange = Math.min(firstChange, at);
  }
  return { bytes, firstChange };
}

describe('parser fuzz (fast-check)', () => {
  it('random valid streams, cut anywhere, parse to exactly the values sent, in both modes', () => {
    withSeed(() =>
      fc.assert(
        fc.property(stream, cuts, fc.boolean(), (values, fractions, buffers) => {
          const wire = Buffer.concat(values.map((v) => v.wire));
          const out = run(chunksOf(wire, fractions), buffers);
          expect(out.error).toBeNull();
          expect(out.replies).toEqual(values.map((v) => (buffers ? v.asBuffer : v.asString)));
        }),
        { ...RUNS, seed: SEED },
      ),
    );
  });

  it('mutated streams: only ProtocolError, the same outcome however the bytes are cut, and every reply before the first change is the one sent', () => {
    withSeed(() =>
      fc.assert(
        fc.property(stream, fc.array(mutation, { minLength: 1, maxLength: 3 }), cuts, fc.boolean(), (values, ms, fractions, buffers) => {
          const wire = Buffer.concat(values.map((v) => v.wire));
          const { bytes, firstChange } = mutate(wire, ms);
          const whole = run([Buffer.from(bytes)], buffers);
          const split = run(chunksOf(bytes, fractions), buffers);
          expectSameOutcome(split, whole);
          // A reply whose bytes all precede the first change must be exactly the value sent.
          let end = 0;
          values.forEach((v, i) => {
            end += v.wire.length;
            if (end <= firstChange) {
              expect(whole.replies.length).toBeGreaterThan(i);
              expect(whole.replies[i]).toEqual(buffers ? v.asBuffer : v.asString);
            }
          });
          // Each reply takes at least 3 bytes ("+\r\n"): nothing is handed out from thin air.
          expect(whole.replies.length).toBeLessThanOrEqual(Math.floor(bytes.length / 3));
        }),
        { ...RUNS, seed: SEED },
      ),
    );
  });

  it('random bytes: only ProtocolError, the same outcome however they are cut', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 200 }),
      // Mostly RESP-looking bytes, so the parser gets past the first byte.
      fc.array(fc.constantFrom(...Buffer.from('+-:$*\r\n0123456789-1ab')), { maxLength: 200 }).map((a) => Uint8Array.from(a)),
    );
    withSeed(() =>
      fc.assert(
        fc.property(bytes, cuts, fc.boolean(), (u, fractions, buffers) => {
          const input = Buffer.from(u);
          const whole = run([Buffer.from(input)], buffers);
          const split = run(chunksOf(input, fractions), buffers);
          expectSameOutcome(split, whole);
        }),
        { ...RUNS, seed: SEED },
      ),
    );
  });
});

// ---- hostile generators: what a malicious or broken server can send ----

/** A hostile tail: a line with no end, nesting with no end, a header claiming far more than comes. */
const hostile = fc.oneof(
  // A line that never ends (or ends far past any limit), of each type.
  fc.record({
    type: fc.constantFrom('+', '-', ':', '$', '*'),
    size: fc.integer({ min: 1, max: 3 * 1024 * 1024 }),
    byte: fc.constantFrom(0x61, 0x31, 0x0a, 0x00, 0xff),
  }).map(({ type, size, byte }) => Buffer.concat([Buffer.from(type), Buffer.alloc(size, byte)])),
  // Nesting with no end.
  fc.record({ n: fc.integer({ min: 1, max: 16 }), depth: fc.integer({ min: 129, max: 20000 }) }).map(({ n, depth }) =>
    Buffer.from(`*${n}\r\n`.repeat(depth)),
  ),
  // Huge headers followed by a little of what they announce.
  fc.record({
    type: fc.constantFrom('$', '*'),
    claim: fc.constantFrom(536870912, 536870913, 268435456, 2 ** 31, 9999999999, 99999999999),
    tail: fc.integer({ min: 0, max: 4096 }),
  }).map(({ type, claim, tail }) => Buffer.concat([Buffer.from(`${type}${claim}\r\n`), Buffer.alloc(tail, type === '$' ? 0x78 : 0x2a)])),
);

describe('parser fuzz: hostile input', () => {
  it('valid replies then a hostile tail, cut anywhere: the replies before it exactly as sent, then only ProtocolError or waiting, refused within a bounded number of bytes', () => {
    withSeed(() =>
      fc.assert(
        fc.property(stream, hostile, fc.integer({ min: 1, max: 70000 }), fc.boolean(), (values, tail, chunk, buffers) => {
          const good = Buffer.concat(values.map((v) => v.wire));
          const wire = Buffer.concat([good, tail]);
          const replies: Reply[] = [];
          const parser = new Parser((r) => replies.push(r));
          parser.returnBuffers = buffers;
          let fed = 0;
          let error: unknown = null;
          try {
            for (; fed < wire.length; fed += chunk) parser.execute(wire.subarray(fed, fed + chunk));
          } catch (e) {
            error = e;
          }
          expect(replies.slice(0, values.length)).toEqual(values.map((v) => (buffers ? v.asBuffer : v.asString)));
          // The tail is never a whole reply: nothing after the good ones is handed out.
          expect(replies.length).toBe(values.length);
          if (error !== null) {
            expect(error).toBeInstanceOf(ProtocolError);
            // Refused once past the longest allowed line (plus the chunk that carried it), not at the end.
            expect(fed - good.length).toBeLessThanOrEqual(PARSER_LIMITS.maxTextLine + 3 + chunk);
          } else {
            expect(parser.inReply).toBe(true);
          }
        }),
        { ...RUNS, numRuns: Math.min(RUNS.numRuns, 150), seed: SEED },
      ),
    );
  });
});
