// Every LedisDB command by its own lowercase name, as ioredis and node-redis
// users call them, beside the ledis-py / camelCase method with the same meaning.
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/index.js';
import { client, prefix } from '../helpers.js';

const ledis = client();
const p = prefix('names');
afterAll(() => ledis.quit());

describe('commands by their own lowercase name', () => {
  it('del is delete', async () => {
    await ledis.mset({ [p + 'a']: 1, [p + 'b']: 2 });
    expect(await ledis.del(p + 'a', p + 'b')).toBe(2);
    expect(await ledis.get(p + 'a')).toBeNull();
    expect(await ledis.pipeline().set(p + 'c', 1).del(p + 'c').exists(p + 'c').exec()).toEqual([true, 1, false]);
  });

  it('ltrim_front and ltrim_back are ltrimFront and ltrimBack', async () => {
    await ledis.rpush(p + 'l', 1, 2, 3, 4, 5);
    expect(await ledis.ltrim_front(p + 'l', 2)).toBe(2);
    expect(await ledis.ltrim_back(p + 'l', 1)).toBe(1);
    expect(await ledis.lrange(p + 'l', 0, -1)).toEqual(['3', '4']);
  });

  it('script LOAD / EXISTS / FLUSH, any case, shaped as scriptLoad / scriptExists / scriptFlush', async () => {
    const sha = await ledis.script('LOAD', `return '${p}'`);
    expect(sha).toBe(await ledis.scriptLoad(`return '${p}'`));
    expect(await ledis.script('exists', sha, '0'.repeat(40))).toEqual([true, false]);
    expect(await ledis.pipeline().script('EXISTS', [sha]).exec()).toEqual([[true]]);
    await expect(ledis.script('KILL' as never)).rejects.toThrow(DataError);
    await expect(ledis.script('LOAD', '' as never)).rejects.toThrow(/SCRIPT LOAD: script must be a non-empty string/);
  });

  it('config GET / REWRITE shaped as configGet / configRewrite', async () => {
    expect(await ledis.config('get', 'databases')).toEqual({ databases: '16' });
    await expect(ledis.config('SET' as never, 'x')).rejects.toThrow(DataError);
  });
});
