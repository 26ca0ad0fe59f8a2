// Bad arguments are refused with a DataError naming the command before a
// single byte is written: every method of the command table (all families),
// from the client and from a pipeline, against a loopback peer that records
// every byte it receives and never answers.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandTable } from '../../src/commands/index.js';
import { DataError, Ledis } from '../../src/index.js';

let server: net.Server;
let received = 0;
let ledis: Ledis;
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('data', (d) => {
      received += d.length;
    });
    sock.on('close', () => sockets.delete(sock));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  // A command that did go out gets no reply; the timeout keeps the test from waiting on it.
  ledis = new Ledis({ host: '127.0.0.1', port, commandTimeout: 500 });
  await ledis.connect();
});

afterAll(async () => {
  ledis.disconnect();
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** Lets a flush that might have been scheduled happen, and its bytes arrive. */
const settle = () => new Promise((r) => setTimeout(r, 20));

type Method = (...args: unknown[]) => Promise<unknown>;
// A method whose shaper takes no parameters (configRewrite, scriptFlush...) has no argument to get wrong.
const methods = Object.entries(commandTable).filter(([, spec]) => !/^\(\s*\)/.test(String(spec.args)));
// Never a valid argument: not a key, a value, a number, a mapping or an options object.
const junk = function notAnArgument() {};
/** The error names the command as sent, a subcommand ("CONFIG GET"), or the method's own name (BOPT for bopt). */
const namesIt = (err: DataError, method: string, command: string) =>
  (err.command?.startsWith(command) || err.command === method.toUpperCase()) && err.message.includes(err.command as string);

describe('bad arguments are refused before anything is written', () => {
  it(`every one of the ${methods.length} table methods that take arguments, given a function for each, rejects with a DataError naming its command`, async () => {
    const wrong: string[] = [];
    for (const [method, spec] of methods) {
      const fn = (ledis as unknown as Record<string, Method>)[method] as Method;
      const before = received;
      const outcome = await fn.call(ledis, junk, junk, junk, junk).then(
        () => 'resolved',
        (err: unknown) => err,
      );
      await settle();
      if (received !== before) wrong.push(`${method}: ${received - before} bytes written`);
      if (!(outcome instanceof DataError)) {
        wrong.push(`${method}: ${outcome instanceof Error ? `${outcome.name}: ${outcome.message}` : String(outcome)}`);
      } else if (!namesIt(outcome, method, spec.command)) {
        wrong.push(`${method}: DataError names ${outcome.command}, not ${spec.command}: ${outcome.message}`);
      }
    }
    expect(wrong.join('\n')).toBe('');
    expect(received).toBe(0);
  });

  it('every table method refuses the same arguments in a pipeline, at once, and exec() then has nothing to send', async () => {
    const accepted: string[] = [];
    const pipeline = ledis.pipeline() as unknown as Record<string, Method>;
    for (const [method, spec] of methods) {
      try {
        (pipeline[method] as Method).call(pipeline, junk, junk, junk, junk);
        accepted.push(method);
      } catch (err) {
        expect(err, method).toBeInstanceOf(DataError);
        expect(namesIt(err as DataError, method, spec.command), method).toBe(true);
      }
    }
    expect(accepted).toEqual([]);
    expect(await (pipeline as unknown as { exec(): Promise<unknown[]> }).exec()).toEqual([]);
    await settle();
    expect(received).toBe(0);
  });

  // The bad inputs the specification names, family by family.
  const cases: Array<[string, () => Promise<unknown>]> = [
    ['SET with undefined', () => ledis.set('k', undefined as never)],
    ['SET with an object value', () => ledis.set('k', {} as never)],
    ['SET with NaN', () => ledis.set('k', NaN)],
    ['MSET with an empty mapping', () => ledis.mset({})],
    ['MGET with no keys', () => ledis.mget([])],
    ['INCRBY by a fraction', () => ledis.incrby('k', 1.5)],
    ['EXPIRE by a fraction of a second', () => ledis.expire('k', 1.5)],
    ['EXPIREAT an invalid Date', () => ledis.expireat('k', new Date('nope'))],
    ['SETRANGE at a negative offset', () => ledis.setrange('k', -1, 'v')],
    ['HMSET with an empty mapping', () => ledis.hmset('h', {})],
    ['HSET with undefined', () => ledis.hset('h', 'f', undefined as never)],
    ['HINCRBY by a fraction', () => ledis.hincrby('h', 'f', 0.5)],
    ['LPUSH with an object', () => ledis.lpush('l', {} as never)],
    ['LRANGE with a fractional index', () => ledis.lrange('l', 0.5, 2)],
    ['SADD with undefined', () => ledis.sadd('s', undefined as never)],
    ['SINTER with no keys', () => ledis.sinter([])],
    ['ZADD with a fractional score', () => ledis.zadd('z', { m: 1.5 })],
    ['ZADD with an odd score/member list', () => ledis.zadd('z', 1, 'a', 2)],
    ['ZINCRBY by a fraction', () => ledis.zincrby('z', 'm', 0.25)],
    ['ZRANGEBYSCORE with a bound that is not a score', () => ledis.zcount('z', 'low', 10)],
    ['SETBIT to 2', () => ledis.setbit('b', 0, 2 as never)],
    ['SETBIT at a negative offset', () => ledis.setbit('b', -1, 1)],
    ['BITOP with an unknown operation', () => ledis.bitop('NAND' as never, 'd', 'a')],
    ['XSCAN of an unknown type', () => ledis.xscan('STRING' as never)],
    ['XLSORT with a fractional limit', () => ledis.xlsort('l', { limit: [0.5, 2] })],
    ['EVAL with a key that is an object', () => ledis.eval('return 1', [{} as never])],
    ['SLAVEOF with a port that is not one', () => ledis.slaveof('127.0.0.1', 70000)],
    ['XMIGRATE of an unknown type', () => ledis.xmigrate('127.0.0.1', 6380, 'STRING' as never, 'k', 0, 1000)],
    ['ECHO with undefined', () => ledis.echo(undefined as never)],
    ['sendCommand with an object', () => ledis.sendCommand('SET', 'k', {})],
  ];
  for (const [what, call] of cases) {
    it(`${what}: DataError, nothing written`, async () => {
      const before = received;
      await expect(call()).rejects.toBeInstanceOf(DataError);
      await settle();
      expect(received - before).toBe(0);
    });
  }
});
