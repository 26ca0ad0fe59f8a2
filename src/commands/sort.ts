// XLSORT / XSSORT / XZSORT: Redis's SORT, one command per data type.
import { DataError } from '../errors.js';
import { bulkListReply, check, describe, integerReply, intIn } from './shape.js';
import type { Key, Out, Str, TableFor } from './types.js';

export interface SortOptions {
  /** Sort by the KV values at this pattern (`'weight_*'`, `*` replaced by each element); a pattern with no `*` skips sorting. */
  by?: Key;
  /** `[offset, count]` of the sorted result. */
  limit?: readonly [offset: number, count: number];
  /** Return the KV values at these patterns instead of the elements (`'#'` is the element itself); null where missing. */
  get?: Key | readonly Key[];
  /** Ascending (default) or descending. */
  order?: 'ASC' | 'DESC' | 'asc' | 'desc';
  /** Compare as strings rather than as numbers (needed for non-numeric elements). */
  alpha?: boolean;
  /** Store the result as a list at this key (replacing it) and return its length. */
  store?: Key;
}

export interface SortCommands<S extends Str, M> {
  /** Sorts the elements of the list `name` (see SortOptions); with `store`, the stored length. */
  xlsort(name: Key, options: SortOptions & { store: Key }): Out<M, number>;
  xlsort(name: Key, options: SortOptions & { get: Key | readonly Key[] }): Out<M, (S | null)[]>;
  xlsort(name: Key, options?: SortOptions): Out<M, S[]>;
  /** Sorts the members of the set `name`. */
  xssort(name: Key, options: SortOptions & { store: Key }): Out<M, number>;
  xssort(name: Key, options: SortOptions & { get: Key | readonly Key[] }): Out<M, (S | null)[]>;
  xssort(name: Key, options?: SortOptions): Out<M, S[]>;
  /** Sorts the members of the zset `name` (by member value, not by score, unless `by` says otherwise). */
  xzsort(name: Key, options: SortOptions & { store: Key }): Out<M, number>;
  xzsort(name: Key, options: SortOptions & { get: Key | readonly Key[] }): Out<M, (S | null)[]>;
  xzsort(name: Key, options?: SortOptions): Out<M, S[]>;
}

const isKey = (v: unknown): v is Key => typeof v === 'string' || Buffer.isBuffer(v);

export function sortArgs(command: string, name: Key, options: SortOptions | undefined): unknown[] {
  const out: unknown[] = [name];
  if (options === undefined) return out;
  if (options === null || typeof options !== 'object') throw new DataError(`options must be an object, got ${describe(options)}`, command);
  const { by, limit, get, order, alpha, store } = options;
  if (by !== undefined) {
    if (!isKey(by)) throw new DataError(`by must be a pattern string, got ${describe(by)}`, command);
    out.push('BY', by);
  }
  if (limit !== undefined) {
    if (!Array.isArray(limit) || limit.length !== 2) throw new DataError(`limit must be [offset, count], got ${describe(limit)}`, command);
    out.push('LIMIT', intIn(command, 'limit offset', limit[0], 0), intIn(command, 'limit count', limit[1], 0));
  }
  if (get !== undefined) {
    const patterns = Array.isArray(get) ? get : [get];
    if (patterns.length === 0) throw new DataError('get needs at least one pattern', command);
    for (const g of patterns) {
      if (!isKey(g)) throw new DataError(`get patterns must be strings, got ${describe(g)}`, command);
      out.push('GET', g);
    }
  }
  if (order !== undefined) {
    const o = typeof order === 'string' ? order.toUpperCase() : order;
    if (o !== 'ASC' && o !== 'DESC') throw new DataError(`order must be ASC or DESC, got ${describe(order)}`, command);
    out.push(o);
  }
  if (alpha === true) out.push('ALPHA');
  if (store !== undefined) {
    if (!isKey(store)) throw new DataError(`store must be a key, got ${describe(store)}`, command);
    out.push('STORE', store);
  }
  return out;
}

/** The sorted key and, with STORE, the destination; BY and GET are patterns, not keys (see allKeys). */
function sortKeys(args: readonly unknown[]): number[] {
  const out = [0];
  walkOptions(args, (word, at) => {
    if (word === 'STORE') out.push(at + 1);
  });
  return out;
}

/** BY and GET read KV keys the patterns name, which no position says. */
function readsPatterns(args: readonly unknown[]): boolean {
  let found = false;
  walkOptions(args, (word) => {
    if (word === 'BY' || word === 'GET') found = true;
  });
  return found;
}

/** Visits each option word of a sort's arguments (as sortArgs writes them), skipping the operands. */
function walkOptions(args: readonly unknown[], visit: (word: string, at: number) => void): void {
  for (let i = 1; i < args.length; i++) {
    const word = typeof args[i] === 'string' ? (args[i] as string).toUpperCase() : '';
    visit(word, i);
    if (word === 'BY' || word === 'GET' || word === 'STORE') i += 1;
    else if (word === 'LIMIT') i += 2;
  }
}

// Not marked readonly: with STORE they write.
const sort = (command: string) => ({
  command,
  keys: sortKeys,
  allKeys: readsPatterns,
  args: (name: Key, options?: SortOptions) => sortArgs(command, name, options),
  reply: sortReply,
});

/** With STORE: the number of elements stored (an integer); otherwise the sorted (or GET) elements, bulk strings or nils. */
const sortReply = check('integerOrBulkList', (r, args) => {
  let stores = false;
  walkOptions(args, (word) => {
    if (word === 'STORE') stores = true;
  });
  return stores ? integerReply(r, args) : bulkListReply(r, args);
});

export const sortCommands = {
  xlsort: sort('XLSORT'),
  xssort: sort('XSSORT'),
  xzsort: sort('XZSORT'),
} satisfies TableFor<SortCommands<Str, unknown>>;
