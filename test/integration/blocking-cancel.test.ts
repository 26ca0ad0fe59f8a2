// A blocking pop cancelled through withOptions({ signal }) or ({ timeout })
// (issue 25 point 6). LedisDB keeps the waiter of a pop whose client gave up
// (ledis/t_list.go lblockPop), so the next item pushed is popped for it: the
// driver pushes that item back where it came from, at the same end, frees the
// dedicated connection at once, and quit() still finishes. One 'abort'
// listener per signal, however many commands use it.
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { AbortError, TimeoutError } from '../../src/index.js';
import { client, prefix } from '../helpers.js';

async function eventually<T>(read: () => Promise<T>, want: T): Promise<T> {
  let got = await read();
  for (let i = 0; i < 400 && JSON.stringify(got) !== JSON.stringify(want); i++) {
    await new Promise((r) => setTimeout(r, 25));
    got = await read();
  }
  return got;
}

describe('a cancelled blocking pop', () => {
  it('BLPOP aborted, then an item arrives: it is pushed back at the head; BRPOP timed out: at the tail', async () => {
    const ledis = client();
    const p = prefix('bcancel');
    try {
      const ac = new AbortController();
      const pop = ledis.withOptions({ signal: ac.signal }).blpop(`${p}q`, 0);
      // The pop must be on the server before the cancel (its dedicated connection written).
      await new Promise((r) => setTimeout(r, 200));
      ac.abort();
      await expect(pop).rejects.toBeInstanceOf(AbortError);
      await ledis.rpush(`${p}q`, 'x');
      expect(await eventually(() => ledis.lrange(`${p}q`, 0, -1), ['x'])).toEqual(['x']);

      const timed = ledis.withOptions({ timeout: 300 }).brpop(`${p}r`, 0);
      await expect(timed).rejects.toBeInstanceOf(TimeoutError);
      await ledis.rpush(`${p}r`, 'y');
      expect(await eventually(() => ledis.lrange(`${p}r`, 0, -1), ['y'])).toEqual(['y']);
    } finally {
      await ledis.quit();
    }
  });

  it('frees its dedicated connection: with maxConnections 1 the next pop runs; quit() finishes', async () => {
    const ledis = client({ maxConnections: 1 });
    const p = prefix('bcancel1');
    const ac = new AbortController();
    const pop = ledis.withOptions({ signal: ac.signal }).blpop(`${p}q`, 0);
    await new Promise((r) => setTimeout(r, 200));
    ac.abort();
    await expect(pop).rejects.toBeInstanceOf(AbortError);
    await ledis.rpush(`${p}other`, 'z');
    expect(await ledis.blpop(`${p}other`, 1)).toEqual([`${p}other`, 'z']);
    // The cancelled pop still waits on the server (timeout 0): quit() closes it instead of waiting for ever.
    await ledis.quit();
  });

  it('one abort listener per signal, however many commands use it', async () => {
    const ledis = client();
    const p = prefix('bcancel-listeners');
    try {
      const ac = new AbortController();
      const view = ledis.withOptions({ signal: ac.signal });
      const warnings: string[] = [];
      const onWarning = (w: Error) => warnings.push(w.name);
      process.on('warning', onWarning);
      const calls = Array.from({ length: 30 }, (_, i) => view.set(`${p}${i}`, 'v'));
      expect(getEventListeners(ac.signal, 'abort').length).toBe(1);
      await Promise.all(calls);
      expect(getEventListeners(ac.signal, 'abort').length).toBe(0);
      const pending = Array.from({ length: 30 }, () => view.blpop(`${p}none`, 1).catch((e: unknown) => e));
      ac.abort();
      expect((await Promise.all(pending)).every((e) => e instanceof AbortError)).toBe(true);
      await new Promise((r) => setImmediate(r));
      process.off('warning', onWarning);
      expect(warnings).not.toContain('MaxListenersExceededWarning');
    } finally {
      await ledis.quit();
    }
  });
});
