import type { Command, BatchSink } from './connection/command.js';
import type { Connection } from './connection/connection.js';
import { commandTable, specByCommand, type Commands } from './commands/index.js';
import { minArgsOf, tooFewArguments } from './commands/arity.js';
import { commandName } from './commands/server.js';
import type { CommandSpec, PipelineMode, Str } from './commands/types.js';
import { asLedisError, DataError, LedisError, PipelineError } from './errors.js';
import { validateArgs } from './protocol/encoder.js';
import type { Reply } from './protocol/parser.js';
import { traceBatch, tracingBatches } from './tracing.js';

/** One command's outcome, from `execSettled()`. */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: Error };
export type SettledTuple<R extends unknown[]> = { [K in keyof R]: Settled<R[K]> };
/**
 * What exec() resolves to: the chained commands' result tuple, or
 * `unknown[]` for a pipeline whose commands were added in a loop (its type
 * never saw them, so indexing an empty tuple type would not type-check).
 */
export type ExecResult<R extends unknown[]> = R extends [] ? unknown[] : R;

/**
 * Commands written per chunk before the pipeline checks back-pressure. A
 * longer batch is written over several ticks: the router holds the commands
 * issued after exec() until its last chunk is queued (src/routing/lanes.ts, Lanes#batch).
 */
export const CHUNK = 2048;

/**
 * What a pipeline needs from the client that made it (not the client class:
 * the pipeline sits beside it, and imports point one way).
 */
export interface CommandSource {
  /** A Command for a table entry with the client's reply transform and mode; `spec` null for a raw command. */
  command(spec: CommandSpec | null, name: string, args: unknown[]): Command;
  /** Runs `write` on the connection the batch belongs on (see Router.batch); resolves when it has written. */
  batch(specs: readonly CommandSpec[], argsList: readonly (readonly unknown[])[], write: (conn: Connection) => Promise<void>): Promise<void>;
  /** Behind a proxy: the error for a command it would not forward, or null. */
  refuse?: (name: string) => Error | null;
  /** Sharded: runs the whole batch over the shards instead (src/sharding/placement.ts). */
  exec?: (entries: Array<{ spec: CommandSpec | null; name: string; args: unknown[] }>) => Promise<BatchOutcome>;
}

/** A pipeline's outcome: results and errors by index. */
export interface BatchOutcome {
  results: unknown[];
  errors: (Error | undefined)[] | null;
  failed: number;
}

declare module './commands/types.js' {
  // Fills in what a pipeline-mode method returns (see Out in commands/types.ts).
  interface PipelineOf<S extends Str, R extends unknown[]> {
    pipeline: Pipeline<S, R>;
  }
}

/**
 * A batch of commands built by chaining (`ledis.pipeline().get('a').incr('b')`)
 * and sent by `exec()` on one connection, in chunks that respect the socket's
 * back-pressure, so a million-command pipeline never sits encoded in memory
 * at once. Results come back in order, typed as a tuple.
 */
export class Pipeline<S extends Str = string, R extends unknown[] = []> {
  private readonly source: CommandSource;
  /** Each command's table entry; null for a raw one (sendCommand). */
  private specs: (CommandSpec | null)[] = [];
  private names: string[] = [];
  private argsList: (unknown[] | null)[] = [];
  private executed = false;

  constructor(source: CommandSource) {
    this.source = source;
  }

  /** Number of queued commands. */
  get length(): number {
    return this.specs.length;
  }

  /** Queues any command; its result is the raw reply. */
  sendCommand(name: string, ...args: unknown[]): Pipeline<S, [...R, Reply]> {
    return this.add(null, commandName(name), args) as unknown as Pipeline<S, [...R, Reply]>;
  }

  /** @internal Queues a command (`spec` null: raw); throws at once on bad arguments. */
  add(spec: CommandSpec | null, name: string, args: unknown[]): this {
    if (this.executed) throw new LedisError('this pipeline was already executed; make a new one with ledis.pipeline()');
    if ((spec ?? specByCommand.get(name))?.blocking === true) {
      throw new DataError(`${name} blocks its connection and cannot be pipelined; call it on the client, which gives it a dedicated connection`, name);
    }
    validateArgs(spec?.name ?? name, args);
    const refused = this.source.refuse?.(name) ?? null;
    if (refused !== null) throw refused;
    this.specs.push(spec);
    this.names.push(name);
    this.argsList.push(args);
    return this;
  }

  /**
   * Sends every queued command and resolves with their results in order.
   * If any command fails, rejects with a PipelineError that holds every
   * result and every error by index.
   */
  async exec(): Promise<ExecResult<R>> {
    const outcome = await this.run();
    if (outcome.failed > 0) throw new PipelineError(outcome.results, outcome.errors as (Error | undefined)[]);
    return outcome.results as ExecResult<R>;
  }

  /** Like exec(), but resolves with `{ ok, value | error }` per command and never rejects for a command's failure. */
  async execSettled(): Promise<SettledTuple<ExecResult<R>>> {
    const outcome = await this.run();
    const out: Settled<unknown>[] = [];
    for (let i = 0; i < outcome.results.length; i++) {
      const error = outcome.errors?.[i];
      out.push(error === undefined ? { ok: true, value: outcome.results[i] } : { ok: false, error });
    }
    return out as SettledTuple<ExecResult<R>>;
  }

  private async run(): Promise<BatchOutcome> {
    if (this.executed) throw new LedisError('this pipeline was already executed; make a new one with ledis.pipeline()');
    this.executed = true;
    const n = this.specs.length;
    const batch = new Batch(n);
    if (n === 0) return batch;
    const specs = this.specs;
    const names = this.names;
    const argsList = this.argsList;
    if (this.source.exec !== undefined) {
      this.specs = [];
      this.names = [];
      this.argsList = [];
      return this.source.exec(specs.map((spec, i) => ({ spec, name: names[i] as string, args: argsList[i] as unknown[] })));
    }
    // How each command is routed: its table entry, or for a raw one the entry of that name.
    const routing = specs.map((spec, i) => spec ?? specByCommand.get(names[i] as string) ?? { command: names[i] as string });
    await this.source.batch(routing, argsList as unknown[][], (conn) => {
      const send = async (): Promise<void> => {
        const limit = Math.max(1, Math.floor(conn.options.maxPending / 2));
        // The first chunk is queued now, in this tick, even on a connection still connecting (its
        // offline queue keeps the order): awaiting the connect first would let commands issued
        // after exec() on the same keys overtake the pipeline.
        for (let i = 0; i < n; i++) {
          const args = argsList[i] as unknown[];
          argsList[i] = null;
          const cmd = this.source.command(specs[i] as CommandSpec | null, names[i] as string, args);
          conn.send(cmd.toBatch(batch, i));
          if ((i + 1) % CHUNK === 0 && i + 1 < n) {
            conn.flush();
            if (conn.status !== 'ready') await conn.connect().catch(() => undefined);
            await conn.waitForDrain();
            await conn.waitForRoom(limit);
          }
        }
      };
      return tracingBatches() ? traceBatch(conn, routing.map((r) => r.command), send, batch.done) : send();
    });
    this.specs = [];
    this.names = [];
    this.argsList = [];
    return batch.done;
  }
}

/** Collects a pipeline's outcomes by index and settles when the last arrives. */
class Batch implements BatchSink {
  readonly results: unknown[];
  errors: (Error | undefined)[] | null = null;
  failed = 0;
  private remaining: number;
  private resolve!: (b: Batch) => void;
  readonly done: Promise<Batch>;

  constructor(n: number) {
    this.results = new Array(n);
    this.remaining = n;
    this.done = new Promise((resolve) => {
      this.resolve = resolve;
    });
    if (n === 0) this.resolve(this);
  }

  settle(index: number, error: Error | null, value: unknown): void {
    if (error !== null) {
      if (this.errors === null) this.errors = new Array(this.results.length);
      this.errors[index] = error;
      this.failed++;
    } else {
      this.results[index] = value;
    }
    if (--this.remaining === 0) this.resolve(this);
  }
}

// The typed command methods, from the same table as the client's.
export interface Pipeline<S extends Str = string, R extends unknown[] = []> extends Commands<S, PipelineMode<S, R>> {}

for (const [method, spec] of Object.entries(commandTable)) {
  const shape = spec.args;
  const minArgs = minArgsOf(spec);
  const fn = function (this: Pipeline<Str, unknown[]>, ...a: unknown[]) {
    let args: unknown[];
    try {
      args = shape === undefined ? a : shape(...a);
    } catch (err) {
      throw asLedisError(err, DataError);
    }
    if (args.length < minArgs) throw tooFewArguments(method, spec, args.length);
    return this.add(spec, spec.command, args);
  };
  Object.defineProperty(fn, 'name', { value: method });
  Object.defineProperty(Pipeline.prototype, method, { value: fn, writable: true, configurable: true });
}
