import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, prefix } from '../helpers.js';

const ledis = client();
const p = prefix('sort');
afterAll(() => ledis.quit());

beforeAll(async () => {
  await ledis.rpush(p + 'list', '3', '1', '2', '10');
  await ledis.sadd(p + 'set', '30', '4', '7');
  await ledis.zadd(p + 'zset', 1, '9', 2, '8', 3, '20');
  await ledis.rpush(p + 'words', 'pear', 'apple', 'fig');
  await ledis.mset({ [p + 'w_1']: '30', [p + 'w_2']: '10', [p + 'w_3']: '20', [p + 'w_10']: '40' });
  await ledis.mset({ [p + 'name_1']: 'one', [p + 'name_2']: 'two', [p + 'name_10']: 'ten' });
});

describe('XLSORT / XSSORT / XZSORT', () => {
  it('sort list, set and zset elements numerically, ascending by default', async () => {
    expect(await ledis.xlsort(p + 'list')).toEqual(['1', '2', '3', '10']);
    expect(await ledis.xssort(p + 'set')).toEqual(['4', '7', '30']);
    // A zset sorts by member value, not by score.
    expect(await ledis.xzsort(p + 'zset')).toEqual(['8', '9', '20']);
  });

  it('order DESC and limit [offset, count] slice the sorted result', async () => {
    expect(await ledis.xlsort(p + 'list', { order: 'DESC' })).toEqual(['10', '3', '2', '1']);
    expect(await ledis.xlsort(p + 'list', { order: 'asc', limit: [1, 2] })).toEqual(['2', '3']);
  });

  it('alpha sorts as strings; without it non-numeric elements are a server error', async () => {
    expect(await ledis.xlsort(p + 'words', { alpha: true })).toEqual(['apple', 'fig', 'pear']);
    await expect(ledis.xlsort(p + 'words')).rejects.toThrow(/XLSORT: .*can't be converted/);
  });

  it('by sorts on the KV values of a pattern, and get returns other keys (null where missing, # for the element)', async () => {
    expect(await ledis.xlsort(p + 'list', { by: p + 'w_*' })).toEqual(['2', '3', '1', '10']);
    const got = await ledis.xlsort(p + 'list', { by: p + 'w_*', get: [p + 'name_*', '#'] });
    expect(got).toEqual(['two', '2', null, '3', 'one', '1', 'ten', '10']);
  });

  it('store writes the result as a list, replacing it, and returns its length', async () => {
    await ledis.rpush(p + 'dest', 'old');
    expect(await ledis.xssort(p + 'set', { store: p + 'dest', order: 'DESC' })).toBe(3);
    expect(await ledis.lrange(p + 'dest', 0, -1)).toEqual(['30', '7', '4']);
  });

  it('a missing key sorts to an empty list', async () => {
    expect(await ledis.xzsort(p + 'missing')).toEqual([]);
  });

  it('sorts chain in a pipeline', async () => {
    const [a, b] = await ledis.pipeline().xlsort(p + 'list', { limit: [0, 1] }).xssort(p + 'set', { store: p + 'dest2' }).exec();
    expect(a).toEqual(['1']);
    expect(b).toBe(3);
  });

  it('refuses bad options with a DataError naming the command, before sending', async () => {
    await expect(ledis.xlsort(p + 'list', { limit: [1] as never })).rejects.toThrow(/XLSORT: limit must be \[offset, count\]/);
    await expect(ledis.xssort(p + 'set', { limit: [-1, 2] })).rejects.toMatchObject({ name: 'DataError', command: 'XSSORT' });
    await expect(ledis.xzsort(p + 'zset', { order: 'UP' as never })).rejects.toThrow(/XZSORT: order must be ASC or DESC/);
    await expect(ledis.xlsort(p + 'list', { get: [] })).rejects.toThrow(/get needs at least one pattern/);
    await expect(ledis.xlsort(p + 'list', { by: 5 as never })).rejects.toThrow(/by must be a pattern/);
    await expect(ledis.xlsort(p + 'list', 'DESC' as never)).rejects.toThrow(/options must be an object/);
  });
});
