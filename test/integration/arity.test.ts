// Too few arguments: a table method called with fewer arguments than LedisDB
// takes is refused with a DataError before a byte is sent, and the minimums
// in src/commands/arity.ts are what the real server enforces.
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, LedisError } from '../../src/index.js';
import { MIN_ARGS } from '../../src/commands/arity.js';
import { commandTable } from '../../src/commands/index.js';
import { client, prefix, serverAddress } from '../helpers.js';

const ledis = client();
const p = prefix('arity');
afterAll(async () => {
  await ledis.quit();
});

/** The first line of the server's answer to one raw command on a fresh socket ('closed' if it hangs up). */
function firstLine(parts: string[]): Promise<string> {
  const { host, port } = serverAddress();
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    let buf = '';
    const timer = setTimeout(() => socket.destroy(), 3000);
    socket.write(`*${parts.length}\r\n` + parts.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join(''));
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n')) socket.destroy();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(buf === '' ? 'closed' : buf.slice(0, buf.indexOf('\r\n')));
    });
  });
}

// 'REWRITE' for CONFIG REWRITE, the one form of CONFIG with a single argument.
const FILLERS = ['1', '0', '[a', 'GET', 'REWRITE'];
const tooFew = (line: string) => /invalid command param/.test(line);

describe('argument counts', () => {
  it('each measured minimum is what LedisDB enforces: one argument fewer is always refused, the minimum is accepted for some argument', async () => {
    const wrong: string[] = [];
    for (const [command, min] of Object.entries(MIN_ARGS)) {
      if (min > 0) {
        const fewer = await Promise.all(FILLERS.map((f) => firstLine([command, ...Array<string>(min - 1).fill(f)])));
        if (!fewer.every(tooFew)) wrong.push(`${command} accepts ${min - 1}: ${fewer.join(' | ')}`);
      }
      const enough = await Promise.all(FILLERS.map((f) => firstLine([command, ...Array<string>(min).fill(f)])));
      if (enough.every(tooFew)) wrong.push(`${command} refuses ${min}`);
    }
    expect(wrong).toEqual([]);
  }, 60_000);

  it('every table method that sends its arguments as given, called with none where LedisDB needs some, rejects with a DataError (it never throws)', async () => {
    // Only methods refused before sending are called: a zero-argument FLUSHALL or SCRIPT FLUSH would hit the other test files.
    const methods = ledis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const wrong: string[] = [];
    let swept = 0;
    for (const [method, spec] of Object.entries(commandTable)) {
      if (spec.args !== undefined || (MIN_ARGS[spec.command] ?? 0) === 0) continue;
      swept++;
      let outcome: unknown;
      try {
        outcome = await methods[method]!().then((v) => v, (e: unknown) => e);
      } catch (err) {
        outcome = `threw ${String(err)}`;
      }
      if (!(outcome instanceof DataError)) wrong.push(`${method}: ${outcome instanceof LedisError ? outcome.constructor.name + ' ' + outcome.message : String(outcome)}`);
    }
    expect(wrong).toEqual([]);
    expect(swept).toBeGreaterThan(40);
  });

  it('get(), set(k), hset(h, f), hget(h) are DataErrors naming the command; a pipeline builder throws one at once; the connection is untouched', async () => {
    const loose = ledis as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    await expect(loose.get!()).rejects.toThrow(/^GET: get\(\) needs at least 1 argument for LedisDB, got 0$/);
    await expect(loose.set!(p + 'a')).rejects.toBeInstanceOf(DataError);
    await expect(loose.hset!(p + 'h', 'f')).rejects.toThrow(/^HSET: hset\(\) needs at least 3 arguments/);
    await expect(loose.hget!(p + 'h')).rejects.toBeInstanceOf(DataError);
    const pipe = ledis.pipeline() as unknown as Record<string, (...a: unknown[]) => unknown>;
    expect(() => pipe.set!(p + 'a')).toThrow(DataError);
    expect(await ledis.set(p + 'a', 'v')).toBe(true);
    expect(await ledis.get(p + 'a')).toBe('v');
  });
});
