// The one file through which the compat faces (ledis/ioredis, ledis/node-redis)
// reach the engine: a Ledis client underneath (its routing, coalescing, spread,
// keyPrefix, TLS, topology and shards), driven by command name, with every
// command passed through the translation table (src/commands/translate.ts).
// When the routing layer's Deployment interface lands, this file switches to
// it and the faces do not change.
import type { EventEmitter } from 'node:events';
import { Ledis, type LedisEvents, type LedisOptions } from '../client.js';
import { specByCommand } from '../commands/index.js';
import { translate, type Plan, type TranslateOptions, type WireCommand } from '../commands/translate.js';
import type { CommandSpec } from '../commands/types.js';
import { asLedisError, DataError } from '../errors.js';
import type { LedisStatus } from '../lifecycle.js';
import type { Pipeline } from '../pipeline.js';
import type { Reply } from '../protocol/parser.js';

/** One command of a batch: its Redis name (upper case) and arguments. */
export interface BatchEntry {
  readonly name: string;
  readonly args: unknown[];
}

/** One command's outcome in a batch: `error` null and `value` set, or the error. */
export interface BatchOutcome {
  readonly error: Error | null;
  readonly value: unknown;
}

type AnyLedis = Ledis<boolean>;

/** What a pipeline offers the engine (Pipeline#add is internal to the package, not to users). */
interface Adder {
  add(spec: CommandSpec | null, name: string, args: unknown[]): unknown;
  execSettled(): Promise<Array<{ ok: true; value: unknown } | { ok: false; error: Error }>>;
}

const bufferSpecs = new Map<string, CommandSpec>();
/** The table entry of `name` with its reply read as Buffers (a plan's `buffers` command). */
function bufferSpec(name: string): CommandSpec {
  let spec = bufferSpecs.get(name);
  if (spec === undefined) {
    // Only what routes it (keys, order, replicas): the table entry's own reply shaping is not the raw reply asked for.
    const { keys, allKeys, readonly, blocking, isolate, timeoutAt } = specByCommand.get(name) ?? {};
    spec = { command: name, keys, allKeys, readonly, blocking, isolate, timeoutAt, bufferReply: true };
    bufferSpecs.set(name, spec);
  }
  return spec;
}

/**
 * The engine as the compat faces see it. `strings` / `buffers`: the same
 * connections, replies as text or as Buffers.
 */
export class Engine {
  private readonly strings: Ledis<true>;
  private readonly bytes: Ledis<false>;

  private constructor(private readonly client: Ledis<true>) {
    this.strings = client;
    this.bytes = client.buffers;
  }

  /** An engine with its own connections, from Ledis options (DataError for bad ones). */
  static create(options: LedisOptions): Engine {
    return new Engine(new Ledis<true>({ ...options, decodeResponses: true }));
  }

  /** The client's events (connect, ready, error, close, reconnecting, end). */
  get events(): EventEmitter<LedisEvents> {
    return this.client;
  }

  /** 'wait' | 'connecting' | 'ready' | 'reconnecting' | 'closing' | 'end'. */
  get status(): LedisStatus {
    return this.client.status;
  }

  /** The options the engine was made with (password redacted). */
  get options(): LedisOptions {
    return this.client.options;
  }

  /**
   * Runs the Redis command `name` (upper case): as it is, or as the
   * translation table plans it. Resolves with the Redis reply (raw RESP:
   * strings or Buffers as `buffers` says, integers as numbers, null, arrays).
   * Every failure is a rejected promise: a DataError before sending for what
   * LedisDB cannot do.
   */
  execute(name: string, args: unknown[], buffers: boolean, options: TranslateOptions): Promise<unknown> {
    let plan: Plan | null;
    try {
      plan = translate(name, args, options);
    } catch (err) {
      return Promise.reject(asLedisError(err, DataError));
    }
    if (plan === null) return (buffers ? this.bytes : this.strings).sendRaw(name, args);
    return this.run(plan, buffers);
  }

  /** Sends `name` as it is (no translation): raw reply. */
  send(name: string, args: unknown[], buffers: boolean): Promise<Reply> {
    return (buffers ? this.bytes : this.strings).sendRaw(name, args);
  }

  /** Runs a plan: its commands in one batch on one connection, then its reply. */
  async run(plan: Plan, buffers: boolean): Promise<unknown> {
    const only = plan.commands.length === 1 ? (plan.commands[0] as WireCommand) : null;
    if (only !== null && only.buffers !== true) {
      const reply = await this.send(only.name, only.args, buffers);
      return plan.reply === undefined ? reply : plan.reply([reply], !buffers);
    }
    const pipeline = this.pipelineOf(buffers);
    for (const c of plan.commands) add(pipeline, c);
    const settled = await pipeline.execSettled();
    const replies: Reply[] = [];
    for (const s of settled) {
      if (!s.ok) throw s.error;
      replies.push(s.value as Reply);
    }
    return plan.reply === undefined ? replies[0] : plan.reply(replies, !buffers);
  }

  /**
   * Runs several Redis commands as one batch (a pipeline): each translated,
   * all their LedisDB commands written together, in order. Resolves with one
   * outcome per entry (a refused or failed entry does not stop the others);
   * never rejects for a command's failure.
   */
  async batch(entries: readonly BatchEntry[], buffers: boolean, options: TranslateOptions): Promise<BatchOutcome[]> {
    const pipeline = this.pipelineOf(buffers);
    const plans: Array<{ plan: Plan | null; from: number; count: number; error: Error | null }> = [];
    let at = 0;
    for (const e of entries) {
      try {
        const plan = translate(e.name, e.args, options);
        const commands: readonly WireCommand[] = plan === null ? [{ name: e.name, args: e.args }] : plan.commands;
        for (const c of commands) add(pipeline, c);
        plans.push({ plan, from: at, count: commands.length, error: null });
        at += commands.length;
      } catch (err) {
        plans.push({ plan: null, from: at, count: 0, error: asLedisError(err, DataError) });
      }
    }
    const settled = at === 0 ? [] : await pipeline.execSettled();
    return plans.map(({ plan, from, count, error }) => {
      if (error !== null) return { error, value: undefined };
      const replies: Reply[] = [];
      for (let i = from; i < from + count; i++) {
        const s = settled[i] as { ok: true; value: unknown } | { ok: false; error: Error };
        if (!s.ok) return { error: s.error, value: undefined };
        replies.push(s.value as Reply);
      }
      try {
        return { error: null, value: plan === null || plan.reply === undefined ? replies[0] : plan.reply(replies, !buffers) };
      } catch (err) {
        return { error: asLedisError(err), value: undefined };
      }
    });
  }

  private pipelineOf(buffers: boolean): Adder {
    return (buffers ? this.bytes.pipeline() : this.strings.pipeline()) as unknown as Pipeline & Adder;
  }

  /** Connects now (lazyConnect); rejects when the first attempt fails. */
  connect(): Promise<void> {
    return this.client.connect();
  }

  /** Waits for outstanding replies, then closes. */
  quit(): Promise<void> {
    return this.client.quit();
  }

  /** Closes at once; outstanding commands reject. */
  disconnect(): void {
    this.client.disconnect();
  }

  /** A new engine with its own connections and these options over this one's. */
  duplicate(overrides: LedisOptions = {}): Engine {
    return new Engine(this.client.duplicate({ ...overrides, decodeResponses: true }) as Ledis<true>);
  }

  /** The engine bound to db `index` (connections of its own, shared by later calls with the same index). */
  db(index: number): Engine {
    const client = this.client.db(index);
    return client === this.client ? this : new Engine(client);
  }

  /** The Ledis client underneath (for `Ledis`-only features the faces pass through). */
  get ledis(): Ledis<true> {
    return this.client;
  }
}

function add(pipeline: Adder, c: WireCommand): void {
  pipeline.add(c.buffers === true ? bufferSpec(c.name) : null, c.name, c.args);
}

export type { AnyLedis };
