// Streaming bulk load: commands from a sync or async iterable, a bounded
// number in flight, each outcome counted by index and never held. This is
// what `ledis load` runs on; it is public for bulk loaders' own code.
import { Command, type BatchSink } from '../connection/command.js';
import type { Connection } from '../connection/connection.js';
import { coalescePolicy } from '../commands/coalesce.js';
import { commandKeyIndexes, firstKeyIndex } from '../commands/keys.js';
import { laneConnection } from '../routing/lanes.js';
import { ConnectionError, DataError, ProtocolError, ResponseError } from '../errors.js';
import { prepare, type BulkItem, type Prepared } from './check.js';
import { Group, identity, joinable, type Joinable } from './group.js';

export type { BulkItem, BulkArray, BulkMethodCall, BulkCommandCall } from './check.js';
export { prepare as checkBulkItem } from './check.js';

/** One item that did not succeed. */
export interface BulkFailure {
  /** 0-based position of the item in the source. */
  index: number;
  /** The item as the source gave it (an array, a descriptor with any extra fields, or the source's Error). */
  item: unknown;
  /** Upper-case command name, when the item got as far as having one. */
  command: string | undefined;
  /**
   * Why: a DataError (refused before sending, or the source's own Error for
   * an unreadable item), a ResponseError (the server's error reply; its
   * `serverMessage` is the server's text), or a ConnectionError.
   */
  error: Error;
  /**
   * True when the command was written and the connection was lost before its
   * reply: it may or may not have run, and it is not sent again.
   */
  mayHaveRun: boolean;
}

/** Counters while a bulk load runs (and in the summary). */
export interface BulkProgress {
  /** Items read from the source, unreadable ones included. */
  lines: number;
  /** Commands sent to the server (in a dry run: items that passed the checks). */
  commands: number;
  succeeded: number;
  failed: number;
  /** Commands sent and not answered yet. */
  inFlight: number;
}

export interface BulkSummary extends BulkProgress {
  /** Indexes of the commands written whose connection was lost before their replies (also in `failed`). */
  mayHaveRun: number[];
  /** True when the load stopped before the end of the source (`stopOnError`, `signal`, or `inFlight` commands in a row failed unsent for want of a connection: the server is unreachable). */
  stopped: boolean;
  /** Index of the last item read (-1 for none): with `stopped`, everything after it was not read. */
  lastIndex: number;
  /** Wall-clock duration in ms. */
  elapsedMs: number;
  /** Items settled (succeeded + failed) per second over the whole load. */
  rate: number;
}

export interface BulkOptions {
  /**
   * Most items sent and not yet answered, over all connections (default
   * 10000). Reading the source waits when it is reached, and whenever the
   * socket asks for a drain, so memory stays bounded whatever the source's size.
   */
  inFlight?: number;
  /** Called once per item that did not succeed, in the order outcomes arrive. An exception thrown here stops the load and rejects the promise. */
  onError?: (failure: BulkFailure) => void;
  /** Stop reading the source at the first failure; what is in flight still settles. Default false. */
  stopOnError?: boolean;
  /** Check every item (the driver's own checks) and send nothing. Default false. */
  dryRun?: boolean;
  /** Stop reading the source when aborted; what is in flight still settles. */
  signal?: AbortSignal;
  /** Called with fresh counters at most every `progressInterval` ms and once at the end. */
  onProgress?: (progress: BulkProgress) => void;
  /** ms between onProgress calls (default 200). */
  progressInterval?: number;
  /**
   * Join runs of items to one key into one multi-member command (default
   * true): ZADD, HSET/HMSET (sent as HMSET), SADD, RPUSH and LPUSH items of a
   * key read close together become one command, and, with one connection,
   * SETs of different keys one MSET. Each key's commands keep their order;
   * outcomes stay per item (a refused group is retried item by item when
   * nothing on its keys was sent after it, else each item fails with the
   * group's error: LedisDB applies none of a refused group). See group.ts.
   */
  group?: boolean;
}

const CHECK_EVERY = 256;

/** A command's first key (the table's key positions; a raw command's first argument), or undefined when it has none. */
function firstKey(p: Prepared): unknown {
  const at = p.spec === null ? 0 : firstKeyIndex(p.spec, p.args);
  return at < 0 || at >= p.args.length ? undefined : p.args[at];
}

/** For a client without sendBulkCommand: by first key over its connections, so commands on one key keep their order; keyless ones to the first. */
function route(conns: readonly Connection[], p: Prepared): Connection {
  return laneConnection(conns, conns.length, conns.length === 1 ? undefined : firstKey(p));
}

/** Counts outcomes by index; the items in flight are the only ones it holds. */
class Tally implements BatchSink {
  lines = 0;
  commands = 0;
  succeeded = 0;
  failed = 0;
  inFlight = 0;
  stopped = false;
  /** Commands failed unsent for want of a connection since the last success. */
  connectionFailures = 0;
  callbackError: unknown = null;
  readonly mayHaveRun: number[] = [];
  readonly items = new Map<number, { item: unknown; name: string; keyId?: string; seq?: number }>();
  /** Called when a tracked send (keyId, seq) settles. */
  release: ((keyId: string, seq: number) => void) | null = null;
  private roomWaiter: (() => void) | null = null;
  private lowWater = 0;
  private idleWaiter: (() => void) | null = null;

  constructor(
    private readonly onError: ((f: BulkFailure) => void) | undefined,
    private readonly stopOnError: boolean,
  ) {}

  settle(index: number, error: Error | null, _value: unknown): void {
    const entry = this.items.get(index);
    this.items.delete(index);
    this.inFlight--;
    if (entry?.seq !== undefined && this.release !== null) this.release(entry.keyId as string, entry.seq);
    if (error === null) {
      this.succeeded++;
      this.connectionFailures = 0;
    } else {
      // Not sent for want of a connection (a cut's written commands, mayHaveRun, do not count: the link may come back).
      if (error instanceof ConnectionError && !error.mayHaveRun) this.connectionFailures++;
      // A ProtocolError fails every written command of its connection: those were written too.
      const mayHaveRun = (error instanceof ConnectionError && error.mayHaveRun) || error instanceof ProtocolError;
      if (mayHaveRun) this.mayHaveRun.push(index);
      this.fail(index, entry?.item, entry?.name, error, mayHaveRun);
    }
    if (this.roomWaiter !== null && this.inFlight <= this.lowWater) {
      const w = this.roomWaiter;
      this.roomWaiter = null;
      w();
    }
    if (this.inFlight === 0 && this.idleWaiter !== null) {
      const w = this.idleWaiter;
      this.idleWaiter = null;
      w();
    }
  }

  fail(index: number, item: unknown, command: string | undefined, error: Error, mayHaveRun: boolean): void {
    this.failed++;
    if (this.stopOnError) this.stopped = true;
    if (this.onError === undefined || this.callbackError !== null) return;
    try {
      this.onError({ index, item, command, error, mayHaveRun });
    } catch (err) {
      this.callbackError = err;
      this.stopped = true;
    }
  }

  /** Resolves once no more than `lowWater` commands are in flight. */
  room(lowWater: number): Promise<void> {
    if (this.inFlight <= lowWater) return Promise.resolve();
    this.lowWater = lowWater;
    return new Promise((resolve) => {
      this.roomWaiter = resolve;
    });
  }

  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiter = resolve;
    });
  }

  progress(): BulkProgress {
    return { lines: this.lines, commands: this.commands, succeeded: this.succeeded, failed: this.failed, inFlight: this.inFlight };
  }
}

type AnyIterator = Iterator<unknown> | AsyncIterator<unknown>;

function iteratorOf(source: unknown): AnyIterator {
  if (source !== null && typeof source === 'object') {
    const s = source as Partial<AsyncIterable<unknown> & Iterable<unknown>>;
    const a = s[Symbol.asyncIterator];
    if (typeof a === 'function') return a.call(s);
    const b = s[Symbol.iterator];
    if (typeof b === 'function') return b.call(s);
  }
  throw new DataError('bulk source must be an iterable or async iterable of commands');
}

/** What bulk() needs of a client: its shared connections (an interface, so this module does not import the client). */
export interface BulkClient {
  readonly connectionPool: { readonly sharedList: readonly Connection[] };
  /**
   * Sends a command to the shared connection of `key` (its first key;
   * `undefined` when it has none) the way the client's own commands go, so a
   * key's bulk commands and the client's commands on it share one order. A
   * client without it gets the spread over its open connections.
   */
  sendBulkCommand?(cmd: Command, key: unknown): void;
}

/**
 * Loads every command of `source` through `client` (or only checks them,
 * with `dryRun`, when `client` may be null) with at most `inFlight` commands
 * awaiting replies; resolves to the summary when every sent command has
 * settled. A failed item never rejects the promise: it is counted, and
 * reported through `onError` with its index. Commands written before a lost
 * connection are reported as `mayHaveRun` and not sent again; commands not
 * yet written when it was lost go out after the reconnect (the connection's
 * offline queue). Each command goes where the client's own commands on its
 * first key go (the client's lanes: with the adaptive spread, more
 * connections open while the load stays deep), so commands on one key keep
 * their order, with each other and with the client's own.
 *
 * Rejects only for a source that is not iterable, a source that throws, or
 * an `onError` that throws (after what is in flight has settled).
 */
export function bulk(client: BulkClient | null, source: Iterable<BulkItem> | AsyncIterable<BulkItem>, options: BulkOptions = {}): Promise<BulkSummary> {
  return run(client, source, options, null);
}

/** What `ledis load` adds to bulk(): a source of item arrays, and hooks per item taken. */
export interface BatchHooks {
  /** Called before each item is taken; a promise returned is awaited first (an output to drain), then the signal checked again. */
  gate?: () => Promise<void> | null | undefined;
  /** Called with each item as it is taken (after the gate), before it is checked or sent: what it was given is what bulk() consumed. */
  onTake?: (item: BulkItem) => void;
}

/**
 * bulk() over a source that yields arrays of items (each array's items taken
 * in order, one async step per array instead of one per item: `ledis load`'s
 * formats yield one array per input chunk). Same outcome, item by item, as
 * bulk() over the flattened source; an array stopped in the middle (signal,
 * stopOnError) leaves its remaining items untaken, as bulk() leaves the rest
 * of its source.
 */
export function bulkBatches(client: BulkClient | null, source: AsyncIterable<readonly BulkItem[]> | Iterable<readonly BulkItem[]>, options: BulkOptions, hooks: BatchHooks): Promise<BulkSummary> {
  return run(client, source as Iterable<BulkItem>, options, hooks);
}

async function run(client: BulkClient | null, source: Iterable<BulkItem> | AsyncIterable<BulkItem>, options: BulkOptions, hooks: BatchHooks | null): Promise<BulkSummary> {
  const started = Date.now();
  const limit = options.inFlight ?? 10000;
  if (!Number.isInteger(limit) || limit < 1) throw new DataError(`inFlight must be a positive integer, got ${String(limit)}`);
  const dryRun = options.dryRun === true;
  if (!dryRun && client === null) throw new DataError('bulk needs a client unless dryRun is set');
  const interval = options.progressInterval ?? 200;
  const onProgress = options.onProgress;
  const signal = options.signal;
  const it = iteratorOf(source);
  const tally = new Tally(options.onError, options.stopOnError === true);
  // The live list: with the adaptive spread it grows and shrinks during the load (the client's lanes decide where a key goes).
  const conns: readonly Connection[] = dryRun ? [] : (client as BulkClient).connectionPool.sharedList;
  if (!dryRun && conns.length === 0) throw new DataError('the client has no shared connection (was it disconnected?)');
  const viaClient = dryRun ? undefined : (client as BulkClient).sendBulkCommand?.bind(client);
  const fixed: readonly Connection[] = viaClient === undefined ? [...conns] : [];
  const lowWater = Math.floor(limit / 2);
  const grouping = !dryRun && options.group !== false;
  // SETs of different keys into one MSET only where every key goes to the same connection.
  const oneLane = viaClient === undefined ? fixed.length === 1 : singleConnection(client as BulkClient);
  const sender = grouping ? new Sender(tally, viaClient, fixed, oneLane, Math.max(1, Math.min(4096, lowWater))) : null;
  let lastIndex = -1;
  let lastProgress = started;
  let sourceError: unknown = null;
  let exhausted = false;
  /** A next() abandoned when the signal fired while it was pending (a source stuck on stdin). */
  let abandoned = false;
  let wakeOnAbort: (() => void) | null = null;
  // One listener for the whole load, whatever the number of items.
  const onAbort = () => wakeOnAbort?.();
  signal?.addEventListener('abort', onAbort, { once: true });
  const batched = hooks !== null;
  const gate = hooks?.gate;
  const onTake = hooks?.onTake;
  /** The array being taken (batched sources) and the position in it. */
  let batch: readonly unknown[] | null = null;
  let at = 0;
  try {
    for (;;) {
      if (tally.stopped || signal?.aborted === true) break;
      // A whole in-flight window refused for want of a connection, nothing answered since: the server
      // is unreachable and what is left would only fail one by one. Stop reading.
      if (tally.connectionFailures >= limit) break;
      let item: unknown;
      if (batch !== null && at < batch.length) {
        item = batch[at++];
      } else {
        batch = null;
        let r = it.next() as IteratorResult<unknown> | Promise<IteratorResult<unknown>> | null;
        if (r instanceof Promise) {
          const pending = r;
          r = signal === undefined ? await pending : await new Promise<IteratorResult<unknown> | null>((resolve, reject) => {
            wakeOnAbort = () => resolve(null);
            pending.then(resolve, reject);
          });
          wakeOnAbort = null;
        }
        if (r === null) {
          abandoned = true;
          break;
        }
        if (r.done === true) {
          exhausted = true;
          break;
        }
        if (batched) {
          batch = r.value as readonly unknown[];
          at = 0;
          continue;
        }
        item = r.value;
      }
      if (gate !== undefined) {
        const wait = gate();
        if (wait) {
          await wait;
          if (tally.stopped || aborted(signal)) break;
        }
      }
      onTake?.(item as BulkItem);
      const index = ++lastIndex;
      tally.lines++;
      let p: Prepared;
      try {
        p = prepare(item);
      } catch (err) {
        tally.fail(index, item, commandName(item), err instanceof Error ? err : new DataError(String(err)), false);
        continue;
      }
      tally.commands++;
      if (dryRun) {
        tally.succeeded++;
      } else {
        // A method item's failures name the method's command (INCR for incr, sent as INCRBY).
        const shown = p.shown ?? p.name;
        tally.items.set(index, { item, name: shown });
        tally.inFlight++;
        if (sender !== null) sender.add(index, p);
        else {
          const cmd = new Command(shown, p.args, null, true, p.name, coalescePolicy(p.name)).toBatch(tally, index);
          if (viaClient !== undefined) viaClient(cmd, firstKey(p));
          else route(fixed, p).send(cmd);
        }
        if (tally.inFlight >= limit) {
          sender?.flushAll();
          await tally.room(lowWater);
        }
      }
      const windowFull = sender !== null && sender.full();
      if (windowFull) sender.flushAll();
      if (windowFull || (sender === null && (index + 1) % CHECK_EVERY === 0)) {
        if (!dryRun) {
          for (const c of [...(viaClient === undefined ? fixed : conns)]) {
            c.flush();
            await c.waitForDrain();
          }
        }
      }
      if ((index + 1) % CHECK_EVERY === 0) {
        if (onProgress !== undefined) {
          const now = Date.now();
          if (now - lastProgress >= interval) {
            lastProgress = now;
            onProgress(tally.progress());
          }
        }
        // A sync source in a dry run never yields otherwise: let signals and timers in.
        if (dryRun) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  } catch (err) {
    sourceError = err;
  }
  sender?.flushAll();
  signal?.removeEventListener('abort', onAbort);
  if (!exhausted && !abandoned && typeof it.return === 'function') {
    try {
      const r = it.return();
      if (r instanceof Promise) await r;
    } catch {
      // The source's own cleanup failed; the load's outcome stands.
    }
  }
  await tally.idle();
  if (sourceError !== null) throw sourceError;
  if (tally.callbackError !== null) throw tally.callbackError;
  onProgress?.(tally.progress());
  const elapsedMs = Date.now() - started;
  const settled = tally.succeeded + tally.failed;
  return {
    ...tally.progress(),
    mayHaveRun: tally.mayHaveRun,
    stopped: !exhausted,
    lastIndex,
    elapsedMs,
    rate: elapsedMs > 0 ? Math.round((settled * 1000) / elapsedMs) : settled,
  };
}

/** Whether the signal has fired (a function: read again after an await, past TypeScript's narrowing). */
function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

/** Whether the client sends every key's commands over one connection (so one MSET may carry many keys without reordering any key's commands). */
function singleConnection(client: BulkClient): boolean {
  const o = (client as { options?: { connections?: unknown; shards?: unknown } }).options;
  return o !== undefined && o.connections === 1 && o.shards === undefined && client.connectionPool.sharedList.length === 1;
}

/**
 * Joins the items of a window into groups (one open group per key) and
 * sends them; tracks, per key, the last command sent on it, so a refused
 * group is retried item by item only when nothing on its keys went after it.
 */
class Sender {
  /** The open (not yet sent) group of each key, in the order the groups were opened. */
  private readonly open = new Map<string, Group>();
  private windowItems = 0;
  private seq = 0;
  /** Seq of the last command sent on each key with something in flight. */
  private readonly lastSent = new Map<string, number>();
  /** Seq of the last command sent that touches several keys or none (a barrier for retries). */
  private lastBarrier = 0;
  private immediate: NodeJS.Immediate | null = null;

  constructor(
    private readonly tally: Tally,
    private readonly viaClient: ((cmd: Command, key: unknown) => void) | undefined,
    private readonly fixed: readonly Connection[],
    private readonly mset: boolean,
    private readonly window: number,
  ) {
    tally.release = (keyId, seq) => {
      if (this.lastSent.get(keyId) === seq) this.lastSent.delete(keyId);
    };
  }

  full(): boolean {
    return this.windowItems >= this.window;
  }

  add(index: number, p: Prepared): void {
    const j = joinable(p, this.mset);
    if (j === null) {
      this.alone(index, p);
      return;
    }
    const g = this.open.get(j.keyId);
    if (g !== undefined && g.accepts(j)) {
      g.add(index, p, j);
    } else {
      if (g !== undefined) this.flush(g);
      // MSET: one open group for all the keys of a window.
      let target: Group | undefined = j.kind === 'MSET' ? this.open.get('\u0000MSET') : undefined;
      if (target !== undefined && !target.accepts(j)) {
        this.flush(target);
        target = undefined;
      }
      if (target === undefined) {
        target = new Group(j.kind, j.key);
        if (j.kind === 'MSET') this.open.set('\u0000MSET', target);
      }
      target.add(index, p, j);
      this.open.set(j.keyId, target);
    }
    this.windowItems++;
    if (this.immediate === null) {
      // A source that pauses (waiting for input) must not leave items unsent.
      this.immediate = setImmediate(() => {
        this.immediate = null;
        this.flushAll();
      });
    }
  }

  /** Sends an item that joins no group, after what is open on its key (or, for a command on several keys or none, after everything open). */
  private alone(index: number, p: Prepared): void {
    const keyIdxs = p.spec === null ? [0] : commandKeyIndexes(p.spec, p.args);
    const single = keyIdxs.length === 1 || (keyIdxs.length > 1 && keyIdxs.every((i) => identity(p.args[i]) === identity(p.args[keyIdxs[0] as number])));
    if (!single || keyIdxs.length === 0 || (keyIdxs[0] as number) >= p.args.length) {
      this.flushAll();
      this.send(index, p, undefined);
      this.lastBarrier = this.seq;
      return;
    }
    const keyId = identity(p.args[keyIdxs[0] as number]);
    const g = this.open.get(keyId);
    if (g !== undefined) this.flush(g);
    this.send(index, p, keyId);
  }

  /** One item as its own command, tracked on its key. */
  private send(index: number, p: Prepared, keyId: string | undefined): void {
    const seq = ++this.seq;
    const entry = this.tally.items.get(index);
    if (entry !== undefined && keyId !== undefined) {
      entry.keyId = keyId;
      entry.seq = seq;
      this.lastSent.set(keyId, seq);
    }
    const cmd = new Command(p.shown ?? p.name, p.args, null, true, p.name).toBatch(this.tally, index);
    this.route(cmd, p.args[0], p);
  }

  private route(cmd: Command, key: unknown, p: Prepared | null): void {
    if (this.viaClient !== undefined) this.viaClient(cmd, p === null ? key : firstKey(p));
    else if (p !== null) route(this.fixed, p).send(cmd);
    else laneConnection(this.fixed, this.fixed.length, key).send(cmd);
  }

  /** Sends an open group (a group of one as the item's own command). */
  private flush(g: Group): void {
    for (const k of g.keys) if (this.open.get(k) === g) this.open.delete(k);
    if (g.kind === 'MSET' && this.open.get('\u0000MSET') === g) this.open.delete('\u0000MSET');
    this.windowItems -= g.items.length;
    if (g.items.length === 1) {
      const only = g.items[0] as { index: number; p: Prepared; keyId: string };
      this.send(only.index, only.p, only.keyId);
      return;
    }
    const seq = ++this.seq;
    g.seq = seq;
    for (const k of g.keys) this.lastSent.set(k, seq);
    const cmd = new Command(g.kind, g.args, null, true).toBatch(new GroupSink(this, g), 0);
    this.route(cmd, g.key, null);
  }

  flushAll(): void {
    if (this.immediate !== null) {
      clearImmediate(this.immediate);
      this.immediate = null;
    }
    if (this.open.size === 0) return;
    const groups = new Set(this.open.values());
    for (const g of groups) this.flush(g);
    this.windowItems = 0;
  }

  /** A group's outcome, item by item. */
  settleGroup(g: Group, error: Error | null): void {
    let retry = false;
    if (error instanceof ResponseError) {
      // Refused: LedisDB applied none of it. Item by item, unless something on its keys was sent after it.
      retry = this.lastBarrier < g.seq && g.keys.every((k) => this.lastSent.get(k) === g.seq);
    }
    for (const k of g.keys) if (this.lastSent.get(k) === g.seq) this.lastSent.delete(k);
    for (const it of g.items) {
      if (retry) this.send(it.index, it.p, it.keyId);
      else this.tally.settle(it.index, error, null);
    }
  }
}

class GroupSink implements BatchSink {
  constructor(
    private readonly sender: Sender,
    private readonly group: Group,
  ) {}

  settle(_index: number, error: Error | null): void {
    this.sender.settleGroup(this.group, error);
  }
}

function commandName(item: unknown): string | undefined {
  if (Array.isArray(item) && typeof item[0] === 'string') return item[0].toUpperCase();
  if (item !== null && typeof item === 'object') {
    const o = item as { method?: unknown; command?: unknown };
    if (typeof o.command === 'string') return o.command.toUpperCase();
    if (typeof o.method === 'string') return o.method.toUpperCase();
  }
  return undefined;
}
