import { Command, type BatchSink, type Transform } from './connection/command.js';
import type { Connection } from './connection/connection.js';
import { commandTable, specByCommand, type Commands } from './commands/index.js';
import { minArgsOf, tooFewArguments } from './commands/arity.js';
import { laneOf } from './commands/keys.js';
import { commandName } from './commands/server.js';
import type { CommandSpec, PipelineMode, Str } from './commands/types.js';
import type { WireCommand } from './commands/translate.js';
import { asLedisError, DataError, LedisError, PipelineError } from './errors.js';
import { encodeCommand, validateArgs, type Encoded } from './protocol/encoder.js';
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
 * What the reply of a pipelined command needs, shared by every entry of the
 * same kind (a run of a million ZADDs keeps one): the names errors use, the
 * reply transform and the reply mode.
 */
interface ReplySlot {
  readonly name: string;
  readonly wire: string;
  readonly transform: Transform | null;
  readonly returnBuffers: boolean;
  /** The transform reads the command's arguments (declared with other than one parameter): they are kept per entry. */
  readonly needsArgs: boolean;
  /** Error replies keep the server's text (Command.plainErrors: the compat faces). */
  readonly plainErrors: boolean;
}

/** The entries encoded so far, as one flat string per chunk and where each entry ends in it. */
interface EncodedChunk {
  text: string;
  /** End offset (characters) of each entry in `text`; an entry of length 0 is in `parts` or failed. */
  ends: Int32Array;
}

/**
 * Entries of one pipeline in flight on its connection before the next chunk
 * is written: enough to keep LedisDB busy for a long while (~50k ZADD/s, so
 * tens of milliseconds), few enough that the commands waiting for replies do
 * not outlive the young generation and pile up in the old one.
 */
const IN_FLIGHT = 4 * CHUNK;
const EMPTY: readonly unknown[] = Object.freeze([]);
/** Distinct key hashes remembered for routing; past it the batch is routed as touching every lane. */
const ROUTING_KEYS = 1024;
/** A stand-in entry that touches every key: the batch's keys were too many to remember one by one. */
const EVERY_KEY: CommandSpec = { command: 'PIPELINE', allKeys: true };
/** laneOf's hash modulo 2^32: the hash itself, so equal hashes mean the same lane whatever the lane count. */
const WHOLE_HASH = 2 ** 32;

/**
 * A batch of commands built by chaining (`ledis.pipeline().get('a').incr('b')`)
 * and sent by `exec()` on one connection, in chunks that respect the socket's
 * back-pressure. Each command is encoded when it is added (so a bad argument
 * throws there) into chunks of flat strings, and the pipeline keeps per entry
 * only what its reply needs: its kind (one shared record per run of the same
 * command), its arguments only when its reply transform reads them, and for
 * routing the arguments of the first entry of each key (a million ZADDs to
 * one key keep ~64 bytes each, their encoding). Results come back in order,
 * typed as a tuple.
 */
export class Pipeline<S extends Str = string, R extends unknown[] = []> {
  private readonly source: CommandSource;
  private count = 0;
  private executed = false;
  /** Sharded (`source.exec`): the entries as given, split over the shards at exec(). */
  private entries: Array<{ spec: CommandSpec | null; name: string; args: unknown[] }> | null = null;
  private chunks: EncodedChunk[] = [];
  private pieces: string[] = [];
  private pieceEnds = new Int32Array(CHUNK);
  private pieceLength = 0;
  /** Runs of entries with the same ReplySlot: the index after each run's last entry, and its slot. */
  private runEnds: number[] = [];
  private runSlots: ReplySlot[] = [];
  /** Each run's table entry (null: raw), for routing (readonly, isolate, keys) at exec(). */
  private runSpecs: (CommandSpec | null)[] = [];
  /** Entries not encoded as one string (a Buffer argument, a huge string), by index. */
  private parts: Map<number, Encoded> | null = null;
  /** Entries the encoder refused (reported at exec(), by index, as before). */
  private failures: Map<number, Error> | null = null;
  /** Arguments (as given) kept for routing, by index. */
  private kept: Map<number, unknown[]> | null = null;
  /** Arguments (as sent) kept for a reply transform that reads them, by index. */
  private replyArgs: Map<number, readonly unknown[]> | null = null;
  /** The key hashes seen (first key of single-key entries), up to ROUTING_KEYS; null past it. */
  private keyHashes: Set<number> | null = new Set();

  constructor(source: CommandSource) {
    this.source = source;
    if (source.exec !== undefined) this.entries = [];
  }

  /** Number of queued commands. */
  get length(): number {
    return this.count;
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
    const index = this.count++;
    if (this.entries !== null) {
      this.entries.push({ spec, name, args });
      return this;
    }
    // The command as it will be sent (key prefix, wire name) and what its reply needs.
    const cmd = this.source.command(spec, name, args);
    let encoded: Encoded | null = null;
    try {
      encoded = encodeCommand(cmd.wire, cmd.args);
    } catch (err) {
      (this.failures ??= new Map()).set(index, err as Error);
    }
    if (typeof encoded === 'string') {
      this.pieces.push(encoded);
      this.pieceLength += encoded.length;
    } else if (encoded !== null) {
      (this.parts ??= new Map()).set(index, encoded);
    }
    this.pieceEnds[index % CHUNK] = this.pieceLength;
    if ((index + 1) % CHUNK === 0) this.closeChunk();
    if (this.slotFor(spec, cmd).needsArgs) (this.replyArgs ??= new Map()).set(index, cmd.args);
    if (this.routingNeeds(spec ?? specByCommand.get(name) ?? null, args)) (this.kept ??= new Map()).set(index, args);
    return this;
  }

  /** Ends the chunk being filled: one flat string (a join, not a tree of concatenations) and its entries' ends. */
  private closeChunk(): void {
    const n = this.count % CHUNK === 0 ? CHUNK : this.count % CHUNK;
    this.chunks.push({ text: this.pieces.join(''), ends: this.pieceEnds.slice(0, n) });
    this.pieces = [];
    this.pieceLength = 0;
  }

  /** The run's ReplySlot when this entry is of the same kind as the last one, else a new run. */
  private slotFor(spec: CommandSpec | null, cmd: Command): ReplySlot {
    const last = this.runSlots.length - 1;
    const prev = last < 0 ? null : (this.runSlots[last] as ReplySlot);
    if (prev !== null && this.runSpecs[last] === spec && prev.transform === cmd.transform && prev.name === cmd.name && prev.wire === cmd.wire && prev.returnBuffers === cmd.returnBuffers && prev.plainErrors === cmd.plainErrors) {
      this.runEnds[last] = this.count;
      return prev;
    }
    const t = cmd.transform;
    const slot: ReplySlot = { name: cmd.name, wire: cmd.wire, transform: t, returnBuffers: cmd.returnBuffers, needsArgs: t !== null && t.length !== 1, plainErrors: cmd.plainErrors };
    this.runSpecs.push(spec);
    this.runSlots.push(slot);
    this.runEnds.push(this.count);
    return slot;
  }

  /**
   * Whether routing needs this entry's arguments: the first entry of each
   * key (by hash, so of each lane whatever the lane count), and every entry
   * whose keys are not one fixed position, that may touch every key, or
   * that may have to be isolated.
   */
  private routingNeeds(spec: CommandSpec | null, args: readonly unknown[]): boolean {
    if (spec === null) return false;
    const keys = spec.keys;
    if (keys === undefined) return spec.allKeys !== undefined || spec.isolate !== undefined;
    if (spec.allKeys !== undefined || spec.isolate !== undefined || typeof keys === 'function' || keys[0] !== keys[1]) return this.remember();
    const at = keys[0];
    if (at >= args.length) return false;
    const seen = this.keyHashes;
    if (seen === null) return false;
    const h = laneOf(args[at], WHOLE_HASH);
    if (seen.has(h)) return false;
    if (seen.size >= ROUTING_KEYS) {
      this.keyHashes = null;
      return false;
    }
    seen.add(h);
    return true;
  }

  /** Keeps an entry with keys of its own for routing while under ROUTING_KEYS such entries; past it, every lane. */
  private remember(): boolean {
    const seen = this.keyHashes;
    if (seen === null) return false;
    if (seen.size >= ROUTING_KEYS) {
      this.keyHashes = null;
      return false;
    }
    seen.add(-1 - seen.size);
    return true;
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
    const n = this.count;
    const batch = new Batch(n);
    if (n === 0) return batch;
    if (this.entries !== null) {
      const entries = this.entries;
      this.entries = null;
      return (this.source.exec as NonNullable<CommandSource['exec']>)(entries);
    }
    if (this.pieces.length > 0 || n % CHUNK !== 0) this.closeChunk();
    // How the batch is routed: each entry's table entry (for a raw one the entry of that name), and the
    // arguments of the entries routing reads (the rest route nowhere on their own: same key as one kept).
    const routing: CommandSpec[] = new Array(n);
    for (let r = 0, i = 0; r < this.runEnds.length; r++) {
      const end = this.runEnds[r] as number;
      const wire = (this.runSlots[r] as ReplySlot).wire;
      const spec = this.runSpecs[r] ?? specByCommand.get(wire) ?? { command: wire };
      for (; i < end; i++) routing[i] = spec;
    }
    const routingArgs: (readonly unknown[])[] = new Array(n).fill(EMPTY);
    if (this.kept !== null) for (const [i, args] of this.kept) routingArgs[i] = args;
    if (this.keyHashes === null) {
      // Too many keys to remember: the batch is ordered against every lane.
      routing.push(EVERY_KEY);
      routingArgs.push(EMPTY);
    }
    this.runSpecs = [];
    await this.source.batch(routing, routingArgs, (conn) => {
      const send = (): Promise<void> => this.write(conn, batch, n);
      return tracingBatches() ? traceBatch(conn, this.wireNames(n), send, batch.done) : send();
    });
    return batch.done;
  }

  /** The command name each entry sends (for the `ledis:batch` trace's `commands`), read from its run. */
  private wireNames(n: number): string[] {
    const out = new Array<string>(n);
    for (let r = 0, i = 0; r < this.runEnds.length; r++) {
      const end = this.runEnds[r] as number;
      const wire = (this.runSlots[r] as ReplySlot).wire;
      for (; i < end; i++) out[i] = wire;
    }
    return out;
  }

  /** Sends the entries on `conn`, a chunk at a time, waiting for the socket to drain and for room between chunks. */
  private async write(conn: Connection, batch: Batch, n: number): Promise<void> {
    const limit = inFlightLimit(conn);
    // Queued between two waits for room: a chunk, or fewer under a small maxPending (else the
    // entries past maxPending would be refused as "too many pending" instead of waiting).
    const step = Math.min(CHUNK, limit);
    let queued = 0;
    const chunks = this.chunks;
    this.chunks = [];
    const failures = this.failures;
    const parts = this.parts;
    const replyArgs = this.replyArgs;
    this.kept = null;
    let run = 0;
    let runEnd = this.runEnds[0] as number;
    let slot = this.runSlots[0] as ReplySlot;
    // The first chunk is queued now, in this tick, even on a connection still connecting (its
    // offline queue keeps the order): awaiting the connect first would let commands issued
    // after exec() on the same keys overtake the pipeline.
    for (let c = 0; c < chunks.length; c++) {
      const chunk = chunks[c] as EncodedChunk;
      chunks[c] = undefined as unknown as EncodedChunk;
      const base = c * CHUNK;
      const text = chunk.text;
      const ends = chunk.ends;
      let from = 0;
      for (let j = 0; j < ends.length; j++) {
        const i = base + j;
        while (i >= runEnd) {
          run++;
          runEnd = this.runEnds[run] as number;
          slot = this.runSlots[run] as ReplySlot;
        }
        const to = ends[j] as number;
        const args = slot.needsArgs && replyArgs !== null ? (replyArgs.get(i) ?? EMPTY) : EMPTY;
        const cmd = new Command(slot.name, args, slot.transform, slot.returnBuffers, slot.wire).toBatch(batch, i);
        if (slot.plainErrors) cmd.plainErrors = true;
        const failure = failures?.get(i);
        if (failure !== undefined) cmd.reject(failure);
        else {
          cmd.packed = to > from ? text.slice(from, to) : (parts?.get(i) ?? '');
          conn.send(cmd);
        }
        from = to;
        if (++queued % step === 0 && queued < n) {
          conn.flush();
          if (conn.status !== 'ready') await conn.connect().catch(() => undefined);
          await conn.waitForDrain();
          await conn.waitForRoom(limit);
        }
      }
    }
    this.runEnds = [];
    this.runSlots = [];
    this.parts = null;
    this.failures = null;
    this.replyArgs = null;
  }
}

/** Collects a pipeline's outcomes by index and settles when the last arrives. */
/** The most commands of a pipeline queued on `conn` before waiting for its in-flight count to fall under it (half of maxPending, at most IN_FLIGHT). */
function inFlightLimit(conn: Connection): number {
  return Math.max(1, Math.min(IN_FLIGHT, Math.floor(conn.options.maxPending / 2)));
}

/**
 * Whether a pipeline of `n` entries is queued on `conn` in one tick, with no
 * wait for room or drain between its commands (the router then needs no
 * barrier to keep later commands behind it).
 */
export function queuedAtOnce(conn: Connection, n: number): boolean {
  return n <= CHUNK && n <= inFlightLimit(conn);
}

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

const bufferSpecs = new Map<string, CommandSpec>();
/** The table entry of `name` with its reply read raw as Buffers: only what routes it (keys, order, replicas). Cached. */
export function bufferSpec(name: string): CommandSpec {
  let spec = bufferSpecs.get(name);
  if (spec === undefined) {
    const { keys, allKeys, readonly, blocking, isolate, timeoutAt } = specByCommand.get(name) ?? {};
    spec = { command: name, keys, allKeys, readonly, blocking, isolate, timeoutAt, bufferReply: true };
    bufferSpecs.set(name, spec);
  }
  return spec;
}

/** Queues a plan's command on `pipeline`: raw reply, as Buffers when the command says so. */
export function addWire(pipeline: Pipeline<Str, unknown[]>, c: WireCommand): void {
  pipeline.add(c.buffers === true ? bufferSpec(c.name) : null, c.name, c.args);
}

/**
 * Runs `commands` as one pipeline of `source`: written together on one
 * connection, in order. Resolves with each command's outcome; never rejects
 * for a command's failure.
 */
export function runTogether(source: CommandSource, commands: readonly WireCommand[]): Promise<Settled<unknown>[]> {
  const pipeline = new Pipeline<Str, unknown[]>(source);
  for (const c of commands) addWire(pipeline, c);
  return pipeline.execSettled() as Promise<Settled<unknown>[]>;
}
