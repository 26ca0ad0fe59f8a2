// Every command method of the table, answered with a reply of the wrong
// shape for what it is declared to return, rejects that caller with a
// LedisError (UnexpectedReplyError for the shape checks), and the GET sent
// next on the same connection still gets its own reply. The sweep walks the
// table itself, so a new entry is covered (or fails here) without a hand list.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError, Ledis, LedisError, Parser, UnexpectedReplyError, type Reply } from '../../src/index.js';
import { commandTable } from '../../src/commands/index.js';
import type { ReplyKind } from '../../src/commands/shape.js';
import { startScriptedPeer, type ScriptedPeer } from './peer.js';

/** A wrong reply for each declared kind: of a different RESP type than any the kind allows. */
const WRONG: Record<ReplyKind, string> = {
  integer: '$1\r\n5\r\n',
  integerOrNull: '$1\r\n5\r\n',
  bulk: ':5\r\n',
  bulkOrNull: ':5\r\n',
  status: ':5\r\n',
  bulkList: ':5\r\n',
  integerOrBulkList: '*1\r\n*0\r\n',
};
/** For entries with their own transform (HGETALL's pairs, toBool...): a nested array fits none of them. */
const NESTED = '*1\r\n*1\r\n*0\r\n';
/** Declared to return any reply (a script's): no shape to check, raw as sendCommand. */
const ANY_REPLY = new Set(['eval', 'evalsha']);
/** Own transforms for which a nested array is a legitimate reply (and that reply is handed on). */
const NESTED_OK = new Set<string>([]);

/** Argument lists tried in turn until the method's argument checks accept one (a DataError sends nothing). */
const CANDIDATES: unknown[][] = [
  ['k'],
  ['k', 'v'],
  ['k', 1],
  ['k', 'f', 'v'],
  ['k', 0, 1],
  ['k', 1, 'v'],
  ['k', 0, 'v'],
  ['k', { f: 1 }],
  [{ k: 'v' }],
  ['k', 'k2'],
  ['d', 'k', 'k2'],
  ['and', 'd', 'k'],
  [],
  ['k', '-', '+'],
  ['KV'],
  ['k', 1, 0],
  ['127.0.0.1', 1],
];
/** Methods no candidate fits. */
const ARGS: Record<string, unknown[]> = {
  xdump: ['KV', 'k'],
  xrestore: ['KV', 'k', 0, Buffer.from('x')],
  xmigrate: ['127.0.0.1', 1, 'KV', 'k', 0, 1000],
  xmigratedb: ['127.0.0.1', 1, 'KV', 10, 0, 1000],
  script: ['LOAD', 'return 1'],
  config: ['GET', 'databases'],
};

/** The next request for `target.command` is answered `target.answer` (once); other GETs "mine"; anything else +OK. */
let target: { command: string; answer: string } | null = null;
let peer: ScriptedPeer;
let ledis: Ledis;
beforeAll(async () => {
  peer = await startScriptedPeer((sock) => {
    const parser = new Parser((req: Reply) => {
      const name = Array.isArray(req) ? String(req[0]).toUpperCase() : '';
      if (target !== null && name === target.command) {
        sock.write(target.answer);
        target = null;
      } else sock.write(name === 'GET' ? '$4\r\nmine\r\n' : '+OK\r\n');
    });
    sock.on('data', (chunk: Buffer) => parser.execute(chunk));
  });
  ledis = new Ledis({ host: '127.0.0.1', port: peer.port, retryStrategy: () => null });
  await ledis.ping();
});
afterAll(async () => {
  ledis.disconnect();
  await peer.close();
});

async function settle(p: () => unknown): Promise<{ ok: boolean; v?: unknown; e?: unknown }> {
  try {
    return { ok: true, v: await p() };
  } catch (e) {
    return { ok: false, e };
  }
}

describe('every table method against a reply of the wrong shape', () => {
  it('rejects that caller with a LedisError; the GET after it on the connection gets its own reply', async () => {
    const methods = Object.keys(commandTable);
    expect(methods.length).toBeGreaterThan(150);
    const unchecked: string[] = [];
    const noArgs: string[] = [];
    const accepted: string[] = [];
    const wrongError: string[] = [];
    const getLost: string[] = [];
    const notSent: string[] = [];
    let swept = 0;
    for (const method of methods) {
      const spec = commandTable[method]!;
      if (spec.reply === undefined && spec.replyStrings === undefined) {
        if (!ANY_REPLY.has(method)) unchecked.push(method);
        continue;
      }
      const kind = (spec.reply as { kind?: ReplyKind } | undefined)?.kind;
      const wrong = kind === undefined ? NESTED : WRONG[kind];
      const fn = (ledis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!;
      let outcome: { ok: boolean; v?: unknown; e?: unknown } | undefined;
      for (const args of ARGS[method] ? [ARGS[method]] : CANDIDATES) {
        target = { command: spec.command, answer: wrong };
        const o = await settle(() => fn.apply(ledis, args));
        if (!o.ok && o.e instanceof DataError) continue;
        outcome = o;
        break;
      }
      const answered = target === null;
      target = null;
      if (outcome === undefined) {
        noArgs.push(method);
        continue;
      }
      swept++;
      if (!answered) notSent.push(method);
      if (outcome.ok) {
        if (!NESTED_OK.has(method)) accepted.push(`${method} -> ${JSON.stringify(outcome.v)}`);
      } else if (!(outcome.e instanceof LedisError) || (kind !== undefined && !(outcome.e instanceof UnexpectedReplyError))) {
        wrongError.push(`${method}: ${String(outcome.e)}`);
      }
      const g = await settle(() => ledis.get('after'));
      if (!g.ok || g.v !== 'mine') getLost.push(`${method}: ${JSON.stringify(g.ok ? g.v : String(g.e))}`);
    }
    expect({ unchecked, noArgs, notSent, accepted, wrongError, getLost }).toEqual({ unchecked: [], noArgs: [], notSent: [], accepted: [], wrongError: [], getLost: [] });
    expect(swept).toBe(methods.length - ANY_REPLY.size);
  });

  it('raw sendCommand stays unchecked: the reply is handed on as it came', async () => {
    target = { command: 'INCR', answer: '*1\r\n*0\r\n' };
    expect(await ledis.sendCommand('INCR', 'k')).toEqual([[]]);
    target = { command: 'GET', answer: ':5\r\n' };
    expect(await ledis.sendCommand('GET', 'k')).toBe(5);
  });

  it('the reported cases: INCR answered [[]] and GET answered 5 reject with UnexpectedReplyError', async () => {
    target = { command: 'INCRBY', answer: '*1\r\n*0\r\n' };
    // incr is sent as INCRBY (the peer answers that name) and its error names INCR, the method called.
    await expect(ledis.incr('k')).rejects.toMatchObject({ name: 'UnexpectedReplyError', command: 'INCR', message: expect.stringMatching(/^INCR: /) });
    target = { command: 'GET', answer: ':5\r\n' };
    await expect(ledis.get('k')).rejects.toMatchObject({ name: 'UnexpectedReplyError', command: 'GET' });
    target = { command: 'FLUSHDB', answer: ':1\r\n' };
    await expect(ledis.flushdb()).rejects.toThrow(UnexpectedReplyError);
    expect(await ledis.get('k')).toBe('mine');
  });
});
