// Pipelines against a careless caller's settings, on the real LedisDB.
import { afterAll, describe, expect, it } from 'vitest';
import { client, prefix } from '../helpers.js';

const p = prefix('pipeline-attack');

describe('a pipeline longer than maxPending', () => {
  const ledis = client({ maxPending: 100, connections: 1 });
  afterAll(() => ledis.quit());

  it('waits for room instead of refusing the entries past maxPending (docs: in-flight kept under half of maxPending)', async () => {
    const pipe = ledis.pipeline();
    for (let i = 0; i < 300; i++) pipe.set(`${p}k${i}`, String(i));
    for (let i = 0; i < 300; i++) pipe.get(`${p}k${i}`);
    const results = await pipe.exec();
    expect(results.slice(0, 300)).toEqual(Array<boolean>(300).fill(true));
    expect(results.slice(300)).toEqual(Array.from({ length: 300 }, (_, i) => String(i)));
  });

  it('a command issued right after exec() on its key is applied after the whole pipeline, written in steps of room', async () => {
    const pipe = ledis.pipeline();
    for (let i = 0; i < 500; i++) pipe.incr(`${p}n`);
    const done = pipe.exec();
    const after = ledis.get(`${p}n`);
    expect((await done).at(-1)).toBe(500);
    expect(await after).toBe('500');
  });
});
