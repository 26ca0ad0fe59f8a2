// node:diagnostics_channel tracing (ledis:command, ledis:batch,
// ledis:connect) and caller-pointing error stacks, against the real server.
import dc from 'node:diagnostics_channel';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CHANNELS, Command, Connection, ConnectionError, DataError, Ledis, ResponseError, type CommandTraceContext } from '../../src/index.js';
import { sendObserved } from '../../src/tracing.js';
import { client, prefix, serverAddress } from '../helpers.js';

type Event = { kind: 'start' | 'end' | 'asyncStart' | 'asyncEnd' | 'error'; ctx: Record<string, unknown> };

/** Subscribes to a TracingChannel; returns the events seen and an unsubscribe function. */
function record(name: string): { events: Event[]; stop: () => void } {
  const events: Event[] = [];
  const tc = dc.tracingChannel(name);
  const handlers = {
    start: (ctx: unknown) => events.push({ kind: 'start', ctx: ctx as Record<string, unknown> }),
    end: (ctx: unknown) => events.push({ kind: 'end', ctx: ctx as Record<string, unknown> }),
    asyncStart: (ctx: unknown) => events.push({ kind: 'asyncStart', ctx: ctx as Record<string, unknown> }),
    asyncEnd: (ctx: unknown) => events.push({ kind: 'asyncEnd', ctx: ctx as Record<string, unknown> }),
    error: (ctx: unknown) => events.push({ kind: 'error', ctx: ctx as Record<string, unknown> }),
  };
  tc.subscribe(handlers);
  return { events, stop: () => tc.unsubscribe(handlers) };
}

const { host, port } = serverAddress();
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('ledis:command', () => {
  it('traces each command with its name, argument count, server and db, and no argument values by default', async () => {
    const rec = record(CHANNELS.TRACE_COMMAND);
    cleanups.push(rec.stop);
    const ledis = client();
    cleanups.push(() => ledis.quit());
    const k = prefix('trace');
    await ledis.set(`${k}a`, 'secret-value');
    expect(await ledis.get(`${k}a`)).toBe('secret-value');
    const starts = rec.events.filter((e) => e.kind === 'start').map((e) => e.ctx);
    expect(starts.map((c) => c.command)).toEqual(['SET', 'GET']);
    expect(starts[0]).toMatchObject({ command: 'SET', argCount: 2, args: ['?', '?'], serverAddress: host, serverPort: port, database: 0 });
    expect(JSON.stringify(rec.events.map((e) => e.ctx.args))).not.toContain('secret-value');
    // start, end (synchronous part), asyncStart, asyncEnd with the reply, per command.
    const get = rec.events.filter((e) => e.ctx.command === 'GET').map((e) => e.kind);
    expect(get).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
    expect(rec.events.find((e) => e.ctx.command === 'GET' && e.kind === 'asyncEnd')!.ctx.result).toBe('secret-value');
  });

  it('carries the argument values with traceArgs, never AUTH\'s, and the db of a db(n) client', async () => {
    const rec = record(CHANNELS.TRACE_COMMAND);
    cleanups.push(rec.stop);
    const ledis = client({ traceArgs: true });
    cleanups.push(() => ledis.quit());
    const k = prefix('trace-args');
    await ledis.set(`${k}a`, Buffer.from('xyz'));
    await ledis.sendCommand('AUTH', 'hunter2').catch(() => undefined);
    const db3 = ledis.db(3);
    await db3.get(`${k}a`);
    const set = rec.events.find((e) => e.kind === 'start' && e.ctx.command === 'SET')!.ctx as unknown as CommandTraceContext;
    expect(set.args).toEqual([`${k}a`, '<Buffer 3 bytes>']);
    // AUTH through sendCommand is refused before it is sent (it would change shared connections): never traced.
    expect(rec.events.find((e) => e.ctx.command === 'AUTH')).toBeUndefined();
    expect(JSON.stringify(rec.events.map((e) => e.ctx.args))).not.toContain('hunter2');
    expect(rec.events.find((e) => e.kind === 'start' && e.ctx.command === 'GET')!.ctx.database).toBe(3);
  });

  it("never carries AUTH's arguments, even with traceArgs (the observed send path on a real connection)", async () => {
    const rec = record(CHANNELS.TRACE_COMMAND);
    cleanups.push(rec.stop);
    const conn = new Connection({ host, port });
    cleanups.push(() => conn.disconnect());
    const router = {
      send: (_route: { readonly: boolean }, cmd: Command) => {
        const p = cmd.promise();
        conn.send(cmd);
        return p;
      },
      connectionFor: () => conn,
    };
    await sendObserved({ traceArgs: true }, router, { readonly: false }, new Command('AUTH', ['hunter2'])).catch(() => undefined);
    await sendObserved({ traceArgs: true }, router, { readonly: false }, new Command('ECHO', ['visible'])).catch(() => undefined);
    const starts = rec.events.filter((e) => e.kind === 'start').map((e) => [e.ctx.command, e.ctx.args]);
    expect(starts).toEqual([
      ['AUTH', ['?']],
      ['ECHO', ['visible']],
    ]);
  });

  it('publishes error with the ResponseError when the server refuses a command', async () => {
    const rec = record(CHANNELS.TRACE_COMMAND);
    cleanups.push(rec.stop);
    const ledis = client();
    cleanups.push(() => ledis.quit());
    const k = prefix('trace-err');
    await ledis.set(k, 'not a number');
    await expect(ledis.incr(k)).rejects.toBeInstanceOf(ResponseError);
    const kinds = rec.events.filter((e) => e.ctx.command === 'INCRBY').map((e) => e.kind);
    expect(kinds).toEqual(['start', 'end', 'error', 'asyncStart', 'asyncEnd']);
    expect(rec.events.find((e) => e.kind === 'error')!.ctx.error).toBeInstanceOf(ResponseError);
  });

  it('publishes nothing and sends commands as usual once the subscriber leaves', async () => {
    const rec = record(CHANNELS.TRACE_COMMAND);
    rec.stop();
    const ledis = client();
    cleanups.push(() => ledis.quit());
    await ledis.ping();
    expect(rec.events).toEqual([]);
    expect(dc.tracingChannel(CHANNELS.TRACE_COMMAND).start.hasSubscribers).toBe(false);
  });
});

describe('ledis:batch', () => {
  it('traces a pipeline with its size, server and db', async () => {
    const rec = record(CHANNELS.TRACE_BATCH);
    cleanups.push(rec.stop);
    const ledis = client();
    cleanups.push(() => ledis.quit());
    const k = prefix('trace-batch');
    await ledis.pipeline().set(k, '1').incr(k).get(k).exec();
    expect(rec.events.map((e) => e.kind)).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
    expect(rec.events[0]!.ctx).toMatchObject({ batchMode: 'PIPELINE', batchSize: 3, serverAddress: host, serverPort: port, database: 0 });
  });
});

/** A TCP relay to the test server whose connections can be cut. */
async function relay(): Promise<{ port: number; cut: () => void; close: () => Promise<void> }> {
  const pairs = new Set<net.Socket>();
  const server = net.createServer((down) => {
    const up = net.connect(port, host);
    pairs.add(down).add(up);
    for (const s of [down, up]) {
      s.on('error', () => undefined);
      s.on('close', () => {
        pairs.delete(s);
        down.destroy();
        up.destroy();
      });
    }
    down.pipe(up).pipe(down);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut: () => {
      for (const s of pairs) s.destroy();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of pairs) s.destroy();
        server.close(() => r());
      }),
  };
}

describe('ledis:connect', () => {
  it('traces the first connect and each reconnect until ready', async () => {
    const rec = record(CHANNELS.TRACE_CONNECT);
    cleanups.push(rec.stop);
    const r = await relay();
    cleanups.push(r.close);
    const ledis = new Ledis({ host: '127.0.0.1', port: r.port, retryStrategy: () => 20 });
    cleanups.push(() => ledis.disconnect());
    await ledis.ping();
    const ready = new Promise<void>((resolve) => ledis.once('ready', () => resolve()));
    r.cut();
    await ready;
    await ledis.ping();
    const starts = rec.events.filter((e) => e.kind === 'start').map((e) => e.ctx);
    expect(starts.map((c) => c.attempt)).toEqual([0, 1]);
    expect(starts[0]).toMatchObject({ serverAddress: '127.0.0.1', serverPort: r.port, database: 0 });
    expect(rec.events.filter((e) => e.kind === 'asyncEnd')).toHaveLength(2);
    expect(rec.events.filter((e) => e.kind === 'error')).toHaveLength(0);
  });

  it('publishes error for an attempt that fails (connection refused)', async () => {
    const rec = record(CHANNELS.TRACE_CONNECT);
    cleanups.push(rec.stop);
    const r = await relay();
    const closedPort = r.port;
    await r.close();
    let tries = 0;
    const ledis = new Ledis({ host: '127.0.0.1', port: closedPort, retryStrategy: () => (++tries < 2 ? 10 : null) });
    cleanups.push(() => ledis.disconnect());
    await expect(ledis.ping()).rejects.toBeInstanceOf(ConnectionError);
    const errors = rec.events.filter((e) => e.kind === 'error').map((e) => e.ctx.error as Error & { code?: string });
    expect(errors.length).toBe(2);
    expect(errors[0]!.code).toBe('ECONNREFUSED');
    expect(rec.events.filter((e) => e.kind === 'start').map((e) => e.ctx.attempt)).toEqual([0, 1]);
  });
});

describe('the tracing options', () => {
  it('are refused with a DataError naming them when not booleans', () => {
    expect(() => new Ledis({ lazyConnect: true, traceArgs: 'yes' as unknown as boolean })).toThrow(/traceArgs/);
    expect(() => new Ledis({ lazyConnect: true, showFriendlyErrorStack: 1 as unknown as boolean })).toThrow(DataError);
  });
});

describe('showFriendlyErrorStack', () => {
  async function callerOfIncr(ledis: Ledis, key: string): Promise<Error> {
    return ledis.incr(key).then(
      () => new Error('expected a rejection'),
      (err: Error) => err,
    );
  }

  it("puts the caller's frames in a server error's stack when on, and not when off", async () => {
    const k = prefix('friendly');
    const on = client({ showFriendlyErrorStack: true });
    const off = client();
    cleanups.push(() => on.quit(), () => off.quit());
    await on.set(k, 'x');
    const withStack = await callerOfIncr(on, k);
    const without = await callerOfIncr(off, k);
    expect(withStack).toBeInstanceOf(ResponseError);
    expect(withStack.stack).toContain('callerOfIncr');
    expect(withStack.stack).toContain('tracing.test.ts');
    expect(withStack.stack!.split('\n')[0]).toBe(`${withStack.name}: ${withStack.message}`);
    expect(withStack.stack).not.toMatch(/src\/(connection|protocol)\//);
    expect(without.stack).not.toContain('callerOfIncr');
  });
});


