// Scripts through the compat faces do not fill LedisDB's shared Lua stack
// (src/commands/script-stash.ts): on a server of its own (the suite's shared
// server must not be used up), EVAL as it is fails server-wide at run 5,119;
// through the reply key, 6,000 runs and more keep working, and every reply
// (integers, strings, nil, arrays, status and error tables, raised errors,
// several return values) is the one LedisDB gives for the script sent as it is.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Redis from '../../src/compat/ioredis.js';
import { createClient, defineScript, RESP_TYPES, type CommandParser } from '../../src/compat/node-redis.js';
import { Ledis, ResponseError } from '../../src/index.js';
import { startServer, type RunningServer } from '../../src/testing/index.js';
// @ts-ignore -- plain ESM script, typed through JSDoc
import { ensureLedisServer } from '../../tools/server.mjs';

let bin: string;
const servers: RunningServer[] = [];
const closers: Array<() => Promise<unknown>> = [];

async function freshServer(options: { password?: string } = {}): Promise<RunningServer> {
  const s = await startServer({ backend: 'memory', bin, ...options });
  servers.push(s);
  return s;
}

function ioredis(port: number, options: Record<string, unknown> = {}): Redis {
  const r = new Redis(port, '127.0.0.1', options);
  closers.push(() => r.quit());
  return r;
}

async function outcome(p: Promise<unknown>): Promise<unknown> {
  try {
    return { value: await p };
  } catch (err) {
    // A raised error's text carries a Lua stack traceback when sent as it is; a table's address differs per run.
    return { error: (err as Error).message.split('\n')[0]!.replace(/0x[0-9a-f]+/g, '0x…') };
  }
}

beforeAll(async () => {
  bin = (await ensureLedisServer()) as string;
});

afterAll(async () => {
  for (const c of closers) await c().catch(() => undefined);
  for (const s of servers) await s.stop();
});

describe('LedisDB keeps what a script returns (the reason for the reply key)', () => {
  it("sent as it is ('direct'), the 5,119th script run since the server started fails", async () => {
    const srv = await freshServer();
    const direct = ioredis(srv.port, { scriptReplies: 'direct' });
    let failedAt = 0;
    for (let i = 1; i <= 6000 && failedAt === 0; i++) {
      try {
        await direct.eval('return 1', 0);
      } catch {
        failedAt = i;
      }
    }
    expect(failedAt).toBeGreaterThan(5000);
    expect(failedAt).toBeLessThan(5200);
    // Server-wide: the default (reply key) fails too on that server now; the stack is full until a restart.
    await expect(ioredis(srv.port).eval('return 1', 0)).rejects.toThrow();
  }, 60_000);

  it('through the reply key (the default), 6,000 runs of EVAL, EVALSHA and defineCommand all answer, and leave no key behind', async () => {
    const srv = await freshServer();
    const r = ioredis(srv.port);
    r.defineCommand('bump', { lua: "return redis.call('incr', KEYS[1])", numberOfKeys: 1 });
    const sha = (await r.script('LOAD', 'return ARGV[1]')) as string;
    for (let i = 0; i < 2000; i++) {
      expect(await r.eval('return {KEYS[1], ARGV[1], tonumber(ARGV[1]) * 2}', 1, 'k', String(i))).toEqual(['k', String(i), i * 2]);
      expect(await r.evalsha(sha, 0, `v${i}`)).toBe(`v${i}`);
      expect(await (r as unknown as { bump(k: string): Promise<number> }).bump('counter')).toBe(i + 1);
    }
    const plain = new Ledis({ port: srv.port });
    closers.push(() => plain.quit());
    const [, keys] = (await plain.sendCommand('XSCAN', 'KV', '', 'COUNT', 1000)) as [string, string[]];
    expect(keys).toEqual(['counter']);
  }, 120_000);
});

describe('a script reply through the reply key is the reply LedisDB gives the script sent as it is', () => {
  let srv: RunningServer;
  let wrapped: Redis;
  let direct: Redis;
  beforeAll(async () => {
    srv = await freshServer();
    wrapped = ioredis(srv.port);
    direct = ioredis(srv.port, { scriptReplies: 'direct' });
    await wrapped.set('sk', 'v1');
    await wrapped.hset('sh', 'f', 'x');
    await wrapped.rpush('sl', 'a', 'b');
  });

  const scripts = [
    'return 1',
    "return 'text'",
    'return nil',
    'return',
    'return true',
    'return false',
    'return 3.9',
    'return -3.9',
    'return 2^53 + 2',
    'return 1e300',
    'return 0/0',
    "return {1, 'two', {3, 'four', {}}}",
    'return {1, nil, 3}',
    "return {'ok', 'fine'}",
    "return {'OK'}",
    "return {'err', 'bad thing'}",
    "return {'err'}",
    "return {'ok', 'a', 'b'}",
    "return {err = 'keyed'}",
    "return {'x', {'err', 'inner'}}",
    "return 1, 'last of several'",
    "return ledis.call('set', KEYS[1], 'v2')",
    "return ledis.call('get', KEYS[1])",
    "return ledis.call('get', 'missing')",
    "return ledis.call('hgetall', 'sh')",
    "return ledis.call('lrange', 'sl', 0, -1)",
    "return ledis.call('hget', 'sh')",
    "error('raised')",
    "error({code = 1})",
    "return 'line one\\r\\nline two'",
    "return #ARGV .. ':' .. (ARGV[1] or '-')",
    'local a = ... return a',
    'return -0',
    'return -0.5',
    'return (',
    'return 1; x = 2',
    "local a = 'unfinished",
    'return {1, 2',
  ];
  for (const script of scripts) {
    it(JSON.stringify(script), async () => {
      const key = ['sk'];
      const want = await outcome(direct.eval(script, 1, ...key, 'arg'));
      expect(await outcome(wrapped.eval(script, 1, ...key, 'arg'))).toEqual(want);
    });
  }

  it('a status or error text keeps a line feed (only CR LF, which would split the reply, is replaced)', async () => {
    for (const script of ["error('line1\\nline2')", "return {'err', 'a\\nb'}", "return {'ok', 'a\\nb'}", "return {1, {'err', 'in\\nner'}}"]) {
      const full = async (p: Promise<unknown>) => p.then((value) => ({ value }), (err: Error) => ({ error: err.message }));
      expect(await full(wrapped.eval(script, 0)), script).toEqual(await full(direct.eval(script, 0)));
    }
  });

  it("a script that SELECTs another database answers its own reply (not the stack's top) and leaves no reply key there", async () => {
    await direct.eval("return 'left on the stack'", 0);
    expect(await wrapped.eval("ledis.call('select', '1') ledis.call('set', 'in1', 'x') return 'from db 1'", 0)).toBe('from db 1');
    expect(await wrapped.eval("redis.call('SELECT', 2) return {1, 'two'}", 0)).toEqual([1, 'two']);
    const db1 = new Ledis({ port: srv.port, db: 1 });
    closers.push(() => db1.quit());
    const [, keys] = (await db1.sendCommand('XSCAN', 'KV', '', 'COUNT', 100)) as [string, string[]];
    expect(keys).toEqual(['in1']);
  });

  it('a numkeys LedisDB refuses (more keys than arguments, missing, not a number) gets LedisDB\'s own error, the script never run', async () => {
    const plain = new Ledis({ port: srv.port });
    const plainDirect = new Ledis({ port: srv.port, scriptReplies: 'direct' });
    closers.push(() => plain.quit(), () => plainDirect.quit());
    const call = (r: Redis, args: unknown[]) => (r as unknown as { call(...a: unknown[]): Promise<unknown> }).call('EVAL', ...args);
    for (const args of [["ledis.call('set', 'ran', '1') return KEYS", '2', 'k1'], ['return KEYS', '1'], ['return {#KEYS, #ARGV}', '3', 'a', 'b'], ['return 1', 'x'], ['return KEYS', '+1', 'a']]) {
      expect(await outcome(call(wrapped, args)), JSON.stringify(args)).toEqual(await outcome(call(direct, args)));
      expect(await outcome(plain.sendCommand('EVAL', ...args)), JSON.stringify(args)).toEqual(await outcome(plainDirect.sendCommand('EVAL', ...args)));
    }
    expect(await outcome(plain.sendCommand('EVAL', 'return 1'))).toEqual(await outcome(plainDirect.sendCommand('EVAL', 'return 1')));
    expect(await wrapped.get('ran')).toBeNull();
  });

  it('Buffer replies keep bytes that are not UTF-8', async () => {
    const bytes = Buffer.from([0xff, 0x00, 0xfe, 0x0d, 0x0a]);
    await wrapped.set('bin', bytes);
    expect(await wrapped.evalBuffer("return ledis.call('get', KEYS[1])", 1, 'bin')).toEqual(bytes);
  });
});

describe("a script that overwrites a global the wrapper uses (LedisDB's Lua globals are shared and not protected)", () => {
  it("does not break its own reply or later scripts' replies", async () => {
    const srv = await freshServer();
    const r = ioredis(srv.port);
    const direct = ioredis(srv.port, { scriptReplies: 'direct' });
    expect(await r.eval('return 1', 0)).toBe(1);
    for (const careless of ["type = ARGV[1] return 'set type'", "tostring = 1 string = nil table = {} return {'ok', 'fine'}", "pairs, select, pcall, math = nil return {1, 'x'}"]) {
      const want = await outcome(direct.eval(careless, 0, 'v'));
      expect(await outcome(r.eval(careless, 0, 'v')), careless).toEqual(want);
      expect(await r.eval("return {1, 'after', {'ok', 's'}}", 0)).toEqual([1, 'after', 's']);
    }
  });
});

describe('a reply the wrapper cannot encode (a table nested past the Lua call stack, ~250 levels)', () => {
  it('fails as sent as it is (where the reply is past the parser\'s 128 levels) and leaves the server able to run scripts', async () => {
    const srv = await freshServer();
    const r = ioredis(srv.port);
    const direct = ioredis(srv.port, { scriptReplies: 'direct' });
    const deep = 'local t = {1} local c = t for i = 1, 300 do local n = {i} c[2] = n c = n end return t';
    // Not compared with the reply sent as it is: that one stays on top of LedisDB's stack, where every wrapped EVAL's own reply then reads it.
    await expect(r.eval(deep, 0)).rejects.toThrow(/could not be encoded/);
    expect(await r.eval('return 1', 0)).toBe(1);
    expect(await direct.eval("return 'direct too'", 0)).toBe('direct too');
  });
});

describe('SHA1s, pipelines, prefixes, other faces and servers', () => {
  let srv: RunningServer;
  beforeAll(async () => {
    srv = await freshServer();
  });

  it("SCRIPT LOAD answers the SHA1 of the caller's source; EVALSHA and SCRIPT EXISTS use it; after SCRIPT FLUSH, NOSCRIPT", async () => {
    const r = ioredis(srv.port);
    const source = "return 'loaded'";
    const sha = await r.script('LOAD', source);
    expect(sha).toBe(createHash('sha1').update(source).digest('hex'));
    expect(await r.evalsha(sha as string, 0)).toBe('loaded');
    expect(await r.script('EXISTS', sha as string, 'ffffffffffffffffffffffffffffffffffffffff')).toEqual([1, 0]);
    await r.script('FLUSH');
    await expect(r.evalsha(sha as string, 0)).rejects.toThrow(/NOSCRIPT/);
    expect(await r.eval(source, 0)).toBe('loaded');
  });

  it("a server error's message is the server's text, as ioredis's ReplyError and node-redis's ErrorReply have it (redlock tests startsWith('NOSCRIPT'))", async () => {
    const r = ioredis(srv.port);
    const err = (await r.evalsha('f'.repeat(40), 0).catch((e: unknown) => e)) as ResponseError;
    expect(err).toBeInstanceOf(ResponseError);
    expect(err.message.startsWith('NOSCRIPT')).toBe(true);
    expect(err.command).toBe('EVALSHA');
    await r.set('str', 'x');
    const wrong = (await r.incr('str').catch((e: unknown) => e)) as ResponseError;
    const plain = new Ledis({ port: srv.port });
    closers.push(() => plain.quit());
    const own = (await plain.incr('str').catch((e: unknown) => e)) as ResponseError;
    expect(wrong.message).toBe(own.serverMessage);
    expect(own.message).toBe(`INCR: ${own.serverMessage}`);
    const [[piped]] = (await r.pipeline().incr('str').exec()) as [[Error, unknown]];
    expect(piped.message).toBe(own.serverMessage);
    const c = createClient({ socket: { port: srv.port, host: '127.0.0.1' } });
    c.on('error', () => undefined);
    await c.connect();
    closers.push(() => c.quit());
    const nr = (await c.evalSha('f'.repeat(40)).catch((e: unknown) => e)) as Error;
    expect(nr.message.startsWith('NOSCRIPT')).toBe(true);
  });

  it('after SCRIPT FLUSH (or a restart), a script another client loaded as it is is found: SCRIPT EXISTS 1, EVALSHA runs it (wrapped again)', async () => {
    const r = ioredis(srv.port);
    const other = new Ledis({ port: srv.port, scriptReplies: 'direct' });
    closers.push(() => other.quit());
    const source = "return {'deployed', ARGV[1]}";
    expect(await r.eval(source, 0, 'a')).toEqual(['deployed', 'a']);
    await other.sendCommand('SCRIPT', 'FLUSH');
    const sha = (await other.sendCommand('SCRIPT', 'LOAD', source)) as string;
    expect(await r.script('EXISTS', sha, 'ffffffffffffffffffffffffffffffffffffffff')).toEqual([1, 0]);
    expect(await r.evalsha(sha, 0, 'b')).toEqual(['deployed', 'b']);
    expect(await r.evalsha(sha, 0, 'c')).toEqual(['deployed', 'c']);
    const ledis = new Ledis({ port: srv.port });
    closers.push(() => ledis.quit());
    expect(await ledis.evalsha(sha, [], ['d'])).toEqual(['deployed', 'd']);
    // Flushed and not loaded again: NOSCRIPT, as LedisDB answers.
    await other.sendCommand('SCRIPT', 'FLUSH');
    await expect(r.evalsha(sha, 0, 'e')).rejects.toThrow(/NOSCRIPT/);
    expect(await r.script('EXISTS', sha)).toEqual([0]);
  });

  it('in a pipeline, scripts keep their place among other commands, each with its own reply or error', async () => {
    const r = ioredis(srv.port);
    const res = await r.pipeline().set('pk', '1').eval("return ledis.call('incr', KEYS[1])", 1, 'pk').eval("error('nope')", 0).get('pk').eval('return {1, 2}', 0).exec();
    expect(res?.map(([e, v]) => (e === null ? v : (e as Error).message))).toEqual(['OK', 2, 'panic: nope', '2', [1, 2]]);
  });

  it('with keyPrefix, the script sees its keys prefixed and the reply key is read where it was written', async () => {
    const r = ioredis(srv.port, { keyPrefix: 'app:' });
    expect(await r.eval("ledis.call('set', KEYS[1], ARGV[1]) return KEYS[1]", 1, 'pref', 'x')).toBe('app:pref');
    expect(await ioredis(srv.port).get('app:pref')).toBe('x');
  });

  it('SET … NX EX (sent as a script) answers OK once, then null, and sets the TTL', async () => {
    const r = ioredis(srv.port);
    await r.del('lock');
    expect(await r.set('lock', 'a', 'EX', 30, 'NX')).toBe('OK');
    expect(await r.set('lock', 'b', 'EX', 30, 'NX')).toBeNull();
    expect(await r.get('lock')).toBe('a');
    expect(await r.ttl('lock')).toBeGreaterThan(25);
  });

  it('ledis/node-redis runs scripts through the reply key too', async () => {
    const c = createClient({ socket: { port: srv.port, host: '127.0.0.1' } });
    c.on('error', () => undefined);
    await c.connect();
    closers.push(() => c.quit());
    expect(await c.eval('return {1, ARGV[1]}', { keys: ['nk'], arguments: ['z'] })).toEqual([1, 'z']);
    expect(await c.eval("return {'ok', 'fine'}")).toBe('fine');
  });

  it('on a server with a password (where a script cannot write a key), the reply comes as LedisDB sends it', async () => {
    const secured = await freshServer({ password: 'pw-for-scripts' });
    const r = ioredis(secured.port, { password: 'pw-for-scripts' });
    expect(await r.eval('return {1, ARGV[1]}', 0, 'z')).toEqual([1, 'z']);
    await expect(r.eval("error('raised')", 0)).rejects.toThrow(/raised/);
  });
});

describe('Ledis (the ledis-py face) runs scripts through the reply key too', () => {
  let srv: RunningServer;
  let ledis: Ledis;
  beforeAll(async () => {
    srv = await freshServer();
    ledis = new Ledis({ port: srv.port });
    closers.push(() => ledis.quit());
  });

  it('eval, evalsha, defineCommand and sendCommand: 6,000 runs on a server of its own, replies and SHA1s as LedisDB gives them', async () => {
    const source = 'return {KEYS[1], ARGV[1]}';
    const sha = await ledis.scriptLoad(source);
    expect(sha).toBe(createHash('sha1').update(source).digest('hex'));
    expect(await ledis.scriptExists(sha, 'ffffffffffffffffffffffffffffffffffffffff')).toEqual([true, false]);
    const bump = ledis.defineCommand('bumpIt', { script: "return ledis.call('incr', KEYS[1])", numberOfKeys: 1 });
    for (let i = 0; i < 1500; i++) {
      expect(await ledis.eval(source, ['k'], [String(i)])).toEqual(['k', String(i)]);
      expect(await ledis.evalsha(sha, ['k'], ['s'])).toEqual(['k', 's']);
      expect(await bump('n')).toBe(i + 1);
      expect(await ledis.sendCommand('EVAL', 'return ARGV[1]', 0, `r${i}`)).toBe(`r${i}`);
    }
    const [, keys] = (await ledis.sendCommand('XSCAN', 'KV', '', 'COUNT', 1000)) as [string, string[]];
    expect(keys).toEqual(['n']);
  }, 120_000);

  it('Buffer replies, errors, keyPrefix, and a response callback', async () => {
    const bytes = Buffer.from([0xff, 0x00, 0x0d, 0x0a]);
    await ledis.set('lb', bytes);
    expect(await ledis.buffers.eval("return ledis.call('get', KEYS[1])", ['lb'])).toEqual(bytes);
    expect(await ledis.buffers.scriptLoad('return 1')).toBe(createHash('sha1').update('return 1').digest('hex'));
    expect(await ledis.pipeline().scriptExists(createHash('sha1').update('return 1').digest('hex')).exec()).toEqual([[true]]);
    await expect(ledis.eval("error('raised')")).rejects.toThrow('EVAL: panic: raised');
    await expect(ledis.eval("return {'err', 'bad thing'}")).rejects.toThrow('EVAL: bad thing');
    const prefixed = new Ledis({ port: srv.port, keyPrefix: 'lp:' });
    closers.push(() => prefixed.quit());
    expect(await prefixed.eval("ledis.call('set', KEYS[1], 'x') return KEYS[1]", ['pk'])).toBe('lp:pk');
    expect(await ledis.get('lp:pk')).toBe('x');
    const cb = new Ledis({ port: srv.port });
    closers.push(() => cb.quit());
    cb.setResponseCallback('EVAL', (r) => `seen ${String(r)}`);
    expect(await cb.eval("return 'v'")).toBe('seen v');
  });

  it("scriptReplies: 'direct' sends EVAL as it is", async () => {
    const direct = new Ledis({ port: srv.port, scriptReplies: 'direct' });
    closers.push(() => direct.quit());
    expect(await direct.eval("return {'ok', 'fine'}")).toBe('fine');
    await expect(async () => new Ledis({ port: srv.port, scriptReplies: 'sometimes' as 'direct' })).rejects.toThrow(/scriptReplies/);
  });
});

describe("a Redis script's calls LedisDB's Lua lacks go through the shim (the compat faces)", () => {
  let srv: RunningServer;
  let r: Redis;
  beforeAll(async () => {
    srv = await freshServer();
    r = ioredis(srv.port);
  });

  it("SET with NX / XX / EX / PX / KEEPTTL answers as Redis's does, and a plain SET clears the TTL", async () => {
    const lock = "return redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])";
    expect(await r.eval(lock, 1, 'lk', 'a', 1500)).toBe('OK');
    expect(await r.eval(lock, 1, 'lk', 'b', 1500)).toBeNull();
    expect(await r.get('lk')).toBe('a');
    expect(await r.ttl('lk')).toBe(3); // 1,500 ms as ceil(1.5) + 1 seconds, as the face's SET PX
    expect(await r.eval("return redis.call('set', KEYS[1], 'x', 'XX', 'EX', 30)", 1, 'missing-xx')).toBeNull();
    expect(await r.exists('missing-xx')).toBe(0);
    expect(await r.eval("return redis.call('set', KEYS[1], 'c', 'XX', 'EX', 30)", 1, 'lk')).toBe('OK');
    expect(await r.ttl('lk')).toBeGreaterThan(25);
    expect(await r.eval("return redis.call('set', KEYS[1], 'd', 'KEEPTTL')", 1, 'lk')).toBe('OK');
    expect(await r.ttl('lk')).toBeGreaterThan(25);
    expect(await r.eval("return redis.call('set', KEYS[1], 'e')", 1, 'lk')).toBe('OK');
    expect(await r.ttl('lk')).toBe(-1);
  });

  it("SET's GET answers the old value (as the face's SET GET does), with NX / XX / EX too; a time not written as an integer is refused, as the face refuses it", async () => {
    expect(await r.eval("return redis.call('set', KEYS[1], 'a', 'GET')", 1, 'sg')).toBeNull();
    expect(await r.eval("return redis.call('set', KEYS[1], 'b', 'GET')", 1, 'sg')).toBe('a');
    expect(await r.eval("return redis.call('set', KEYS[1], 'c', 'NX', 'GET')", 1, 'sg')).toBe('b');
    expect(await r.get('sg')).toBe('b');
    expect(await r.eval("return redis.call('set', KEYS[1], 'd', 'XX', 'GET', 'EX', 50)", 1, 'sg')).toBe('b');
    expect(await r.get('sg')).toBe('d');
    expect(await r.ttl('sg')).toBeGreaterThan(40);
    expect(await r.eval("return redis.call('set', KEYS[1], 'e', 'XX', 'GET')", 1, 'sg-missing')).toBeNull();
    expect(await r.exists('sg-missing')).toBe(0);
    for (const t of ['0x10', ' 10', '1e2', '1.5']) {
      await expect(r.eval("return redis.call('set', KEYS[1], 'v', 'EX', ARGV[1])", 1, 'sg', t)).rejects.toThrow(/not an integer/);
      await expect(r.eval("return redis.call('expire', KEYS[1], ARGV[1])", 1, 'sg', t)).rejects.toThrow(/not an integer/);
      await expect(r.eval("return redis.call('pexpire', KEYS[1], ARGV[1])", 1, 'sg', t)).rejects.toThrow(/not an integer/);
    }
    expect(await r.ttl('sg')).toBeGreaterThan(40);
  });

  it('PTTL, PEXPIRE, PEXPIREAT, PSETEX in whole seconds; UNLINK as DEL; EXISTS of several keys as the sum; pcall answers errors as a table', async () => {
    await r.set('pk', 'v');
    expect(await r.eval("return redis.call('pexpire', KEYS[1], 2500)", 1, 'pk')).toBe(1);
    expect(await r.eval("return redis.call('pttl', KEYS[1])", 1, 'pk')).toBe(4000); // 2,500 ms as ceil(2.5) + 1 s
    expect(await r.eval("return redis.call('pttl', KEYS[1])", 1, 'no-such-key')).toBeLessThan(0);
    expect(await r.eval("return redis.call('pexpireat', KEYS[1], ARGV[1])", 1, 'pk', Date.now() + 60_000)).toBe(1);
    expect(await r.ttl('pk')).toBeGreaterThan(55);
    expect(await r.eval("return redis.call('psetex', KEYS[1], 4000, 'w')", 1, 'pk2')).toBe('OK');
    expect(await r.ttl('pk2')).toBe(5);
    expect(await r.eval("return redis.call('exists', KEYS[1], KEYS[2], KEYS[3])", 3, 'pk', 'pk2', 'no-such-key')).toBe(2);
    expect(await r.eval("return redis.call('unlink', KEYS[1], KEYS[2])", 2, 'pk', 'pk2')).toBe(2);
    expect(await r.eval("local e = redis.pcall('incr', KEYS[1]) return type(e)", 1, 'lk')).toBe('table');
  });

  it("redis.error_reply / status_reply carry their text (LedisDB's drop it: '-err'); redis.log, replicate_commands, set_repl, setresp(2) are there", async () => {
    await expect(r.eval("return redis.error_reply('MY error')", 0)).rejects.toThrow(/^MY error$/);
    expect(await r.eval("return redis.status_reply('FINE')", 0)).toBe('FINE');
    const chatty = "redis.log(redis.LOG_WARNING, 'x') redis.replicate_commands() redis.set_repl(redis.REPL_ALL) redis.setresp(2) return 1";
    expect(await r.eval(chatty, 0)).toBe(1);
    await expect(r.eval('redis.setresp(3) return 1', 0)).rejects.toThrow(/RESP2/);
  });

  it("a status or error table reads as Redis's does (`.ok`, `.err`) and is still LedisDB's array when returned", async () => {
    const probe = "local e = redis.pcall('incr', KEYS[1]) local t = redis.call('type', KEYS[1]) local s = redis.call('set', KEYS[2], 'v') " +
      "return {tostring(e.err ~= nil), t.ok, s.ok, redis.error_reply('x').err, redis.status_reply('y').ok}";
    await r.set('st1', 'not a number');
    expect(await r.eval(probe, 2, 'st1', 'st2')).toEqual(['true', 'string', 'OK', 'x', 'y']);
    await expect(r.eval("return redis.pcall('incr', KEYS[1])", 1, 'st1')).rejects.toThrow(/ParseInt/);
    expect(await r.eval("return redis.call('type', KEYS[1])", 1, 'st1')).toBe('string');
  });

  it('under strict: true, a script calling what the shim only approximates is refused before sending; UNLINK is exact', async () => {
    const strict = ioredis(srv.port, { strict: true });
    await expect(strict.eval("return redis.call('pttl', KEYS[1])", 1, 'k')).rejects.toThrow(/PTTL, which LedisDB can only approximate/);
    await expect(strict.eval("return redis.call('set', KEYS[1], 'v', 'PX', 10)", 1, 'k')).rejects.toThrow(/SET with options/);
    expect(await strict.eval("return redis.call('unlink', KEYS[1])", 1, 'never-set')).toBe(0);
  });

  it('a script SCRIPT LOADed by Ledis and EVALSHAed by a face (or the reverse) runs wrapped, through the runner\'s own wrapper', async () => {
    const plain = new Ledis({ port: srv.port });
    closers.push(() => plain.quit());
    // `__ledis_key` is the wrapper's local: a global (nil) in a script sent as it is.
    const lua = "redis.call('set', KEYS[1], 'v', 'NX', 'EX', 100) return type(__ledis_key)";
    const sha = (await plain.scriptLoad(lua)) as string;
    expect(await r.evalsha(sha, 1, 'cross1')).toBe('string');
    expect(await r.ttl('cross1')).toBeGreaterThan(90);
    const sha2 = (await r.script('LOAD', 'return type(__ledis_key)')) as string;
    expect(await plain.evalsha(sha2, [])).toBe('string');
  });

  it("a script's EVAL, EVALSHA or SCRIPT is refused (LedisDB's would wait forever on the script lock its caller holds: every script on the server hung)", async () => {
    const own = await freshServer();
    const face = ioredis(own.port);
    const plain = new Ledis({ port: own.port });
    closers.push(() => plain.quit());
    await expect(face.eval("return redis.call('eval', 'return 1', 0)", 0)).rejects.toThrow(/EVAL, which a script must not call/);
    await expect(face.eval("return redis.call(ARGV[1], 'return 1', 0)", 0, 'EVAL')).rejects.toThrow(/not allowed from scripts/);
    expect(await face.eval("local e = redis.pcall(ARGV[1], 'FLUSH') return e[1]", 0, 'script')).toBe('err');
    await expect(plain.eval("return ledis.call(ARGV[1], 'return 1', 0)", [], ['eval'])).rejects.toThrow(/not allowed from scripts/);
    expect(await plain.eval("local e = ledis.pcall(ARGV[1], 'x', 0) return e[1]", [], ['EVALSHA'])).toBe('err');
    expect(await face.eval('return 1', 0)).toBe(1);
  });

  it('Ledis (scripts written for LedisDB) has no shim: redis.call is LedisDB\'s own', async () => {
    const plain = new Ledis({ port: srv.port });
    closers.push(() => plain.quit());
    await expect(plain.eval("return redis.call('pttl', KEYS[1])", ['k'])).rejects.toThrow(/EVAL/);
    await plain.set('kt', 'v');
    await plain.expire('kt', 100);
    expect(await plain.eval("return redis.call('set', KEYS[1], 'w')", ['kt'])).toBe('OK');
    expect(await plain.ttl('kt')).toBeGreaterThan(90); // LedisDB's SET keeps the TTL
  });
});

describe('the shim finds a key in any of LedisDB\'s keyspaces, as Redis has one', () => {
  let srv: RunningServer;
  let r: Redis;
  beforeAll(async () => {
    srv = await freshServer();
    r = ioredis(srv.port);
  });

  it('EXISTS, TYPE, EXPIRE, TTL, PERSIST and DEL of a hash, a list, a set and a sorted set from a script', async () => {
    await r.hset('h1', 'f', 'v');
    await r.rpush('l1', 'a');
    await r.sadd('s1', 'm');
    await r.zadd('z1', 1, 'm');
    await r.set('k1', 'v');
    const keys = ['h1', 'l1', 's1', 'z1', 'k1'];
    expect(await r.eval("return redis.call('exists', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], 'none')", 5, ...keys)).toBe(5);
    const types = await r.eval("local t = {} for i, k in ipairs(KEYS) do t[i] = redis.call('type', k)['ok'] or redis.call('type', k)[2] end return t", 5, ...keys);
    expect(types).toEqual(['hash', 'list', 'set', 'zset', 'string']);
    for (const k of keys) {
      expect(await r.eval("return redis.call('expire', KEYS[1], 100)", 1, k)).toBe(1);
      expect(await r.eval("return redis.call('ttl', KEYS[1])", 1, k)).toBeGreaterThan(90);
      expect(await r.eval("return redis.call('pttl', KEYS[1])", 1, k)).toBeGreaterThan(90_000);
      expect(await r.eval("return redis.call('persist', KEYS[1])", 1, k)).toBe(1);
      expect(await r.eval("return redis.call('ttl', KEYS[1])", 1, k)).toBe(-1);
    }
    expect(await r.eval("return redis.call('ttl', 'none')", 0)).toBe(-2);
    expect(await r.eval("return redis.call('expire', KEYS[1], 0)", 1, 'h1')).toBe(1); // a past expiry deletes
    expect(await r.eval("return redis.call('pexpireat', KEYS[1], 1000)", 1, 'l1')).toBe(1);
    expect(await r.eval("return redis.call('del', KEYS[1], KEYS[2], KEYS[3], KEYS[3], 'none')", 3, 's1', 'z1', 'k1')).toBe(3);
    expect(await r.exists('h1', 'l1', 's1', 'z1', 'k1')).toBe(0);
  });

  it('a name in several keyspaces at once (a string and a hash): EXPIRE, EXPIREAT and PERSIST reach every one, as the face\'s EXPIRE does', async () => {
    const plain = new Ledis({ port: srv.port });
    closers.push(() => plain.quit());
    for (const k of ['both1', 'both2']) {
      await plain.set(k, 'v');
      await plain.hset(k, 'f', 'v');
    }
    expect(await r.expire('both1', 100)).toBe(1);
    expect(await r.eval("return redis.call('expire', KEYS[1], 100)", 1, 'both2')).toBe(1);
    expect(await plain.sendCommand('HTTL', 'both1')).toBeGreaterThan(90);
    expect(await plain.sendCommand('HTTL', 'both2')).toBeGreaterThan(90);
    expect(await r.eval("return redis.call('persist', KEYS[1])", 1, 'both2')).toBe(1);
    expect(await plain.sendCommand('HTTL', 'both2')).toBe(-1);
    expect(await r.eval("return redis.call('expireat', KEYS[1], ARGV[1])", 1, 'both2', Math.floor(Date.now() / 1000) + 100)).toBe(1);
    expect(await plain.sendCommand('HTTL', 'both2')).toBeGreaterThan(90);
  });
});

describe("node-redis's scripts option (defineScript) on ledis/node-redis", () => {
  let srv: RunningServer;
  beforeAll(async () => {
    srv = await freshServer();
  });

  it('node-redis 5 (parseCommand) and 4 (transformArguments) scripts are methods: EVALSHA, then EVAL on NOSCRIPT, then transformReply; every view has them', async () => {
    const c = createClient({
      socket: { port: srv.port, host: '127.0.0.1' },
      scripts: {
        add: defineScript({
          SCRIPT: "return redis.call('INCRBY', KEYS[1], ARGV[1])",
          NUMBER_OF_KEYS: 1,
          parseCommand(parser: CommandParser, key: string, by: number) {
            parser.pushKey(key);
            parser.push(String(by));
          },
          transformReply: (reply: number) => `total ${reply}`,
        }),
        lockFor: defineScript({
          SCRIPT: "return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2])",
          parseCommand(parser: CommandParser, key: string, owner: string, seconds: number) {
            parser.pushKeysLength([key]);
            parser.push(owner, String(seconds));
          },
          transformReply: undefined as unknown as () => string | null,
        }),
        legacy: defineScript({
          SCRIPT: 'return {KEYS[1], ARGV[1]}',
          NUMBER_OF_KEYS: 1,
          transformArguments: (key: string, v: string) => [key, v],
          transformReply: { 2: (reply: string[]) => reply.join('='), 3: () => 'unused' },
        }),
      },
    });
    c.on('error', () => undefined);
    await c.connect();
    closers.push(() => c.quit());
    const total: string = await c.add('nr-counter', 5);
    expect(total).toBe('total 5');
    expect(await c.add('nr-counter', 2)).toBe('total 7');
    expect(await c.lockFor('nr-lock', 'me', 30)).toBe('OK');
    expect(await c.lockFor('nr-lock', 'you', 30)).toBeNull();
    expect(await c.ttl('nr-lock')).toBeGreaterThan(25);
    expect(await c.legacy('k', 'v')).toBe('k=v');
    const view = c.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }) as unknown as { add(k: string, n: number): Promise<string> };
    expect(await view.add('nr-counter', 1)).toBe('total 8');
    // A flush: EVALSHA answers NOSCRIPT, the method sends EVAL and answers as before.
    await c.sendCommand(['SCRIPT', 'FLUSH']);
    expect(await c.add('nr-counter', 1)).toBe('total 9');
  });

  it('a script without SCRIPT or parseCommand, or named like a method, is a DataError from createClient; a closed client rejects', async () => {
    const make = (scripts: unknown) => () => createClient({ socket: { port: srv.port }, scripts: scripts as never });
    expect(make({ bad: { NUMBER_OF_KEYS: 1, parseCommand() {} } })).toThrow(/scripts\.bad\.SCRIPT must be the Lua source/);
    expect(make({ bad: { SCRIPT: 'return 1' } })).toThrow(/needs parseCommand/);
    expect(make({ get: defineScript({ SCRIPT: 'return 1', parseCommand() {} }) })).toThrow(/"get" is a method of the client already/);
    expect(make({ n: defineScript({ SCRIPT: 'return 1', NUMBER_OF_KEYS: -1, parseCommand() {} }) })).toThrow(/NUMBER_OF_KEYS/);
    const closed = createClient({ socket: { port: srv.port }, scripts: { one: defineScript({ SCRIPT: 'return 1', NUMBER_OF_KEYS: 0, parseCommand() {} }) } });
    await expect(closed.one()).rejects.toThrow(/client is closed/i);
  });

  it("a script named then (the client would be a thenable: connect() never settles) or like a multi() builder method is refused", () => {
    const one = defineScript({ SCRIPT: 'return 1', NUMBER_OF_KEYS: 0, parseCommand() {} });
    expect(() => createClient({ socket: { port: srv.port }, scripts: { then: one } })).toThrow(/a script may not be named "then" \(connect\(\) resolves with the client/);
    for (const name of ['exec', 'execAsPipeline', 'addCommand']) {
      expect(() => createClient({ socket: { port: srv.port }, scripts: { [name]: one } })).toThrow(new RegExp(`"${name}" is a method`));
    }
  });

  it("multi() has the scripts too (sent with EVAL in the batch, transformReply with preserve applied); a parseCommand that throws rejects once, its name said once", async () => {
    const c = createClient({
      socket: { port: srv.port, host: '127.0.0.1' },
      scripts: {
        add: defineScript({
          SCRIPT: "return redis.call('INCRBY', KEYS[1], ARGV[1])",
          NUMBER_OF_KEYS: 1,
          parseCommand(parser: CommandParser, key: string, by: number) {
            parser.pushKey(key);
            parser.push(String(by));
            parser.preserve = by;
          },
          transformReply: (reply: number, preserve?: number) => `${reply}+${preserve}`,
        }),
        boom: defineScript({ SCRIPT: 'return 1', NUMBER_OF_KEYS: 0, parseCommand() { throw new Error('nope'); } }),
      },
    });
    c.on('error', () => undefined);
    await c.connect();
    closers.push(() => c.quit());
    const m = c.multi() as unknown as { add(k: string, n: number): typeof m; get(k: string): typeof m; execAsPipeline(): Promise<unknown[]> };
    expect(await m.add('nr-multi', 2).add('nr-multi', 3).get('nr-multi').execAsPipeline()).toEqual(['2+2', '5+3', '5']);
    await expect(c.boom()).rejects.toThrow(/^boom: its parseCommand threw: nope$/);
  });
});
