// Runs of bulk items to one key joined into one multi-member command (ZADD,
// HMSET, SADD, RPUSH, LPUSH; SETs of different keys into MSET), because
// LedisDB pays a write per command whatever its size.
//
// Why a group is exactly its items one by one (LedisDB's source, ledis/t_*.go
// at the pinned commit): ZAdd, HMset, SAdd, lpush and MSet check every member,
// put them all into one write batch and commit once; any error returns before
// the commit and the batch's Unlock rolls it back, so a refused group applied
// none of its items. The reply counts are not needed (bulk() keeps no reply
// values). Two things are NOT the same and are kept out of a group: the same
// member (field, MSET key) twice in one command (ZAdd and SAdd read "is it
// new" from the store, not the batch, so the size counter would count it
// twice), and items the server refuses one by one (a key or member of 0 or
// more than 1024 bytes: MaxKeySize, MaxZSetMemberSize, MaxHashFieldSize,
// MaxSetMemberSize in ledis/const.go): those go alone, so their line gets
// the server's own error.
import type { Prepared } from './check.js';

/** The multi-member command a group is sent as. */
export type GroupKind = 'ZADD' | 'HMSET' | 'SADD' | 'RPUSH' | 'LPUSH' | 'MSET';

/** LedisDB's MaxKeySize and member/field limits (ledis/const.go). */
const MAX_KEY = 1024;
const MAX_MEMBER = 1024;
/** Items per group and argument bytes per group: big enough to pay, small enough to keep a reply prompt. */
export const GROUP_ITEMS = 1024;
export const GROUP_BYTES = 1024 * 1024;

/** Byte length of an argument as sent (numbers as their decimal text). */
export function byteLength(a: unknown): number {
  if (typeof a === 'string') {
    for (let i = 0; i < a.length; i++) if (a.charCodeAt(i) > 127) return Buffer.byteLength(a);
    return a.length;
  }
  if (Buffer.isBuffer(a)) return a.length;
  if (a instanceof Uint8Array) return a.byteLength;
  return String(a).length;
}

/** The identity of a key or member as the server sees it: its bytes (as a latin1 string). */
export function identity(a: unknown): string {
  if (typeof a === 'string') {
    for (let i = 0; i < a.length; i++) if (a.charCodeAt(i) > 127) return Buffer.from(a, 'utf8').toString('latin1');
    return a;
  }
  if (Buffer.isBuffer(a)) return a.toString('latin1');
  if (a instanceof Uint8Array) return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('latin1');
  return String(a);
}

/**
 * How an item joins a group: the command, its key, the arguments it adds and
 * the identities of its members (null: duplicates allowed). joinable() hands
 * back one reused object (read it before the next call).
 */
export interface Joinable {
  kind: GroupKind;
  key: unknown;
  keyId: string;
  /** Where the arguments it adds start in the item's args (after the key; for MSET, 0: the key and the value). */
  from: number;
  /** Member (field, MSET key) identities, or null for list pushes. */
  ids: string[] | null;
  bytes: number;
}

function okKey(a: unknown): boolean {
  const n = byteLength(a);
  return n > 0 && n <= MAX_KEY;
}

const scratch: Joinable = { kind: 'MSET', key: undefined, keyId: '', from: 1, ids: null, bytes: 0 };
const scratchIds: string[] = [];

/** How `p` can join a group, or null when it must go alone. `mset`: SETs may join an MSET (only with one connection: its keys are many). */
export function joinable(p: Prepared, mset: boolean): Joinable | null {
  const a = p.args;
  const name = p.name;
  if (a.length < 2 || !okKey(a[0])) return null;
  let kind: GroupKind;
  let step: number;
  let idAt: number;
  switch (name) {
    case 'ZADD':
      kind = 'ZADD';
      step = 2;
      idAt = 1;
      break;
    case 'HSET':
    case 'HMSET':
      kind = 'HMSET';
      step = 2;
      idAt = 0;
      break;
    case 'SADD':
      kind = 'SADD';
      step = 1;
      idAt = 0;
      break;
    case 'RPUSH':
    case 'LPUSH':
      kind = name;
      step = 1;
      idAt = -1;
      break;
    case 'SET': {
      if (!mset || a.length !== 2) return null;
      const keyId = identity(a[0]);
      scratchIds.length = 0;
      scratchIds.push(keyId);
      scratch.kind = 'MSET';
      scratch.key = a[0];
      scratch.keyId = keyId;
      scratch.from = 0;
      scratch.ids = scratchIds;
      scratch.bytes = byteLength(a[0]) + byteLength(a[1]);
      return scratch;
    }
    default:
      return null;
  }
  if ((a.length - 1) % step !== 0) return null;
  let bytes = byteLength(a[0]);
  let ids: string[] | null = null;
  if (idAt >= 0) {
    ids = scratchIds;
    ids.length = 0;
    for (let i = 1 + idAt; i < a.length; i += step) {
      const m = a[i];
      const n = byteLength(m);
      if (n === 0 || n > MAX_MEMBER) return null;
      const id = identity(m);
      // The same member twice in the item itself: sent alone, as it was written.
      if (ids.includes(id)) return null;
      ids.push(id);
    }
  }
  for (let i = 1; i < a.length; i++) bytes += byteLength(a[i]);
  scratch.kind = kind;
  scratch.key = a[0];
  scratch.keyId = identity(a[0]);
  scratch.from = 1;
  scratch.ids = ids;
  scratch.bytes = bytes;
  return scratch;
}

/** One item inside a group. */
export interface GroupItem {
  index: number;
  p: Prepared;
  /** The item's key identity (for MSET, its own key). */
  keyId: string;
}

/** Items joined into one command, not sent yet (then in flight). */
export class Group {
  readonly items: GroupItem[] = [];
  /** The command's arguments: the key then the members (MSET: key, value, key, value ...). */
  readonly args: unknown[];
  /** Key identities the group touches (one, or MSET's). */
  readonly keys: string[] = [];
  private readonly seen: Set<string> | null;
  bytes = 0;
  /** Send order, set when sent. */
  seq = 0;

  constructor(
    readonly kind: GroupKind,
    readonly key: unknown,
  ) {
    this.args = kind === 'MSET' ? [] : [key];
    this.seen = kind === 'RPUSH' || kind === 'LPUSH' ? null : new Set();
  }

  /** Whether `j` can join without changing what the items do one by one. */
  accepts(j: Joinable): boolean {
    if (j.kind !== this.kind || this.items.length >= GROUP_ITEMS || this.bytes + j.bytes > GROUP_BYTES) return false;
    if (this.seen !== null && j.ids !== null) for (const id of j.ids) if (this.seen.has(id)) return false;
    return true;
  }

  add(index: number, p: Prepared, j: Joinable): void {
    this.items.push({ index, p, keyId: j.keyId });
    const a = p.args;
    for (let i = j.from; i < a.length; i++) this.args.push(a[i]);
    if (this.seen !== null && j.ids !== null) for (const id of j.ids) this.seen.add(id);
    if (this.kind === 'MSET' || this.keys.length === 0) this.keys.push(j.keyId);
    this.bytes += j.bytes;
  }
}
