// Sharding: twemproxy-compatible ketama placement (ketama.ts) of keys over
// several ServerDeployments, and the split/merge of the commands whose keys
// span shards. Each shard is a whole deployment (one server, or a master with
// replicas), so everything below routes as it does for one server. Keys never
// move: a lost shard fails its own callers only.
import { commandKeyIndexes } from '../commands/keys.js';
import { specByCommand } from '../commands/index.js';
import type { Command } from '../connection/command.js';
import type { Connection } from '../connection/connection.js';
import type { CommandSpec } from '../commands/types.js';
import { ConnectionError, DataError, ProtocolError, SplitWriteError, type SplitWritePart } from '../errors.js';
import { statusOf, type LedisStatus } from '../lifecycle.js';
import { Pipeline, type BatchOutcome, type CommandSource, type Settled } from '../pipeline.js';
import type { BasePool } from '../pool.js';
import type { Reply } from '../protocol/parser.js';
import type { NodeStats, ReadFrom, Topology } from '../topology.js';
import type { CommandMaker, Deployment, EventSink, ServerDeployment } from '../routing/deployment.js';
import { routeOf, type Route } from '../routing/route.js';
import { KetamaRing } from './ketama.js';
import { shardConfig, type ShardedClientOptions } from './options.js';

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

/**
 * Several ServerDeployments with keys placed by twemproxy's ketama: a command
 * goes to the shard of its keys; MGET, MSET, DEL and the *MCLEARs spanning
 * shards are split per shard and their replies merged in the caller's order;
 * any other command whose keys span shards, or that names no key, is refused
 * with a DataError (run it on one shard: `ledis.shard(i)`). See README "Sharding".
 */
export class ShardedDeployment implements Deployment {
  readonly sharded = true;

  private constructor(
    readonly parts: readonly ServerDeployment[],
    readonly ring: KetamaRing,
  ) {}

  /** The shards of `options.shards`, each a deployment made by `open` from its own options. */
  static open(options: ShardedClientOptions, open: (options: ShardedClientOptions) => ServerDeployment): ShardedDeployment {
    const { shards, hashTag, ...rest } = options;
    if (!Array.isArray(shards) || shards.length === 0) throw new DataError('shards must be a non-empty array of URLs or shard objects');
    if (rest.master !== undefined || rest.topology !== undefined || rest.connectionPool !== undefined || rest.proxy !== undefined) {
      throw new DataError('shards cannot be combined with master, topology, connectionPool or proxy: give each shard its own master and replicas');
    }
    const configs = shards.map((s, i) => shardConfig(s, rest, i));
    const ring = new KetamaRing(
      configs.map((c) => ({ name: c.name, weight: c.weight })),
      hashTag === undefined ? '{}' : hashTag,
    );
    const parts: ServerDeployment[] = [];
    try {
      for (const c of configs) parts.push(open(c.options));
    } catch (err) {
      for (const part of parts) part.disconnect();
      throw err;
    }
    return new ShardedDeployment(parts, ring);
  }

  /** The same placement over deployments derived from these. */
  private map(derive: (part: ServerDeployment) => ServerDeployment): ShardedDeployment {
    return new ShardedDeployment(this.parts.map(derive), this.ring);
  }

  share(readFrom?: ReadFrom): ShardedDeployment {
    return this.map((p) => p.share(readFrom));
  }

  forDb(db: number): ShardedDeployment {
    return this.map((p) => p.forDb(db));
  }

  /** The index of the shard `key` lives on. */
  shardOf(key: unknown): number {
    return this.ring.shardOf(keyBytes(key));
  }

  // What one connection pool answers for the face (its pool, topology, db, readFrom) is the first shard's.
  get readFrom(): ReadFrom {
    return (this.parts[0] as ServerDeployment).readFrom;
  }

  get readsFromMaster(): boolean {
    return this.parts.every((p) => p.readsFromMaster);
  }

  get db(): number {
    return (this.parts[0] as ServerDeployment).db;
  }

  get topology(): Topology | null {
    return (this.parts[0] as ServerDeployment).topology;
  }

  get connectionPool(): BasePool {
    return (this.parts[0] as ServerDeployment).connectionPool;
  }

  connectionFor(readonly: boolean): Connection {
    return (this.parts[0] as ServerDeployment).connectionFor(readonly);
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
    if (this.parts.length === 1) return first;
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

  run(route: Route, args: unknown[], maker: CommandMaker): Promise<unknown> {
    const plan = this.plan(route.spec, args);
    if (typeof plan === 'number') return (this.parts[plan] as ServerDeployment).run(route, args, maker);
    if (plan instanceof DataError) return Promise.reject(plan);
    return settleSplit(route.spec.command, plan, args, route.spec, plan.parts.map((p) => (this.parts[p.shard] as ServerDeployment).run(route, p.args, maker)));
  }

  /** A raw command on its shard(s), with the table's key positions for its name. */
  raw(name: string, args: unknown[], maker: CommandMaker): Promise<Reply> {
    const spec = specByCommand.get(name) ?? { command: name };
    const plan = this.plan(spec.command === name ? spec : { ...spec, command: name }, args);
    if (typeof plan === 'number') return (this.parts[plan] as ServerDeployment).raw(name, args, maker);
    if (plan instanceof DataError) return Promise.reject(plan);
    return settleSplit(name, plan, args, spec, plan.parts.map((p) => (this.parts[p.shard] as ServerDeployment).raw(name, p.args, maker))) as Promise<Reply>;
  }

  pipelineSource(maker: CommandMaker): CommandSource {
    return {
      command: (spec, name, args) => (spec === null ? maker.raw(name, args) : maker.command(routeOf(spec), args)),
      batch: () => Promise.reject(new DataError('a sharded pipeline runs through exec')),
      exec: (entries) => this.execPipeline(entries, maker),
    };
  }

  /**
   * Runs a pipeline's commands: one pipeline per shard, each in the caller's
   * order; MGET/DEL/MSET/*MCLEAR spanning shards split as on the client.
   * A command that cannot be routed fails in its own slot; nothing of it is sent.
   */
  private async execPipeline(entries: Array<{ spec: CommandSpec | null; name: string; args: unknown[] }>, maker: CommandMaker): Promise<BatchOutcome> {
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
          entry = { pipe: new Pipeline<never, unknown[]>((this.parts[part.shard] as ServerDeployment).pipelineSource(maker)), slots: [] };
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

  /** A bulk load's command, to the shard of its first key (keyless: the first shard). */
  sendKeyed(cmd: Command, key: unknown): void {
    (this.parts[key === undefined ? 0 : this.shardOf(key)] as ServerDeployment).sendKeyed(cmd, key);
  }

  connect(): Promise<void> {
    return Promise.all(this.parts.map((p) => p.connect())).then(() => undefined);
  }

  quit(): Promise<void> {
    return Promise.all(this.parts.map((p) => p.quit())).then(() => undefined);
  }

  disconnect(): void {
    for (const p of this.parts) p.disconnect();
  }

  /** Every shard's shared connections read as one: ready if any is, end when all are. */
  status(): LedisStatus {
    const all: Connection[] = [];
    for (const p of this.parts) for (const c of p.connectionPool.sharedList) all.push(c);
    return statusOf(all);
  }

  subscribe(sink: EventSink): void {
    for (const p of this.parts) p.subscribe(sink);
  }

  unsubscribe(sink: EventSink): void {
    for (const p of this.parts) p.unsubscribe(sink);
  }

  /** Every shard's node counters, shard by shard. */
  nodeStats(): NodeStats[] {
    return this.parts.flatMap((p) => p.nodeStats());
  }

  /** AUTH on every shard; true when every shard accepted it. */
  authenticate(password: string): Promise<boolean> {
    return Promise.all(this.parts.map((p) => p.authenticate(password))).then((ok) => ok.every(Boolean));
  }
}

/**
 * Waits for every part of a split command. A read (MGET) fails with its first
 * part's error. A write (MSET, DEL, *MCLEAR) that failed on some shard while
 * others applied their part (or may have) ran in part: a SplitWriteError
 * says which keys were applied, shard by shard, with mayHaveRun true. (Issue
 * 25 point 5: it used to reject with the failed shard's "was not sent",
 * mayHaveRun false, though the live shards' part was applied.)
 */
async function settleSplit(name: string, plan: Split, args: readonly unknown[], spec: CommandSpec, attempts: Promise<unknown>[]): Promise<unknown> {
  const outcomes = await Promise.allSettled(attempts);
  const firstFailure = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (firstFailure === undefined) return merge(plan, outcomes.map((o) => (o as PromiseFulfilledResult<unknown>).value));
  const maybe = (e: unknown) => (e instanceof ConnectionError && e.mayHaveRun) || e instanceof ProtocolError;
  const someRan = outcomes.some((o) => o.status === 'fulfilled' || maybe(o.reason));
  if (name === 'MGET' || !someRan) throw firstFailure.reason;
  const idx = commandKeyIndexes(spec, args);
  const parts: SplitWritePart[] = plan.parts.map((part, j) => {
    const o = outcomes[j] as PromiseSettledResult<unknown>;
    const keys = part.positions.map((pos) => args[idx[pos] as number]);
    return o.status === 'fulfilled'
      ? { shard: part.shard, keys, applied: true, mayHaveRun: true }
      : { shard: part.shard, keys, applied: false, mayHaveRun: maybe(o.reason), error: o.reason instanceof Error ? o.reason : new Error(String(o.reason)) };
  });
  parts.sort((a, b) => a.shard - b.shard);
  const said = parts
    .map((x) =>
      x.applied
        ? `shard ${x.shard} (${x.keys.length} keys) applied`
        : `shard ${x.shard} (${x.keys.length} keys) ${x.mayHaveRun ? 'may have applied' : 'not applied'}: ${x.error?.message ?? ''}`,
    )
    .join('; ');
  throw new SplitWriteError(`${name} over ${parts.length} shards ran in part: ${said}`, name, parts, firstFailure.reason);
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
