// The one file through which the compat faces (ledis/ioredis, ledis/node-redis)
// reach the engine: a Deployment (src/routing/deployment.ts: routing,
// coalescing, spread, TLS, topology, shards) driven by command name, with a
// CommandMaker for text and one for Buffers (src/mode.ts: keyPrefix), and
// every command passed through the translation table (src/commands/translate.ts).
// No queue, pipeline or parser of its own: a plan's commands go out as one
// Pipeline batch of the same Deployment.
import { EventEmitter } from 'node:events';
import type { LedisEvents, LedisOptions } from '../client.js';
import { specByCommand } from '../commands/index.js';
import { commandName, refuseSharedState } from '../commands/server.js';
import { SCRIPT_COMMANDS, ScriptReplies, type Outcome, type ScriptPlan } from '../commands/script-stash.js';
import { sentAsIs, translate, type Plan, type TranslateOptions, type WireCommand } from '../commands/translate.js';
import type { Str } from '../commands/types.js';
import { redactPassword } from '../connection/options.js';
import { asLedisError, DataError, UnexpectedReplyError } from '../errors.js';
import type { LedisStatus } from '../lifecycle.js';
import { CommandMode } from '../mode.js';
import { checkClientOptions } from '../options-check.js';
import { addWire, Pipeline, runTogether, type CommandSource } from '../pipeline.js';
import { makeKeyPrefix } from '../prefix.js';
import type { Reply } from '../protocol/parser.js';
import { ROUTED_EVENTS, type EventSink } from '../routing/backend.js';
import { ServerDeployment, type Deployment, type ServerOptions } from '../routing/deployment.js';
import { routeOf, type Route } from '../routing/route.js';
import { redactShards } from '../sharding/options.js';
import { ShardedDeployment } from '../sharding/placement.js';

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

/** The commands whose translation reads a script (and so whether its calls go through the shim). */
const LINTED: ReadonlySet<string> = new Set(['EVAL', 'EVAL_RO', 'SCRIPT']);

const directRoutes = new Map<string, Route | null>();
/**
 * The route of a command the table sends as it is (GET, HGETALL ...): its
 * table entry's routing (keys, order, replicas) without the entry's reply
 * shaping, so the reply is raw. Cached by name; null for a name that is not
 * sent as it is or would change a shared connection (AUTH, SELECT, QUIT).
 */
function directRoute(name: string): Route | null {
  let route = directRoutes.get(name);
  if (route === undefined) {
    route = null;
    if (sentAsIs(name) && refuseSharedState(name) === null) {
      const { keys, allKeys, readonly, blocking, isolate, timeoutAt } = specByCommand.get(name) ?? {};
      route = routeOf({ command: name, keys, allKeys, readonly, blocking, isolate, timeoutAt });
    }
    directRoutes.set(name, route);
  }
  return route;
}

/** The deployment of a face's options: shards, or one server (or a topology), as `new Ledis(options)` opens it. */
function openDeployment(options: LedisOptions): Deployment {
  const open = (o: object): ServerDeployment => {
    checkClientOptions(o as LedisOptions);
    return ServerDeployment.open(o as ServerOptions);
  };
  return options.shards === undefined ? open(options) : ShardedDeployment.open(options as never, open);
}

/** The connections' events, re-emitted once the face listens; 'end' once, when everything is closed. */
class Events extends EventEmitter<LedisEvents> implements EventSink {
  ended = false;
  closing = false;
  private endEmitted = false;

  constructor(private readonly deployment: Deployment) {
    super();
    (this as EventEmitter).on('newListener', (event: string | symbol) => {
      if (typeof event === 'string' && ROUTED_EVENTS.has(event)) this.deployment.subscribe(this);
    });
  }

  routedEvent(event: string, args: unknown[]): void {
    if (event === 'end') {
      if (this.deployment.status() === 'end') this.end();
      return;
    }
    if (event === 'error' && this.listenerCount('error') === 0) return;
    (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args);
  }

  end(): void {
    this.ended = true;
    this.closing = false;
    if (this.endEmitted) return;
    this.endEmitted = true;
    (this.emit as (e: string) => boolean)('end');
  }
}

/**
 * The engine as the compat faces see it: Redis commands by name, translated,
 * over one Deployment; replies as text or as Buffers per call.
 */
export class Engine {
  private readonly strings: CommandMode;
  private readonly bytes: CommandMode;
  private stringSource: CommandSource | null = null;
  private bufferSource: CommandSource | null = null;
  private readonly dbs: Map<number, Engine>;
  /** Scripts run through a reply key (src/commands/script-stash.ts); null: sent as they are (sharded, twemproxy, or scriptReplies 'direct'). */
  private readonly scripts: ScriptReplies | null;
  private readonly shimOptions = new WeakMap<TranslateOptions, TranslateOptions>();

  private constructor(
    private readonly deployment: Deployment,
    /** The options the engine was made with (password redacted). */
    readonly options: LedisOptions,
    /** The deployment that owns the connections (quit/disconnect close it): the root's, for a db engine too. */
    private readonly owner: Deployment,
    private readonly eventSink: Events,
    dbs: Map<number, Engine> | null,
  ) {
    const prefix = makeKeyPrefix(options.keyPrefix);
    // Errors as ioredis and node-redis give them: the server's text as the message (command in err.command).
    this.strings = new CommandMode(true, prefix, null, true);
    this.bytes = new CommandMode(false, prefix, null, true);
    this.dbs = dbs ?? new Map();
    // A reply key must live where its EVAL ran: one server (or a topology's master). Shards and a proxy place keys by hash.
    const direct = options.scriptReplies === 'direct' || options.shards !== undefined || options.proxy !== undefined;
    this.scripts = direct ? null : new ScriptReplies(options.keyPrefix ?? '', true);
  }

  /** Scripts run wrapped, their `redis.call` through the Redis shim (TranslateOptions.redisCalls). */
  get redisCalls(): boolean {
    return this.scripts !== null;
  }

  /** `options` with redisCalls set when scripts run wrapped (one object per face's options). */
  scriptOptions(options: TranslateOptions): TranslateOptions {
    if (this.scripts === null) return options;
    let o = this.shimOptions.get(options);
    if (o === undefined) {
      o = { ...options, redisCalls: true };
      this.shimOptions.set(options, o);
    }
    return o;
  }

  /** Tells the engine a script's source before its first EVALSHA (defineCommand), so that EVALSHA names the wrapped script. */
  knowScript(source: string | Buffer): void {
    this.scripts?.know(source);
  }

  /** An engine with its own connections, from Ledis options (DataError for bad ones). */
  static create(options: LedisOptions): Engine {
    const deployment = openDeployment(options);
    return new Engine(deployment, redactShards(redactPassword({ ...options })), deployment, new Events(deployment), null);
  }

  /** The connections' events (connect, ready, error, close, reconnecting, end; failover ... with a topology). */
  get events(): EventEmitter<LedisEvents> {
    return this.eventSink;
  }

  /** 'wait' | 'connecting' | 'ready' | 'reconnecting' | 'closing' | 'end'. */
  get status(): LedisStatus {
    if (this.eventSink.ended) return 'end';
    if (this.eventSink.closing) return 'closing';
    return this.deployment.status();
  }

  /**
   * Runs the Redis command `name` (upper case): as it is, or as the
   * translation table plans it. Resolves with the Redis reply (raw RESP:
   * strings or Buffers as `buffers` says, integers as numbers, null, arrays).
   * Every failure is a rejected promise: a DataError before sending for what
   * LedisDB cannot do.
   */
  execute(name: string, args: unknown[], buffers: boolean, options: TranslateOptions): Promise<unknown> {
    // The hot path (GET, HGET, INCR ...): one lookup, then the deployment.
    const route = directRoutes.get(name) ?? directRoute(name);
    if (route !== null && (this.scripts === null || name !== 'EVALSHA')) return this.deployment.run(route, args, buffers ? this.bytes : this.strings);
    let plan: Plan | null;
    try {
      plan = translate(name, args, LINTED.has(name) ? this.scriptOptions(options) : options);
      if (this.scripts !== null && (plan !== null || SCRIPT_COMMANDS.has(name))) {
        const scripted = this.scripts.rewrite(plan ?? { commands: [{ name, args }] });
        if (scripted !== null) return this.runScriptPlan(scripted, buffers);
      }
      if (plan === null) return this.deployment.raw(commandName(name), args, buffers ? this.bytes : this.strings);
    } catch (err) {
      return Promise.reject(asLedisError(err, DataError));
    }
    return this.run(plan, buffers);
  }

  /**
   * Runs a plan as one Pipeline batch: every command on one connection, in
   * order (a script's reply key is read right after the script ran). Rejects
   * with the first failed command's error, once every command has settled.
   */
  private async runScriptPlan(plan: ScriptPlan, buffers: boolean): Promise<unknown> {
    const source = this.sourceOf(buffers);
    return plan.run((commands) => runTogether(source, commands), !buffers);
  }

  /** Sends `name` as it is (no translation): raw reply. */
  send(name: string, args: unknown[], buffers: boolean): Promise<Reply> {
    try {
      return this.deployment.raw(commandName(name), args, buffers ? this.bytes : this.strings);
    } catch (err) {
      return Promise.reject(asLedisError(err, DataError));
    }
  }

  /**
   * Runs a plan: its commands issued together, in order (commands on one key
   * keep issue order on any connection spread, and each is coalesced as any
   * other: no Pipeline object per call), then its reply. Rejects with the
   * first failed command's error, once every command has settled.
   */
  async run(plan: Plan, buffers: boolean): Promise<unknown> {
    const commands = plan.commands;
    if (commands.length === 1) {
      const only = commands[0] as WireCommand;
      const reply = await this.send(only.name, only.args, buffers || only.buffers === true);
      return plan.reply === undefined ? reply : answer(plan, [reply], !buffers);
    }
    const pending: Promise<Reply>[] = new Array(commands.length);
    for (let i = 0; i < commands.length; i++) {
      const c = commands[i] as WireCommand;
      pending[i] = this.send(c.name, c.args, buffers || c.buffers === true);
    }
    const replies = await Promise.all(pending);
    return plan.reply === undefined ? replies[0] : answer(plan, replies, !buffers);
  }

  /**
   * Runs several Redis commands as one batch (a pipeline): each translated,
   * all their LedisDB commands written together, in order. Resolves with one
   * outcome per entry (a refused or failed entry does not stop the others);
   * never rejects for a command's failure.
   */
  async batch(entries: readonly BatchEntry[], buffers: boolean, options: TranslateOptions): Promise<BatchOutcome[]> {
    const pipeline = this.pipelineOf(buffers);
    const plans: Array<{ plan: Plan | ScriptPlan | null; from: number; count: number; error: Error | null }> = [];
    let at = 0;
    for (const e of entries) {
      try {
        const translated = translate(e.name, e.args, LINTED.has(e.name) ? this.scriptOptions(options) : options);
        const plan = this.scripts !== null && (translated !== null || SCRIPT_COMMANDS.has(e.name)) ? (this.scripts.rewrite(translated ?? { commands: [{ name: e.name, args: e.args }] }) ?? translated) : translated;
        const commands: readonly WireCommand[] = plan === null ? [{ name: e.name, args: e.args }] : plan.commands;
        for (const c of commands) addWire(pipeline, c);
        plans.push({ plan, from: at, count: commands.length, error: null });
        at += commands.length;
      } catch (err) {
        plans.push({ plan: null, from: at, count: 0, error: asLedisError(err, DataError) });
      }
    }
    const settled = at === 0 ? [] : await pipeline.execSettled();
    return plans.map(({ plan, from, count, error }) => {
      if (error !== null) return { error, value: undefined };
      if (plan !== null && 'settle' in plan) {
        try {
          return { error: null, value: plan.settle(settled.slice(from, from + count) as Outcome[], !buffers) };
        } catch (err) {
          return { error: asLedisError(err, UnexpectedReplyError), value: undefined };
        }
      }
      const replies: Reply[] = [];
      for (let i = from; i < from + count; i++) {
        const s = settled[i] as Outcome;
        if (!s.ok) return { error: s.error, value: undefined };
        replies.push(s.value as Reply);
      }
      try {
        return { error: null, value: plan === null || plan.reply === undefined ? replies[0] : plan.reply(replies, !buffers) };
      } catch (err) {
        return { error: asLedisError(err, UnexpectedReplyError), value: undefined };
      }
    });
  }

  private sourceOf(buffers: boolean): CommandSource {
    return buffers ? (this.bufferSource ??= this.deployment.pipelineSource(this.bytes)) : (this.stringSource ??= this.deployment.pipelineSource(this.strings));
  }

  private pipelineOf(buffers: boolean): Pipeline<Str, unknown[]> {
    return new Pipeline<Str, unknown[]>(this.sourceOf(buffers));
  }

  /** Connects now (lazyConnect); rejects when the first attempt fails. */
  connect(): Promise<void> {
    return this.deployment.connect();
  }

  /** Waits for outstanding replies, then closes every connection of the face (every db's). */
  quit(): Promise<void> {
    if (this.eventSink.ended) return Promise.resolve();
    this.eventSink.closing = true;
    return this.owner.quit().then(() => this.eventSink.end());
  }

  /** Closes every connection of the face at once; outstanding commands reject. */
  disconnect(): void {
    if (!this.eventSink.ended) {
      this.eventSink.ended = true;
      process.nextTick(() => this.eventSink.end());
    }
    this.owner.disconnect();
  }

  /** A new engine with its own connections, with this one's options, db and readFrom, and `overrides`. */
  duplicate(overrides: LedisOptions = {}): Engine {
    return Engine.create({ ...this.options, db: this.deployment.db, readFrom: this.deployment.readFrom, ...overrides });
  }

  /**
   * The engine of db `index`: connections of its own (made on first use,
   * cached), the same events and owner (quit() closes every db's).
   */
  db(index: number): Engine {
    if (!Number.isInteger(index) || index < 0) throw new DataError(`db index must be a non-negative integer, got ${index}`, 'SELECT');
    if (index === this.owner.db) return this.dbs.get(index) ?? this.rootEngine();
    let engine = this.dbs.get(index);
    if (engine === undefined) {
      engine = new Engine(this.owner.forDb(index), { ...this.options, db: index }, this.owner, this.eventSink, this.dbs);
      this.dbs.set(index, engine);
    }
    return engine;
  }

  private rootEngine(): Engine {
    if (this.deployment === this.owner) return this;
    const root = new Engine(this.owner, { ...this.options, db: this.owner.db }, this.owner, this.eventSink, this.dbs);
    this.dbs.set(this.owner.db, root);
    return root;
  }
}

/**
 * A plan's Redis reply from its LedisDB replies. The table checks the shapes
 * it reads; anything else a combiner throws on a server's garbage is still a
 * LedisError to this caller only (UnexpectedReplyError), never a TypeError.
 */
function answer(plan: Plan, replies: readonly Reply[], strings: boolean): unknown {
  try {
    return (plan.reply as NonNullable<Plan['reply']>)(replies, strings);
  } catch (err) {
    throw asLedisError(err, UnexpectedReplyError);
  }
}
