// The shard router: one more routing decision above the per-shard clients.
// A command goes to the shard of its key (twemproxy-compatible ketama, see
// ketama.ts); each shard is a full client (one server, or a master with
// replicas), so everything below this layer routes as it does for one
// deployment. Keys never move: a lost shard fails its own callers only.
import { commandKeyIndexes } from '../commands/keys.js';
import { specByCommand } from '../commands/index.js';
import { showAs } from '../connection/options.js';
import type { CommandSpec } from '../commands/types.js';
import { DataError } from '../errors.js';
import type { BatchOutcome, Pipeline, Settled } from '../pipeline.js';
import type { PoolOptions } from '../pool.js';
import type { Reply } from '../protocol/parser.js';
import type { NodeStats, ReadFrom } from '../topology.js';
import { routeOf, type Route } from '../router.js';
import { parseUrl } from '../url.js';
import { KetamaRing } from './ketama.js';

/**
 * One shard of `new Ledis({ shards: [...] })`:
 * - a URL, `ledis://host:port[/db]` (ketama name "host:port", weight 1);
 * - a twemproxy `servers:` line, `host:port:weight [name]`;
 * - an object: `{ url }` or `{ master, replicas, readFrom }` (a topology, as
 *   the client's own options), with an optional ketama `name` (default the
 *   server's "host:port") and `weight` (default 1).
 */
export type ShardTarget =
  | string
  | {
      url?: string;
      master?: string | PoolOptions;
      replicas?: Array<string | PoolOptions>;
      readFrom?: ReadFrom;
      /** twemproxy's server name: ketama hashes it instead of "host:port". */
      name?: string;
      /** twemproxy's weight: a positive integer share of the keys. */
      weight?: number;
    };

/**
 * The client options the router reads (a subset of LedisOptions, which
 * lives in client.ts above this file): the rest is passed to each shard.
 */
export interface ShardedClientOptions extends PoolOptions, ShardingOptions {
  readFrom?: ReadFrom;
  master?: unknown;
  replicas?: unknown;
  topology?: unknown;
  connectionPool?: unknown;
  proxy?: string;
}

/** What the router needs of a per-shard client (a Ledis). */
export interface ShardClient {
  /** sendCommand with the arguments as an array (never spread). */
  sendRaw(name: string, args: unknown[]): Promise<Reply>;
  pipeline(): unknown;
  nodeStats(): NodeStats[];
}

/** Options of a sharded client. */
export interface ShardingOptions {
  /** The shards, in any order (placement depends on names and weights only, as in twemproxy). */
  shards?: ShardTarget[];
  /** twemproxy's `hash_tag`: two characters, default "{}"; null hashes whole keys. */
  hashTag?: string | null;
}

/** A shard client as the router drives it: `run` (a table command with shaped arguments) is private to the client class. */
interface Runner {
  run(route: Route, args: unknown[]): Promise<unknown>;
}

/** A URL with its password (and user) replaced, for output. */
function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const search = u.search.replace(/([?&;]password=)[^&#]*/gi, '$1[redacted]');
    if (u.password === '' && u.username === '') return search === u.search ? url : `${u.protocol}//${u.host}${u.pathname}${search}`;
    return `${u.protocol}//[redacted]@${u.host}${u.pathname}${search}`;
  } catch {
    return '[redacted]';
  }
}

function redactTarget(t: unknown): unknown {
  if (typeof t === 'string') return URL_SCHEME.test(t) ? redactUrl(t) : t;
  if (t === null || typeof t !== 'object') return t;
  const out: Record<string, unknown> = { ...(t as Record<string, unknown>) };
  if ('password' in out && out.password != null) out.password = '[redacted]';
  if (typeof out.url === 'string') out.url = redactUrl(out.url);
  if (out.master !== undefined) out.master = redactTarget(out.master);
  if (Array.isArray(out.replicas)) out.replicas = out.replicas.map(redactTarget);
  return out;
}

/**
 * Makes `options`' toJSON and util.inspect views (see redactPassword) show
 * the shards, the master and the replicas with every password and URL
 * credential redacted.
 */
export function redactShards<T extends { shards?: unknown; master?: unknown; replicas?: unknown }>(options: T): T {
  const base = (options as unknown as { toJSON?: () => Record<string, unknown> }).toJSON;
  const view = (): Record<string, unknown> => {
    const out = base !== undefined ? base.call(options) : { ...(options as Record<string, unknown>) };
    if (Array.isArray(options.shards)) out.shards = options.shards.map(redactTarget);
    if (options.master !== undefined) out.master = redactTarget(options.master);
    if (Array.isArray(options.replicas)) out.replicas = options.replicas.map(redactTarget);
    return out;
  };
  return showAs(options, view);
}

/** Commands whose keys may span shards: split per shard, replies merged. */
const SPLIT: ReadonlyMap<string, 'positions' | 'sum' | 'all'> = new Map([
  ['MGET', 'positions'],
  ['MSET', 'all'],
  ['DEL', 'sum'],
  ['HMCLEAR', 'sum'],
  ['LMCLEAR', 'sum'],
  ['SMCLEAR', 'sum'],
  ['ZMCLEAR', 'sum'],
]);

interface Part {
  shard: number;
  args: unknown[];
  /** Indexes, in the whole command's key order, of this part's keys. */
  positions: number[];
}
interface Split {
  parts: Part[];
  merge: 'positions' | 'sum' | 'all';
  keys: number;
}
type Plan = number | Split | DataError;

function keyBytes(key: unknown): Buffer {
  if (Buffer.isBuffer(key)) return key;
  if (key instanceof Uint8Array) return Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  return Buffer.from(String(key));
}

function shown(key: unknown): string {
  const s = Buffer.isBuffer(key) ? `<${key.length}-byte Buffer>` : JSON.stringify(String(key));
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const TWEMPROXY_LINE = /^(\S+):(\d+):(\d+)(?:\s+(\S+))?$/;

/** Per-shard client options and ketama identity. */
function shardConfig(target: ShardTarget, base: ShardedClientOptions, i: number): { options: ShardedClientOptions; name: string; weight: number } {
  const what = `shards[${i}]`;
  if (typeof target === 'string') {
    if (URL_SCHEME.test(target)) {
      const options = parseUrl(target, { ...base });
      return { options, name: addressOf(options, what), weight: 1 };
    }
    const m = TWEMPROXY_LINE.exec(target.trim());
    if (m === null) {
      throw new DataError(`${what} must be a URL (ledis://host:port) or a twemproxy server line (host:port:weight [name]); got an unrecognized string`);
    }
    const options = { ...base, host: m[1] as string, port: Number(m[2]) };
    return { options, name: m[4] ?? `${m[1]}:${m[2]}`, weight: Number(m[3]) };
  }
  if (target === null || typeof target !== 'object') throw new DataError(`${what} must be a URL string or an object, got ${typeof target}`);
  const { url, master, replicas, readFrom, name, weight } = target;
  if (name !== undefined && (typeof name !== 'string' || name === '' || /\s/.test(name))) {
    throw new DataError(`${what}.name must be a non-empty string without spaces`);
  }
  let options: ShardedClientOptions;
  if (url !== undefined) {
    if (master !== undefined) throw new DataError(`${what} has both url and master: give one`);
    options = parseUrl(url, { ...base });
  } else if (master !== undefined) {
    options = { ...base, master, replicas, readFrom: readFrom ?? base.readFrom };
  } else {
    throw new DataError(`${what} needs a url or a master`);
  }
  const node = master === undefined ? options : typeof master === 'string' ? parseUrl(master, {}) : master;
  return { options, name: name ?? addressOf(node, what), weight: weight ?? 1 };
}

function addressOf(options: PoolOptions, what: string): string {
  if (options.unixSocketPath !== undefined) return options.unixSocketPath;
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 6380;
  if (typeof host !== 'string' || !Number.isInteger(port)) throw new DataError(`${what} has no usable host and port`);
  return `${host}:${port}`;
}

/**
 * Routes the commands of a sharded client to per-shard clients made by
 * `make` (a full `Ledis` each). See README "Sharding".
 */
export class ShardRouter<C extends ShardClient> {
  readonly clients: C[];
  readonly ring: KetamaRing;
  /** The ketama names, in `shards` order. */
  readonly names: string[];

  constructor(options: ShardedClientOptions, make: (options: ShardedClientOptions) => C, from?: { ring: KetamaRing; names: string[]; clients: C[] }) {
    if (from !== undefined) {
      this.ring = from.ring;
      this.names = from.names;
      this.clients = from.clients;
      return;
    }
    const { shards, hashTag, ...rest } = options;
    if (!Array.isArray(shards) || shards.length === 0) throw new DataError('shards must be a non-empty array of URLs or shard objects');
    if (rest.master !== undefined || rest.topology !== undefined || rest.connectionPool !== undefined || rest.proxy !== undefined) {
      throw new DataError('shards cannot be combined with master, topology, connectionPool or proxy: give each shard its own master and replicas');
    }
    const configs = shards.map((s, i) => shardConfig(s, rest, i));
    this.ring = new KetamaRing(
      configs.map((c) => ({ name: c.name, weight: c.weight })),
      hashTag === undefined ? '{}' : hashTag,
    );
    this.names = configs.map((c) => c.name);
    this.clients = configs.map((c) => make(c.options));
  }

  /** The same shards and placement over clients derived from these (e.g. each shard's `master()` view). */
  map(derive: (client: C) => C): ShardRouter<C> {
    const none = (): C => {
      throw new DataError("no new shard clients are made for a derived router");
    };
    return new ShardRouter<C>({}, none, { ring: this.ring, names: this.names, clients: this.clients.map(derive) });
  }

  /** The index of the shard `key` lives on. */
  shardOf(key: unknown): number {
    return this.ring.shardOf(keyBytes(key));
  }

  /** Where a command goes: a shard, a split over shards, or the reason it cannot go anywhere. */
  plan(spec: CommandSpec, args: readonly unknown[]): Plan {
    const name = spec.command;
    const all = spec.allKeys;
    if (all === true || (typeof all === 'function' && all(args))) {
      return new DataError(
        'it reaches keys it does not name (or every key), so no one shard can run it: send it to each shard with ledis.shard(i)',
        name,
      );
    }
    const idx = commandKeyIndexes(spec, args);
    if (idx.length === 0) {
      return new DataError('it names no key, so it has no shard: send it to one with ledis.shard(i)', name);
    }
    const first = this.shardOf(args[idx[0] as number]);
    if (this.clients.length === 1) return first;
    let spread = -1;
    for (let k = 1; k < idx.length; k++) {
      if (this.shardOf(args[idx[k] as number]) !== first) {
        spread = k;
        break;
      }
    }
    if (spread < 0) return first;
    const merge = SPLIT.get(name);
    if (merge === undefined) {
      const a = args[idx[0] as number];
      const b = args[idx[spread] as number];
      return new DataError(
        `its keys are on different shards (${shown(a)} on shard ${first}, ${shown(b)} on shard ${this.shardOf(b)}), ` +
          'and running it per shard would change its meaning; keep such keys together with a hash tag, e.g. {user1}:a and {user1}:b',
        name,
      );
    }
    const parts = new Map<number, Part>();
    for (let k = 0; k < idx.length; k++) {
      const at = idx[k] as number;
      const end = k + 1 < idx.length ? (idx[k + 1] as number) : args.length;
      const shard = this.shardOf(args[at]);
      let part = parts.get(shard);
      if (part === undefined) {
        part = { shard, args: [], positions: [] };
        parts.set(shard, part);
      }
      for (let j = at; j < end; j++) part.args.push(args[j]);
      part.positions.push(k);
    }
    return { parts: [...parts.values()], merge, keys: idx.length };
  }

  /** Runs a table command on its shard(s). */
  run(spec: CommandSpec, args: unknown[]): Promise<unknown> {
    const plan = this.plan(spec, args);
    if (typeof plan === 'number') return (this.clients[plan] as unknown as Runner).run(routeOf(spec), args);
    if (plan instanceof DataError) return Promise.reject(plan);
    const route = routeOf(spec);
    return Promise.all(plan.parts.map((p) => (this.clients[p.shard] as unknown as Runner).run(route, p.args))).then((values) => merge(plan, values));
  }

  /** Runs a raw command on its shard(s), with the table's key positions for its name. */
  sendCommand(name: string, args: unknown[]): Promise<Reply> {
    const upper = name.toUpperCase();
    const spec = specByCommand.get(upper) ?? { command: upper };
    const plan = this.plan(spec.command === upper ? spec : { ...spec, command: upper }, args);
    if (typeof plan === 'number') return (this.clients[plan] as C).sendRaw(name, args);
    if (plan instanceof DataError) return Promise.reject(plan);
    return Promise.all(plan.parts.map((p) => (this.clients[p.shard] as C).sendRaw(name, p.args))).then(
      (values) => merge(plan, values) as Reply,
    );
  }

  /**
   * Runs a pipeline's commands: one pipeline per shard, each in the caller's
   * order; MGET/DEL/MSET/*MCLEAR spanning shards split as on the client.
   * A command that cannot be routed fails in its own slot; nothing of it is sent.
   */
  async execPipeline(
    entries: Array<{ spec: CommandSpec | null; name: string; args: unknown[] }>,
  ): Promise<BatchOutcome> {
    const n = entries.length;
    const results = new Array<unknown>(n);
    let errors: (Error | undefined)[] | null = null;
    let failed = 0;
    const fail = (i: number, err: Error) => {
      if (errors === null) errors = new Array(n);
      if (errors[i] === undefined) failed++;
      errors[i] = err;
    };
    const pipes = new Map<number, { pipe: Pipeline<never, unknown[]>; slots: Array<[entry: number, part: number]> }>();
    const plans: Plan[] = new Array(n);
    const partValues: unknown[][] = new Array(n);
    for (let i = 0; i < n; i++) {
      const { spec, name, args } = entries[i] as { spec: CommandSpec | null; name: string; args: unknown[] };
      const routed = spec ?? specByCommand.get(name) ?? { command: name };
      const plan = this.plan(routed.command === name ? routed : { ...routed, command: name }, args);
      plans[i] = plan;
      if (plan instanceof DataError) {
        fail(i, plan);
        continue;
      }
      const parts = typeof plan === 'number' ? [{ shard: plan, args }] : plan.parts;
      partValues[i] = new Array(parts.length);
      parts.forEach((part, j) => {
        let entry = pipes.get(part.shard);
        if (entry === undefined) {
          entry = { pipe: (this.clients[part.shard] as C).pipeline() as unknown as Pipeline<never, unknown[]>, slots: [] };
          pipes.set(part.shard, entry);
        }
        entry.pipe.add(spec, name, part.args);
        entry.slots.push([i, j]);
      });
    }
    const settled = await Promise.all(
      [...pipes.values()].map(async ({ pipe, slots }) => ({ slots, out: (await pipe.execSettled()) as Settled<unknown>[] })),
    );
    for (const { slots, out } of settled) {
      slots.forEach(([i, j], s) => {
        const r = out[s] as Settled<unknown>;
        if (r.ok) (partValues[i] as unknown[])[j] = r.value;
        else fail(i, r.error);
      });
    }
    for (let i = 0; i < n; i++) {
      const plan = plans[i] as Plan;
      if (plan instanceof DataError || (errors as (Error | undefined)[] | null)?.[i] !== undefined) continue;
      results[i] = typeof plan === 'number' ? (partValues[i] as unknown[])[0] : merge(plan, partValues[i] as unknown[]);
    }
    return { results, errors, failed };
  }

  /** Every shard's node counters, shard by shard. */
  stats(): NodeStats[] {
    return this.clients.flatMap((c) => c.nodeStats());
  }
}

/** Puts split replies back together in the caller's key order. */
function merge(plan: Split, values: unknown[]): unknown {
  if (plan.merge === 'sum') {
    let total = 0;
    for (const v of values) total += Number(v);
    return total;
  }
  if (plan.merge === 'all') return values[0];
  const out = new Array<unknown>(plan.keys);
  plan.parts.forEach((part, j) => {
    const got = values[j] as unknown[];
    part.positions.forEach((pos, k) => (out[pos] = got[k]));
  });
  return out;
}
