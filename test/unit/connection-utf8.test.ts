// Every length on the wire is a byte length, the command name's included,
// checked against the real LedisDB with other callers' commands written in
// the same tick: a wrong length would desynchronise the stream (the server
// drops the connection, or reads a smuggled command whose reply reaches an
// innocent caller). Lone surrogates, which UTF-8 cannot carry, are refused.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Connection, DataError, ResponseError, encodeCommand } from '../../src/index.js';
import { MAX_COMMAND_BYTES } from '../../src/protocol/encoder.js';
import { prefix, serverAddress } from '../helpers.js';

const conn = new Connection({ ...serverAddress() });
afterAll(() => conn.disconnect());
const p = prefix('utf8');

/** One character of each UTF-8 width, and the bytes that matter to RESP. */
const chars = ['a', 'é', 'ß', '€', '日', '😀', '𝄞', '\r', '\n', '\0', ' ', '$', '*'];
const text = fc.array(fc.constantFrom(...chars), { maxLength: 12 }).map((a) => a.join(''));

describe('byte lengths on the wire', () => {
  it('the name\'s length header counts bytes: "gét" is $4', () => {
    expect(encodeCommand('gét', ['x'])).toBe('*2\r\n$4\r\ngét\r\n$1\r\nx\r\n');
    expect(encodeCommand('😀', [])).toBe('*1\r\n$4\r\n😀\r\n');
  });

  it('sendCommand("gét", "x") fails alone: other callers in the same tick get their own replies and the connection stays', async () => {
    await conn.sendCommand('SET', `${p}a`, 'A');
    const closes: number[] = [];
    conn.on('close', () => closes.push(1));
    const before = conn.pending;
    const [bad, mine, other] = await Promise.allSettled([
      conn.sendCommand('gét', 'x'),
      conn.sendCommand('GET', `${p}a`),
      conn.sendCommand('PING'),
    ]);
    expect(before).toBe(0);
    expect(bad.status).toBe('rejected');
    expect((bad as PromiseRejectedResult).reason).toBeInstanceOf(ResponseError);
    expect(mine).toEqual({ status: 'fulfilled', value: 'A' });
    expect(other).toEqual({ status: 'fulfilled', value: 'PONG' });
    expect(closes).toEqual([]);
  });

  it('a crafted name ending in CRLF plus a RESP command smuggles nothing', async () => {
    const victim = `${p}victim`;
    await conn.sendCommand('SET', victim, 'original');
    // With a UTF-16 count this name's header said 12 bytes too few, and the server read the SET that follows.
    const smuggle = `${'é'.repeat(12)}\r\n*3\r\n$3\r\nSET\r\n$${Buffer.byteLength(victim)}\r\n${victim}\r\n$6\r\nhacked\r\n`;
    const results = await Promise.allSettled([conn.sendCommand(smuggle), conn.sendCommand('GET', victim), conn.sendCommand('GET', victim)]);
    expect(results[0].status).toBe('rejected');
    expect(results[1]).toEqual({ status: 'fulfilled', value: 'original' });
    expect(results[2]).toEqual({ status: 'fulfilled', value: 'original' });
    expect(await conn.sendCommand('GET', victim)).toBe('original');
  });

  it('keys, values and names across 1-, 2-, 3- and 4-byte UTF-8 (and CR, LF, NUL) round-trip, with other callers in the same tick', async () => {
    let round = 0;
    await fc.assert(
      fc.asyncProperty(text, text, fc.boolean(), async (k, v, asBuffer) => {
        const key = `${p}${round++}:${k}`;
        const value = asBuffer ? Buffer.from(v) : v;
        const results = await Promise.all([
          conn.sendCommand('SET', key, value),
          conn.sendCommand('GET', key),
          conn.sendCommand('ECHO', v),
          conn.sendCommand(`x${k}`, v).then(
            () => 'resolved',
            (e: Error) => (e instanceof ResponseError ? 'refused' : e.constructor.name),
          ),
          conn.sendCommand('STRLEN', key),
          conn.sendCommand('PING'),
        ]);
        expect(results).toEqual(['OK', v, v, 'refused', Buffer.byteLength(v), 'PONG']);
      }),
      { numRuns: 150, interruptAfterTimeLimit: 8000 },
    );
  });

  it('a lone surrogate, which UTF-8 cannot carry, is refused with a DataError before anything is sent (name or argument)', async () => {
    for (const bad of ['\uD800', 'a\uDFFFb', 'x\uD83D', '\uDE00'.repeat(40), 'é'.repeat(40) + '\uD800']) {
      await expect(conn.sendCommand('SET', `${p}s`, bad)).rejects.toBeInstanceOf(DataError);
      await expect(conn.sendCommand(`GET${bad}`, 'k')).rejects.toBeInstanceOf(DataError);
    }
    // A proper pair is fine, short or long.
    expect(await conn.sendCommand('ECHO', '😀')).toBe('😀');
    expect(await conn.sendCommand('ECHO', '😀'.repeat(40))).toBe('😀'.repeat(40));
  });

  it('a 600 MiB command is refused with a DataError, not RangeError: Invalid string length', async () => {
    const third = 'x'.repeat(200 * 1024 * 1024);
    const err = await conn.sendCommand('MSET', `${p}1`, third, `${p}2`, third, `${p}3`, third).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/MiB limit/);
    const buf = Buffer.alloc(MAX_COMMAND_BYTES + 1);
    await expect(conn.sendCommand('SET', `${p}b`, buf)).rejects.toBeInstanceOf(DataError);
    expect(await conn.sendCommand('PING')).toBe('PONG');
  });
});

describe('a command name that is not a string', () => {
  it('sendCommand(undefined) on a connection is a rejected promise with a DataError, not a synchronous TypeError', async () => {
    let p: Promise<unknown> | undefined;
    expect(() => {
      p = conn.sendCommand(undefined as unknown as string, 'x');
    }).not.toThrow();
    await expect(p).rejects.toBeInstanceOf(DataError);
    await expect(conn.sendCommand('' as string)).rejects.toBeInstanceOf(DataError);
    expect(await conn.sendCommand('PING')).toBe('PONG');
  });
});
