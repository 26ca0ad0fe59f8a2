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
