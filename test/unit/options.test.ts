// Every option is checked at construction (and in fromUrl's query string):
// a DataError naming the option, the value and what is allowed; an unknown
// name is a DataError too, with a suggestion. Passwords never show up in
// messages, util.inspect or JSON.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlockingConnectionPool, Command, Connection, ConnectionPool, DataError, Ledis, LedisError, type LedisOptions } from '../../src/index.js';
import { serverAddress } from '../helpers.js';

const ROOT = path.resolve(__dirname, '../..');

function refusal(make: () => unknown): DataError {
  try {
    const made = make() as { disconnect?: () => void } | undefined;
    made?.disconnect?.();
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return err as DataError;
  }
  throw new Error('expected a DataError at construction');
}

describe('options are checked at construction', () => {
  const bad: Array<[string, unknown, RegExp]> = [
    ['db', NaN, /invalid option db: got NaN; expected a non-negative integer/],
    ['db', {}, /invalid option db: got an object/],
    ['db', -1, /db/],
    ['db', 1.5, /db/],
    ['password', {}, /invalid option password: got a object; expected a string/],
    ['maxPending', NaN, /maxPending: got NaN; expected an integer >= 1/],
    ['maxPending', 0, /maxPending: got 0/],
    ['connections', NaN, /connections: got NaN; expected an integer in \[1, 1024\]/],
    ['connections', Infinity, /connections: got Infinity/],
    ['connections', 0, /connections/],
    ['port', 'abc', /port: got "abc"; expected an integer in \[1, 65535\]/],
    ['port', 70000, /port/],
    ['commandTimeout', -5, /commandTimeout: got -5; expected 0 for no limit: a number of ms/],
    ['connectTimeout', -1, /connectTimeout: got -1/],
    ['offlineTimeout', -1, /offlineTimeout: got -1/],
    ['socketTimeout', 2 ** 31, /socketTimeout/],
    ['keepAlive', NaN, /keepAlive/],
    ['retryStrategy', 'x', /retryStrategy: got "x"; expected a function/],
    ['lazyConnect', 'yes', /lazyConnect: got "yes"; expected true or false/],
    ['offlineQueue', 1, /offlineQueue/],
    ['flushThreshold', -1, /flushThreshold/],
    ['bigIntegers', 'number', /bigIntegers/],
    ['host', '', /host/],
    ['host', 42, /host/],
    ['unixSocketPath', 5, /unixSocketPath/],
    ['tls', 'on', /tls/],
    ['decodeResponses', 'false', /decodeResponses/],
    ['encoding', 'latin1', /encoding/],
    ['readFrom', 'slave', /readFrom/],
    ['maxConnections', 0, /maxConnections/],
  ];
  it.each(bad)('%s: %s is a DataError naming the option', (name, value, message) => {
    const err = refusal(() => new Ledis({ lazyConnect: true, [name]: value } as LedisOptions));
    expect(err.message).toMatch(message);
    expect(err.message).toContain(name);
  });

  it('with lazyConnect, port "abc" is refused at construction: no synchronous throw from get(), no orphaned rejection', () => {
    refusal(() => new Ledis({ port: 'abc' as never, lazyConnect: true }));
  });

  it('a decimal string port (from an environment variable) is accepted', async () => {
    const { host, port } = serverAddress();
    const c = new Ledis({ host, port: String(port) });
    expect(await c.ping()).toBe(true);
    await c.quit();
  });

  it('an unknown option is a DataError with a suggestion; ioredis options are named', () => {
    expect(refusal(() => new Ledis({ comandTimeout: 5 } as never)).message).toMatch(/unknown option "comandTimeout" \(did you mean commandTimeout\?\)/);
    expect(refusal(() => new Ledis({ DB: 1 } as never)).message).toMatch(/did you mean db\?/);
    expect(refusal(() => new Ledis({ keyPrefix: 5 } as never)).message).toMatch(/keyPrefix/);
    expect(refusal(() => new Ledis({ keyprefix: 'app:' } as never)).message).toMatch(/did you mean keyPrefix\?/);
    expect(refusal(() => new Ledis({ maxRetriesPerRequest: 3 } as never)).message).toMatch(/unknown option "maxRetriesPerRequest".*offlineTimeout/);
    expect(refusal(() => new Ledis({ enableOfflineQueue: false } as never)).message).toMatch(/offlineQueue/);
    expect(refusal(() => new Ledis({ zzzzzzzz: 1 } as never)).message).toBe('unknown option "zzzzzzzz"');
    expect(refusal(() => new Ledis(null as never)).message).toMatch(/options must be an object/);
    expect(refusal(() => new Ledis({ master: { prot: 1 } } as never)).message).toMatch(/did you mean port\?/);
  });

  it("node-redis's and ioredis's option names point at ledis/node-redis and ledis/ioredis, and at the nearest option here", () => {
    expect(refusal(() => new Ledis({ socket: { host: 'h' } } as never)).message).toMatch(/"socket" \(a node-redis option: createClient from 'ledis\/node-redis'.*host, port/);
    expect(refusal(() => new Ledis({ database: 2 } as never)).message).toMatch(/ledis\/node-redis.*did you mean db\?/);
    expect(refusal(() => new Ledis({ reconnectStrategy: () => 1 } as never)).message).toMatch(/ledis\/node-redis.*retryStrategy/);
    expect(refusal(() => new Ledis({ commandsQueueMaxLength: 5 } as never)).message).toMatch(/maxPending/);
    expect(refusal(() => new Ledis({ maxRetriesPerRequest: 3 } as never)).message).toMatch(/Redis from 'ledis\/ioredis'/);
    expect(refusal(() => new Ledis({ enableAutoPipelining: true } as never)).message).toMatch(/ledis\/ioredis/);
    expect(refusal(() => new Ledis({ sentinels: [] } as never)).message).toMatch(/ledis\/ioredis.*master, replicas/);
  });

  it('pools and connections check their options too', () => {
    refusal(() => new ConnectionPool({ connections: NaN, lazyConnect: true }));
    refusal(() => new BlockingConnectionPool({ timeout: -1, lazyConnect: true }));
    refusal(() => new Connection({ db: NaN, lazyConnect: true }));
    refusal(() => ConnectionPool.fromUrl('ledis://localhost?connections=Infinity'));
  });
});

describe('fromUrl checks the URL and its query string the same way, and never quotes the password', () => {
  const secret = 'hunter2-s3cret';
  const malformed = [
    `ledis://:${secret}@`,
    `ledis://:${secret}@host:99999`,
    `ledis://:${secret}@host/abc`,
    `ledis://:${secret}@host/0?db=x`,
    `ledis://:${secret}@host/0?connectTimeout=abc`,
    `ledis://:${secret}@host/0?lazyConnect=maybe`,
    `ledis://:${secret}@host/0?comandTimeout=5`,
    `http://:${secret}@host/0`,
    `unix://:${secret}@`,
    `ledis://:${secret}%@host/0`,
    `ledis://:${secret}%zz@host/0`,
    `ledis://host/0?password=${secret}&db=x`,
    `not a url ${secret}@`,
  ];
  it.each(malformed)('%s is a DataError without the password', (url) => {
    const err = refusal(() => Ledis.fromUrl(url, { lazyConnect: true }));
    expect(err.message).not.toContain(secret);
    expect(err.message).not.toContain('hunter2');
  });

  it('a raw % in the password is a DataError that says how to write it', () => {
    expect(refusal(() => Ledis.fromUrl('ledis://:50%off@localhost/0', { lazyConnect: true })).message).toMatch(/percent-encoding \(write a % as %25\)/);
    const ok = Ledis.fromUrl('ledis://:50%25off@localhost/0', { lazyConnect: true });
    expect(ok.options.password).toBe('50%off');
    ok.disconnect();
  });

  it('query-string options are checked like constructor options', () => {
    expect(refusal(() => Ledis.fromUrl('ledis://localhost/0?maxPending=0', { lazyConnect: true })).message).toMatch(/maxPending: got 0/);
    expect(refusal(() => Ledis.fromUrl('ledis://localhost/0?connections=5000', { lazyConnect: true })).message).toMatch(/connections/);
    expect(refusal(() => Ledis.fromUrl('ledis://localhost/0?keyPrefx=x', { lazyConnect: true })).message).toMatch(/unknown option "keyPrefx"/);
    expect(refusal(() => Ledis.fromUrl('ledis://localhost/0?__proto__=x', { lazyConnect: true })).message).toMatch(/unknown option/);
  });
});

describe('the password is redacted from inspection and JSON', () => {
  it('util.inspect and JSON.stringify of the client, its options, its pool and its connections never show it', () => {
    const secret = 'correct-horse-battery';
    const c = new Ledis({ password: secret, lazyConnect: true });
    const u = Ledis.fromUrl(`ledis://:${secret}@localhost:6380/2`, { lazyConnect: true });
    try {
      for (const x of [c, c.options, c.connectionPool, c.connectionPool.sharedList[0], u, u.options]) {
        expect(inspect(x, { depth: 8 })).not.toContain(secret);
      }
      for (const x of [c, c.options, u, u.options, c.connectionPool.sharedList[0]?.options]) {
        expect(JSON.stringify(x)).not.toContain(secret);
      }
      expect(JSON.stringify(c.options)).toContain('[redacted]');
      expect(inspect(new Command('AUTH', [secret]))).not.toContain(secret);
      expect(JSON.stringify(new Command('AUTH', [secret]))).not.toContain(secret);
      const t = new Ledis({ master: { host: '127.0.0.1', port: 1, password: secret }, password: secret, lazyConnect: true });
      expect(inspect(t.topology, { depth: 6 })).not.toContain(secret);
      t.disconnect();
      expect(c.options.password).toBe(secret);
      expect(u.options.password).toBe(secret);
    } finally {
      c.disconnect();
      u.disconnect();
    }
  });

  it('a password in the master or replica URLs (or objects) of a topology is redacted from the client and its options', () => {
    const secret = 'topology-secret-pw';
    const t = new Ledis({
      master: `ledis://:${secret}@127.0.0.1:1/0`,
      replicas: [`ledis://user:${secret}@127.0.0.1:2/0`, { host: '127.0.0.1', port: 3, password: secret }, `ledis://127.0.0.1:4/0?password=${secret}`],
      lazyConnect: true,
    });
    try {
      for (const x of [t, t.options]) {
        expect(inspect(x, { depth: 8 })).not.toContain(secret);
        expect(JSON.stringify(x)).not.toContain(secret);
      }
      expect(JSON.stringify(t.options)).toContain('127.0.0.1:2');
      expect(t.options.master).toBe(`ledis://:${secret}@127.0.0.1:1/0`);
    } finally {
      t.disconnect();
    }
  });
});

describe('inputs that crashed the process, in a child process with --unhandled-rejections=strict', () => {
  it('bad options, sendCommand(undefined) and friends fail where the caller looks; the process lives', () => {
    const dir = mkdtempSync(path.join(ROOT, '.cache', 'crash-'));
    const script = path.join(dir, 'crash.ts');
    const { port } = serverAddress();
    writeFileSync(
      script,
      `
import { Ledis } from ${JSON.stringify(path.join(ROOT, 'src/index.ts'))};
const out: string[] = [];
const attempt = (label: string, make: () => unknown) => {
  try { const c = make() as Ledis; out.push(label + ': made'); c.disconnect(); } catch (e) { out.push(label + ': ' + (e as Error).name); }
};
attempt('db NaN', () => new Ledis({ port: ${port}, db: Number(process.env.SURELY_UNSET_VARIABLE) }));
attempt('db {}', () => new Ledis({ port: ${port}, db: {} as never }));
attempt('password {}', () => new Ledis({ port: ${port}, password: {} as never }));
attempt('port abc', () => new Ledis({ port: 'abc' as never, lazyConnect: true }));
attempt('maxPending NaN', () => new Ledis({ port: ${port}, maxPending: NaN }));
attempt('connections Infinity', () => new Ledis({ port: ${port}, connections: Infinity }));
const c = new Ledis({ port: ${port} });
const settled = await Promise.allSettled([
  (c as any).sendCommand(undefined),
  (c as any).sendCommand(''),
  (c as any).sendCommand({}),
  (c as any).executeCommand(null, 1),
  c.sendCommand('SELECT', 1),
  c.sendCommand('auth', 'x'),
  (c as any).get(undefined),
  (c as any).hgetall(Symbol('x')),
  (c as any).mset(null),
  c.get('ok-after'),
]);
for (const s of settled) out.push(s.status === 'rejected' ? 'rejected ' + s.reason.name : 'fulfilled');
let threw = 'no';
try { (c.pipeline() as any).sendCommand(undefined); } catch (e) { threw = (e as Error).name; }
out.push('pipeline sendCommand(undefined) threw ' + threw);
try { (c.pipeline() as any).hgetall(Symbol('x')); threw = 'no'; } catch (e) { threw = (e as Error).name; }
out.push('pipeline hgetall(Symbol) threw ' + threw);
await new Promise((r) => setTimeout(r, 300));
await c.quit();
console.log(JSON.stringify(out));
`,
    );
    try {
      const stdout = execFileSync(process.execPath, ['--unhandled-rejections=strict', path.join(ROOT, 'node_modules/vite-node/vite-node.mjs'), script], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 60_000,
      });
      const out = JSON.parse(stdout.trim().split('\n').pop() as string) as string[];
      expect(out).toEqual([
        'db NaN: DataError',
        'db {}: DataError',
        'password {}: DataError',
        'port abc: DataError',
        'maxPending NaN: DataError',
        'connections Infinity: DataError',
        'rejected DataError',
        'rejected DataError',
        'rejected DataError',
        'rejected DataError',
        'rejected DataError',
        'rejected DataError',
        'rejected DataError',
        'rejected DataError',
        'rejected DataError',
        'fulfilled',
        'pipeline sendCommand(undefined) threw DataError',
        'pipeline hgetall(Symbol) threw DataError',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('property: random option objects', () => {
  const { host, port } = serverAddress();
  const junk = fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.constant(NaN),
    fc.constant(Infinity),
    fc.constant(-Infinity),
    fc.integer({ min: -10, max: 70000 }),
    fc.double(),
    fc.string({ maxLength: 8 }),
    fc.boolean(),
    fc.constant({}),
    fc.constant([]),
    fc.constant(() => null),
  );
  const valid = {
    host: fc.constantFrom(host, '127.0.0.1'),
    port: fc.constant(port),
    db: fc.integer({ min: 0, max: 15 }),
    connectTimeout: fc.constantFrom(0, 2000, 10_000),
    commandTimeout: fc.constantFrom(0, 5000),
    socketTimeout: fc.constantFrom(0, 10_000),
    maxPending: fc.integer({ min: 10, max: 200_000 }),
    offlineTimeout: fc.integer({ min: 1000, max: 10_000 }),
    offlineQueue: fc.constant(true),
    lazyConnect: fc.boolean(),
    flushThreshold: fc.integer({ min: 0, max: 1 << 20 }),
    keepAlive: fc.integer({ min: 0, max: 60_000 }),
    bigIntegers: fc.constantFrom('bigint', 'error'),
    connections: fc.integer({ min: 1, max: 3 }),
    decodeResponses: fc.boolean(),
    encoding: fc.constantFrom('utf-8', 'utf8', 'UTF-8'),
    readFrom: fc.constant('master'),
  } as const;
  // Names whose junk values stay harmless (never an address: only loopback is ever a target).
  const names = [
    ...Object.keys(valid).filter((k) => k !== 'host' && k !== 'port'),
    'password', 'retryStrategy', 'maxConnections', 'keyPrefix', 'constructor', '__proto__', 'toString',
  ];
  /** Address options with values that are always refused. */
  const badAddress = fc.oneof(
    fc.tuple(fc.constant('host'), fc.constantFrom<unknown>('', 42, {}, null)),
    fc.tuple(fc.constant('port'), fc.constantFrom<unknown>('abc', NaN, 0, 70000, -1, 1.5, {})),
    fc.tuple(fc.constant('unixSocketPath'), fc.constantFrom<unknown>('', 5, {})),
    fc.tuple(fc.constant('tls'), fc.constantFrom<unknown>('on', 5, null, [])),
  );
  /** Valid options, some replaced by junk (or junk under a foreign name), each run with its junk list. */
  const options = fc
    .tuple(fc.record(valid, { requiredKeys: ['host', 'port'] }), fc.array(fc.oneof(fc.tuple(fc.constantFrom(...names), junk), badAddress), { maxLength: 2 }))
    .map(([ok, bad]) => {
      // Give up at once when a junk password fails the handshake, rather than retrying until offlineTimeout.
      const o: Record<string, unknown> = { ...ok, retryStrategy: () => null };
      for (const [k, v] of bad) Object.defineProperty(o, k, { value: v, enumerable: true, configurable: true, writable: true });
      return { o, junk: bad.length > 0 };
    });

  /**
   * DataError at construction, or a client whose ping settles: true, or (with
   * `mayFail`, for options valid but harsh, like offlineTimeout=0) a LedisError.
   */
  async function constructedOrRefused(make: () => Ledis<boolean>, mayFail = false): Promise<'refused' | 'works' | 'failed'> {
    let c: Ledis<boolean>;
    try {
      c = make();
    } catch (err) {
      expect(err).toBeInstanceOf(DataError);
      return 'refused';
    }
    try {
      const answer = await c.ping().catch((err: unknown) => {
        if (!mayFail) throw err;
        expect(err).toBeInstanceOf(LedisError);
        return 'failed' as const;
      });
      if (answer === 'failed') return answer;
      expect(answer).toBe(true);
      return 'works';
    } finally {
      c.disconnect();
    }
  }

  it('new Ledis(options): a DataError at construction or a working client; no crash, hang or unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    const seen = { refused: 0, works: 0, failed: 0 };
    try {
      await fc.assert(
        fc.asyncProperty(options, async ({ o, junk: hasJunk }) => {
          seen[await constructedOrRefused(() => new Ledis(o as LedisOptions), hasJunk)]++;
        }),
        { numRuns: 120 },
      );
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    expect(seen.refused).toBeGreaterThan(1);
    expect(seen.works).toBeGreaterThan(1);
  });

  it('fromUrl(url with random query options): a DataError at construction or a working client, the password never in a message', async () => {
    const values = fc.constantFrom('', 'abc', '-1', '0', '1', '2', '1000', '5000', 'NaN', 'Infinity', 'true', 'false', '1e3', '%', '0x10');
    const query = fc.array(fc.tuple(fc.constantFrom(...names, 'socket_timeout', 'max_pending', 'timeout', 'decode_responses'), values), { maxLength: 3 });
    // (host, port and unixSocketPath are left out of the query: only loopback is ever a target.)
    const seen = { refused: 0, works: 0, failed: 0 };
    await fc.assert(
      fc.asyncProperty(query, fc.constantFrom('', 'pa:ss', 'se%25cret', 'p@ss'), async (q, pass) => {
        const qs = q.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
        const url = `ledis://${pass === '' ? '' : `:${encodeURIComponent(pass)}@`}${host}:${port}/0${qs === '' ? '' : `?${qs}`}`;
        const outcome = await constructedOrRefused(() => {
          try {
            // The run's server has no password: a connection that sends one fails its handshake and gives up at once.
            return Ledis.fromUrl(url, { retryStrategy: () => null });
          } catch (err) {
            if (pass !== '') expect((err as Error).message).not.toContain(encodeURIComponent(pass));
            throw err;
          }
        }, q.length > 0 || pass !== '');
        seen[outcome]++;
      }),
      { numRuns: 80 },
    );
    expect(seen.refused).toBeGreaterThan(0);
    expect(seen.works).toBeGreaterThan(0);
  }, 60_000);
});
