// Key placement compatible with twemproxy (nutcracker) pools configured with
// `hash: fnv1a_64` and `distribution: ketama`, read from twemproxy's source
// (src/hashkit/nc_ketama.c, nc_fnv.c, src/nc_server.c, src/nc_conf.c):
//
// - a server's ketama name is its configured name, else "host:port";
// - it gets floorf(pct * 160 / 4 * nservers + 1e-10) * 4 points, computed in
//   float32 (pct = weight / total weight), 4 points per MD5 of "name-i";
// - a key's hash is twemproxy's fnv1a_64, which is 32-bit arithmetic seeded
//   with the low half of the 64-bit offset basis, over *signed* chars; an
//   empty key hashes to 0; a one-server pool takes every key;
// - a key goes to the first point >= its hash, wrapping to the first point.
//
// The ring itself (MD5 points, 4 per digest, sort, search) is the hashring
// package's, which builds libketama's layout; we give it twemproxy's point
// counts and key hash, which differ from its own.
import { createRequire } from 'node:module';
import type HashRing from 'hashring';
import { DataError } from '../errors.js';

type HashRingClass = typeof HashRing;
let hashRingClass: HashRingClass | null = null;

/**
 * The hashring package, required the first time a ring is made (only
 * `shards` makes one): loading ledis loads nothing a client without shards
 * does not run. Required eagerly through the module's own `require`, its
 * `require('./package.json')` broke CommonJS consumers run by tsx on Node 20
 * (`.cts` files): there that `require` is the ESM loader's, which cannot
 * load JSON from inside a CommonJS module. A `require` made by
 * `createRequire` is Node's CommonJS loader's wherever this file runs (the
 * CommonJS build has `__filename`; vitest's runner provides one for the sources).
 */
function hashRing(): HashRingClass {
  if (hashRingClass === null) {
    const mod = createRequire(__filename)('hashring') as HashRingClass | { default: HashRingClass };
    hashRingClass = typeof mod === 'function' ? mod : mod.default;
  }
  return hashRingClass;
}

const POINTS_PER_SERVER = 160;
const POINTS_PER_HASH = 4;
const FNV1A_64_INIT_LOW = 0x84222325;
const FNV1A_64_PRIME_LOW = 0x1b3;

/**
 * twemproxy's `fnv1a_64`: FNV-1a over the key's bytes in 32-bit arithmetic
 * (its C code truncates the 64-bit basis and prime), with bytes >= 0x80
 * sign-extended as a C `char` is on x86. Returns an unsigned 32-bit number.
 */
export function fnv1a64(key: Buffer): number {
  let hash = FNV1A_64_INIT_LOW;
  for (let i = 0; i < key.length; i++) {
    const byte = key[i] as number;
    hash ^= byte >= 0x80 ? byte | 0xffffff00 : byte;
    hash = Math.imul(hash, FNV1A_64_PRIME_LOW);
  }
  return hash >>> 0;
}

/** One server of a ketama pool, as in a twemproxy `servers:` line. */
export interface KetamaServer {
  /** What ketama hashes: the configured name, else "host:port". */
  name: string;
  /** Relative share of the keys, a positive integer (default 1). */
  weight?: number;
}

/**
 * Points twemproxy gives each server: float32 arithmetic, as nc_ketama.c's
 * `floorf(pct * 160 / 4 * n + 0.0000000001) * 4`.
 */
export function ketamaPoints(weights: readonly number[]): number[] {
  const f = Math.fround;
  const total = weights.reduce((a, b) => a + b, 0);
  const n = f(weights.length);
  return weights.map((w) => {
    const pct = f(f(w) / f(total));
    const x = f(f(f(pct * POINTS_PER_SERVER) / POINTS_PER_HASH) * n);
    return Math.floor(f(x + 0.0000000001)) * POINTS_PER_HASH;
  });
}

/** The `{...}` part a key is hashed by under twemproxy's `hash_tag` (two characters), or the whole key. */
export function hashTagged(key: Buffer, tag: string | null): Buffer {
  if (tag === null) return key;
  const open = key.indexOf(tag.charCodeAt(0));
  if (open < 0) return key;
  const close = key.indexOf(tag.charCodeAt(1), open + 1);
  if (close < 0 || close - open <= 1) return key;
  return key.subarray(open + 1, close);
}

interface RingNode {
  value: number;
  server: string;
}

/**
 * A twemproxy-compatible ketama continuum over `servers`. `shardOf(key)`
 * gives the index (in `servers`) of the server twemproxy would send `key`
 * to, with the same `hash_tag` (default `{}`; `null` for none).
 */
export class KetamaRing {
  readonly size: number;
  readonly hashTag: string | null;
  /** hashring's documented find(hash): the position of the first point >= hash, wrapping to 0. */
  private readonly ring: HashRing & { find(hash: number): number };
  private readonly nodes: RingNode[];
  private readonly index = new Map<string, number>();

  constructor(servers: readonly KetamaServer[], hashTag: string | null = '{}') {
    if (servers.length === 0) throw new DataError('a ketama ring needs at least one server');
    if (hashTag !== null && (hashTag.length !== 2 || /[^\x20-\x7e]/.test(hashTag))) {
      throw new DataError(`hashTag must be two ASCII characters like "{}", got ${JSON.stringify(hashTag)}`);
    }
    const weights = servers.map((s, i) => {
      const w = s.weight ?? 1;
      if (!Number.isInteger(w) || w <= 0) throw new DataError(`shard ${i} weight must be a positive integer, got ${String(w)}`);
      if (typeof s.name !== 'string' || s.name === '') throw new DataError(`shard ${i} needs a name`);
      if (this.index.has(s.name)) throw new DataError(`two shards have the ketama name ${JSON.stringify(s.name)}`);
      this.index.set(s.name, i);
      return w;
    });
    const points = ketamaPoints(weights);
    const config: Record<string, { vnodes: number }> = Object.create(null);
    // hashring takes an explicit vnode count (MD5 digests, 4 points each) per server when it differs from its
    // "vnode count"; -1 makes every server's count explicit, so twemproxy's float32 counts are used as they are.
    servers.forEach((s, i) => (config[s.name] = { vnodes: (points[i] as number) / POINTS_PER_HASH }));
    const Ring = hashRing();
    this.ring = new Ring(config, 'md5', { 'vnode count': -1, replicas: POINTS_PER_HASH }) as HashRing & { find(hash: number): number };
    this.nodes = (this.ring as unknown as { ring: RingNode[] }).ring;
    // hashring keeps servers in plain objects: a name it cannot hold (like "__proto__") would silently get no points.
    const placed = new Set(this.nodes.map((n) => n.server));
    servers.forEach((srv, i) => {
      if ((points[i] as number) > 0 && !placed.has(srv.name)) throw new DataError(`shard name ${JSON.stringify(srv.name)} cannot be used; pick another`);
    });
    this.size = servers.length;
    this.hashTag = hashTag;
  }

  /** The index of the server for `key` (string keys as UTF-8 bytes). */
  shardOf(key: string | Buffer): number {
    if (this.size === 1) return 0;
    const bytes = hashTagged(typeof key === 'string' ? Buffer.from(key) : key, this.hashTag);
    const hash = bytes.length === 0 ? 0 : fnv1a64(bytes);
    const node = this.nodes[this.ring.find(hash)] as RingNode;
    return this.index.get(node.server) as number;
  }
}
