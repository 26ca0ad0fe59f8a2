// Probes (attack-4) of coalescing: a hostile server, a careless caller.
import type net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectionError, Ledis, ResponseError, UnexpectedReplyError } from '../../src/index.js';
import { client, prefix } from '../helpers.js';
import { startScriptedPeer } from '../unit/peer.js';

const p = prefix('coalesce-atk');
const opened: Ledis<boolean>[] = [];
function open(options: ConstructorParameters<typeof Ledis>[0] = {}): Ledis {
  const c = client({ connections: 1, ...(options as object) });
  opened.push(c);
  return c;
}
afterAll(async () => {
  await Promise.all(opened.map((c) => c.quit().catch(() => undefined)));
});

describe('probe', () => {
  it('quit() right after GETs and SETs of the same tick: each is answered', async () => {
    const ledis = open();
    await ledis.connect();
    await ledis.set(`${p}q`, 'v');
    const a = ledis.get(`${p}q`);
    const b = ledis.get(`${p}q`);
    const c = ledis.set(`${p}q2`, 'w');
    const d = ledis.set(`${p}q3`, 'x');
    const q = ledis.quit();
    const got = await Promise.allSettled([a, b, c, d]);
    await q;
    expect(got.map((r) => (r.status === 'fulfilled' ? r.value : String(r.reason)))).toEqual(['v', 'v', true, true]);
  });
});

describe('probe2', () => {
  it('a pipeline of 10,000 GETs under maxPending 5,000 paces itself as it does uncoalesced: none refused', async () => {
    for (const coalesce of [false, true]) {
      const ledis = open({ maxPending: 5000, coalesce });
      await ledis.connect();
      const pl = ledis.pipeline();
      for (let i = 0; i < 10_000; i++) pl.get(`${p}pl${i % 7}`);
      const settled = await pl.execSettled();
      const refused = settled.filter((r) => !r.ok);
      expect({ coalesce, refused: refused.length, first: refused[0] === undefined ? null : String((refused[0] as { error: unknown }).error) }).toEqual({ coalesce, refused: 0, first: null });
    }
  });
});
