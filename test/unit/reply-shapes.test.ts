// Reply transforms against replies of the wrong shape (a scripted peer
// answers what a hostile or broken server might): the caller whose command
// got it gets an UnexpectedReplyError (a LedisError), and every other
// caller on the same connection gets its own reply.
import { afterEach, describe, expect, it } from 'vitest';
import { Ledis, LedisError, Parser, UnexpectedReplyError, type Reply } from '../../src/index.js';
import { startScriptedPeer, type ScriptedPeer } from './peer.js';

/** A peer that answers each request by its first word, from `answers` (raw RESP), else `+OK`. */
async function peerAnswering(answers: Record<string, () => string | Buffer>): Promise<ScriptedPeer> {
  return startScriptedPeer((sock) => {
    const parser = new Parser((req: Reply) => {
      const name = Array.isArray(req) ? String(req[0]).toUpperCase() : '';
      const answer = Object.prototype.hasOwnProperty.call(answers, name) ? (answers[name] as () => string | Buffer)() : '+OK\r\n';
      sock.write(answer);
    });
    sock.on('data', (chunk: Buffer) => parser.execute(chunk));
  });
}

let peer: ScriptedPeer | undefined;
let ledis: Ledis | undefined;
afterEach(async () => {
  ledis?.disconnect();
  await peer?.close();
  peer = undefined;
  ledis = undefined;
});

describe('a reply of a shape its transform did not expect', () => {
  it('HGETALL answered with an integer rejects that caller with UnexpectedReplyError; the GET beside it gets its value', async () => {
    peer = await peerAnswering({ HGETALL: () => ':5\r\n', GET: () => '$2\r\nok\r\n' });
    ledis = new Ledis({ host: '127.0.0.1', port: peer.port, retryStrategy: () => null });
    const [h, g] = await Promise.allSettled([ledis.hgetall('h'), ledis.get('k')]);
    expect(h.status).toBe('rejected');
    const err = (h as PromiseRejectedResult).reason;
    expect(err).toBeInstanceOf(UnexpectedReplyError);
    expect(err).toMatchObject({ command: 'HGETALL' });
    expect(String(err.message)).toMatch(/HGETALL: expected an array of field\/value pairs, got 5/);
    expect(g).toEqual({ status: 'fulfilled', value: 'ok' });
    expect(await ledis.get('again')).toBe('ok');
  });

  it('every table transform given an integer, a nested array or an odd pair list rejects with a LedisError, never anything else', async () => {
    const shapes = [':5\r\n', '*1\r\n*1\r\n*0\r\n', '*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n', '*2\r\n*0\r\n:1\r\n', '+OK\r\n'];
    let shape = 0;
    peer = await startScriptedPeer((sock) => {
      const parser = new Parser(() => sock.write(shapes[shape % shapes.length] as string));
      sock.on('data', (chunk: Buffer) => parser.execute(chunk));
    });
    ledis = new Ledis({ host: '127.0.0.1', port: peer.port, retryStrategy: () => null });
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['hgetall', () => (ledis as Ledis).hgetall('h')],
      ['configGet', () => (ledis as Ledis).configGet('databases')],
      ['info', () => (ledis as Ledis).info()],
      ['smembers', () => (ledis as Ledis).smembers('s')],
      ['zrange', () => (ledis as Ledis).zrange('z', 0, -1, { withscores: true })],
      ['zscore', () => (ledis as Ledis).zscore('z', 'm')],
      ['xscan', () => (ledis as Ledis).xscan('KV')],
      ['xhscan', () => (ledis as Ledis).xhscan('h')],
      ['xzscan', () => (ledis as Ledis).xzscan('z')],
      ['time', () => (ledis as Ledis).time()],
      ['role', () => (ledis as Ledis).role()],
      ['exists', () => (ledis as Ledis).exists('k')],
      ['blpop', () => (ledis as Ledis).blpop('l', 1)],
      ['scriptExists', () => (ledis as Ledis).scriptExists('0'.repeat(40))],
    ];
    let wrong = 0;
    for (shape = 0; shape < shapes.length; shape++) {
      for (const [name, call] of calls) {
        const outcome = await call().then(
          (v) => ({ ok: true as const, v }),
          (e: unknown) => ({ ok: false as const, e }),
        );
        if (!outcome.ok && !(outcome.e instanceof LedisError)) {
          wrong++;
          expect.soft(outcome.e, `${name} given ${JSON.stringify(shapes[shape])}`).toBeInstanceOf(LedisError);
        }
      }
    }
    expect(wrong).toBe(0);
    // The transforms that must refuse these shapes did.
    shape = 0;
    await expect((ledis as Ledis).hgetall('h')).rejects.toBeInstanceOf(UnexpectedReplyError);
    await expect((ledis as Ledis).smembers('s')).rejects.toBeInstanceOf(UnexpectedReplyError);
    await expect((ledis as Ledis).xscan('KV')).rejects.toBeInstanceOf(UnexpectedReplyError);
    shape = 1;
    await expect((ledis as Ledis).hgetall('h')).rejects.toBeInstanceOf(UnexpectedReplyError);
    shape = 2;
    await expect((ledis as Ledis).hgetall('h')).rejects.toThrow(/even number/);
  });

  it('HGETALL whose field is a 100,000-deep nested array rejects with a LedisError (no RangeError)', async () => {
    const depth = 100_000;
    const deep = Buffer.from('*2\r\n' + '*1\r\n'.repeat(depth) + '*0\r\n' + '$1\r\nv\r\n');
    peer = await peerAnswering({ HGETALL: () => deep, GET: () => '$2\r\nok\r\n' });
    ledis = new Ledis({ host: '127.0.0.1', port: peer.port, retryStrategy: () => null });
    const [h] = await Promise.allSettled([ledis.hgetall('h'), ledis.get('k')]);
    expect(h.status).toBe('rejected');
    // An UnexpectedReplyError from the transform, or a ProtocolError where the parser caps nesting: a LedisError either way.
    expect((h as PromiseRejectedResult).reason).toBeInstanceOf(LedisError);
  });
});
