import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import Denque from 'denque';
import type { CommandQueue } from './queue.js';
import { ConnectionError, DataError, ProtocolError, ResponseError } from '../errors.js';
import { encodeCommand, type Encoded } from '../protocol/encoder.js';
import { Parser, type Reply } from '../protocol/parser.js';
import { Command, type CoalescePolicy } from './command.js';
import { Coalesced, COALESCE_FROM, groupLimit } from './coalesce.js';
import { DeadlineTimer, queuedDeadline, writtenDeadline } from './deadlines.js';
import { resolveConnectionOptions, TUNING, type ConnectionOptions, type ResolvedConnectionOptions } from './options.js';
import { Output } from './output.js';
import { PUBLIC_STATUS, refusedAfterQuit, type ConnectionStatus, type State } from './state.js';

export interface ConnectionEvents {
  connect: [];
  ready: [];
  error: [Error];
  close: [];
  reconnecting: [{ attempt: number; delay: number; error: Error | undefined }];
  end: [];
}

/**
 * The queue and the wire of one connection: a GET's whole path from send()
 * to its reply, in this one file. Commands are encoded straight into
 * `output` and pushed onto `queue`; one flush per tick (process.nextTick)
 * writes everything issued in that tick with one `socket.write`. Replies
 * shift the queue strictly in order. Commands of one coalescing policy in
 * one tick join one group (join/seal). Commands issued while disconnected
 * wait in `offline`. Connection (connection.ts) adds the lifecycle: open,
 * handshake, close, reconnect, quit, the deadline handler.
 */
export abstract class Wire extends EventEmitter<ConnectionEvents> {
  readonly options: ResolvedConnectionOptions;
  /** Public view of the lifecycle: 'wait', 'connecting', 'connect', 'ready', 'reconnecting' or 'end'. */
  status: ConnectionStatus = 'wait';
  /** @internal */
  protected state: State = 'idle';
  /** Number of socket.write calls so far (tests and benchmarks read it). */
  writeCount = 0;
  /** Number of commands written (or encoded for this tick's write) so far. */
  commandCount = 0;

  /** @internal */
  protected socket: Socket | null = null;
  /** @internal */
  protected readonly parser: Parser;
  /** Written (or encoded for this tick's flush) and awaiting a reply, in order. @internal */
  protected readonly queue: CommandQueue<Command> = new Denque<Command>();
  /** Issued while not ready; not encoded into `out` yet. @internal */
  protected readonly offline: CommandQueue<Command> = new Denque<Command>();
  /** How many commands at the tail of `queue` are encoded in `output` but not yet written. @internal */
  protected unflushed = 0;
  /** @internal */
  protected readonly output = new Output();
  /** @internal */
  protected flushScheduled = false;
  /** @internal */
  protected roomWaiters: Array<() => void> = [];
  /** @internal */
  protected lastReadAt = 0;
  /** Socket reads so far: a millisecond clock cannot order a read and a write in the same millisecond. @internal */
  protected reads = 0;
  /** Top-level replies read so far (progress, for the deadline check and the adaptive spread's rate). @internal */
  protected replies = 0;
  /** Callers' commands answered so far (a coalesced MGET's reply answers each of its GETs). @internal */
  protected answered = 0;
  /** The open MGET or MSET of this tick, written at the flush or before any other command. @internal */
  protected group: Coalesced | null = null;
  /**
   * The server, as far as coalescing by default cares: 'unknown' until asked,
   * 'asking' while `INFO server` is on its way, then 'ledisdb' or 'other'.
   * Kept across reconnects (the same address); a failed ask is asked again.
   * @internal
   */
  protected serverKind: 'unknown' | 'asking' | 'ledisdb' | 'other' = 'unknown';
  /** 1 while that INFO is written and unanswered (not counted in `pending`), else 0. @internal */
  protected askInFlight = 0;
  /** Members beyond the first of the coalesced commands written or waiting, not yet settled (for `pending`). @internal */
  protected coalescedExtra = 0;
  /** Commands in flight from which a command with a coalescing policy joins a group (COALESCE_FROM as shipped). @internal */
  protected readonly coalesceFrom: number;
  /** Tests of coalescing mechanics (the `coalesceAnyServer` tuning): coalesce without asking the server first, as `coalesce: true`. @internal */
  protected readonly coalesceAnyServer: boolean;

  /** Callers' commands answered on this connection so far (each GET of a coalesced MGET counts). */
  get replyCount(): number {
    return this.answered;
  }
  /** @internal */
  protected readonly deadlines = new DeadlineTimer(() => this.onDeadline());
  /** quit() was called: commands issued from now on are refused (orthogonal to the socket's state). @internal */
  protected quitting = false;

  constructor(options: ConnectionOptions) {
    super();
    this.options = resolveConnectionOptions(options);
    this.coalesceFrom = options[TUNING]?.coalesceFrom ?? COALESCE_FROM;
    this.coalesceAnyServer = options[TUNING]?.coalesceAnyServer === true;
    this.parser = new Parser((reply) => this.onReply(reply));
  }

  /** Commands written or waiting, not yet answered (each GET of a coalesced MGET counts). */
  get pending(): number {
    const open = this.group;
    // The INFO asked for coalescing (askServer) is the connection's own, not a caller's: it takes no caller's room.
    return this.queue.length + this.offline.length + this.coalescedExtra + (open === null ? 0 : open.members.length) - this.askInFlight;
  }

  /**
   * Commands the server has to answer, each its own reply: written or
   * waiting, a coalesced MGET/MSET counting once. What the adaptive spread
   * calls depth: LedisDB's cost per connection is per command it answers.
   */
  get wirePending(): number {
    return this.queue.length + this.offline.length + (this.group === null ? 0 : 1);
  }

  /** True while the oldest command awaiting its reply is a blocking pop (the server may hold it for its whole timeout). */
  get blocked(): boolean {
    const head = this.queue.peekFront();
    return head !== undefined && !head.settled && head.blockMs !== 0;
  }

  /** Human-readable address for error messages. */
  get address(): string {
    const o = this.options;
    return o.unixSocketPath ?? `${o.host}:${o.port}`;
  }

  /** The one place the lifecycle changes. @internal */
  protected setState(next: State): void {
    this.state = next;
    this.status = PUBLIC_STATUS[next];
  }

  /** Connects (if not already) and resolves once the connection is ready for commands. @internal */
  abstract connect(): Promise<void>;

  /** Destroys the socket because of `error`; onClose then rejects and reconnects. @internal */
  protected abstract failSocket(error: Error): void;

  /** Expires what is past its deadline; see Connection. @internal */
  protected abstract onDeadline(): void;

  /**
   * Queues a command. Refuses bad arguments (DataError) and a full queue
   * (ConnectionError) at once, before anything is queued.
   */
  send(cmd: Command): void {
    // Settled before it got here (aborted, timed out while a barrier held it): never written.
    if (cmd.settled) return;
    if (this.quitting) {
      cmd.reject(refusedAfterQuit(`connection to ${this.address}`, cmd.name, cmd.name));
      return;
    }
    if (this.state === 'ready') {
      const pending = this.pending;
      if (pending >= this.options.maxPending) {
        cmd.reject(this.tooManyPending(cmd));
        return;
      }
      const policy = cmd.coalesce;
      if (policy !== null && cmd.packed === null && cmd.deadline === 0 && this.options.coalesce !== false && pending >= this.coalesceFrom && policy.accepts(cmd.args)) {
        // A policy exact only on LedisDB (DEL) waits for the server's answer even with `coalesce: true`.
        if (this.mayCoalesce(policy) || this.askServer()) {
          this.join(cmd, policy);
          return;
        }
      }
      if (this.group !== null) this.seal();
      const e = encodeOrReject(cmd);
      if (e !== null) this.write(cmd, e);
      return;
    }
    this.sendOffline(cmd);
  }

  /** @internal */
  protected sendOffline(cmd: Command): void {
    if (this.state === 'closing' || this.state === 'closed') {
      cmd.reject(new ConnectionError(`connection to ${this.address} is closed`, { command: cmd.name }));
      return;
    }
    if (!this.options.offlineQueue) {
      cmd.reject(new ConnectionError(`not connected to ${this.address} (offlineQueue is off)`, { command: cmd.name }));
      return;
    }
    if (this.pending >= this.options.maxPending) {
      cmd.reject(this.tooManyPending(cmd));
      return;
    }
    cmd.encoded = encodeOrReject(cmd);
    if (cmd.encoded === null) return;
    cmd.deadline = queuedDeadline(cmd, this.options.commandTimeout, this.options.offlineTimeout, Date.now());
    this.offline.push(cmd);
    this.deadlines.arm(cmd.deadline);
    if (this.state === 'idle' || this.state === 'gave-up') this.connect().catch(() => {});
  }

  /** @internal */
  protected tooManyPending(cmd: Command): ConnectionError {
    return new ConnectionError(
      `too many pending commands on ${this.address} (maxPending = ${this.options.maxPending}): ` +
        'the server is slow or unreachable; command refused',
      { command: cmd.name },
    );
  }

  /**
   * Whether commands of `policy` may be sent as one group to the server as known now.
   * @internal
   */
  protected mayCoalesce(policy: CoalescePolicy): boolean {
    return this.serverKind === 'ledisdb' || this.coalesceAnyServer || (this.options.coalesce === true && policy.ledisdbOnly !== true);
  }

  /**
   * Asks the server what it is (`INFO server`, written now, ahead of the
   * command that made it ask) the first time a command would coalesce by
   * default; returns false: that command, and every one until the reply,
   * goes one by one. LedisDB's INFO has `ledisdb_version` in its Server
   * section (server/info.go, dumpServer); Redis's has `redis_version`.
   * @internal
   */
  protected askServer(): boolean {
    if (this.serverKind !== 'unknown') return false;
    this.serverKind = 'asking';
    const ask = new Command('INFO', ['server']);
    // Not a caller's command: not counted as one answered or written.
    ask.weight = 0;
    // Settled synchronously (a batch sink, no promise), so `pending` is exact at every moment.
    ask.toBatch(
      {
        settle: (_index, error, reply) => {
          this.askInFlight = 0;
          if (error !== null) {
            // Refused (a proxy, a renamed INFO): not known to be LedisDB. Lost with the connection: ask again.
            this.serverKind = error instanceof ResponseError ? 'other' : 'unknown';
            return;
          }
          const text = Buffer.isBuffer(reply) ? reply.toString('latin1') : typeof reply === 'string' ? reply : '';
          this.serverKind = /(^|\n)ledisdb_version:/.test(text) ? 'ledisdb' : 'other';
        },
      },
      0,
    );
    this.askInFlight = 1;
    this.write(ask, encodeCommand('INFO', ['server']));
    return false;
  }

  /** Adds a command to the open group of this tick, or opens one (after sealing another kind). @internal */
  protected join(cmd: Command, policy: CoalescePolicy): void {
    const open = this.group;
    if (open !== null) {
      if (open.accepts(cmd)) {
        open.members.push(cmd);
        return;
      }
      this.seal();
    }
    this.group = new Coalesced(policy, cmd, groupLimit(this.pending, this.coalesceFrom));
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(flushOnTick, this);
    }
  }

  /** Writes the open group: as one command, or as the one command left in it. @internal */
  protected seal(): void {
    const group = this.group as Coalesced;
    this.group = null;
    group.prune();
    const n = group.members.length;
    if (n === 0) return;
    // A member the encoder refuses (a lone surrogate in a key): each goes alone, so only its caller gets the error.
    const e = n > 1 ? encodeOf(group) : null;
    if (e === null || e instanceof Error) {
      for (const cmd of group.members) {
        const alone = encodeOrReject(cmd);
        if (alone !== null) this.write(cmd, alone);
      }
      return;
    }
    group.bigIntErrors = this.options.bigIntegers === 'error';
    this.coalescedExtra += n - 1;
    group.onSettle = (members) => {
      this.coalescedExtra -= members - 1;
    };
    this.write(group, e);
    // An abort from now on can no longer take a member back (views.ts reads this).
    for (const cmd of group.members) cmd.written = true;
  }

  /** Appends an encoded command to the pending output and queues it for its reply. @internal */
  protected write(cmd: Command, e: Encoded): void {
    const output = this.output;
    output.append(e, this.options.flushThreshold);
    // With nothing in flight no reply will set the parser's mode for this one (onReply does that for the next).
    if (this.queue.length === 0) this.parser.returnBuffers = cmd.returnBuffers;
    this.queue.push(cmd);
    cmd.written = true;
    this.unflushed++;
    this.commandCount += cmd.weight;
    cmd.readMark = this.reads;
    const timeout = this.options.commandTimeout;
    if (timeout > 0 && cmd.deadline === 0) {
      cmd.deadline = writtenDeadline(cmd, timeout, Date.now());
      if (!this.deadlines.armed) this.deadlines.arm(cmd.deadline);
    }
    if (output.length >= this.options.flushThreshold) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(flushOnTick, this);
    }
  }

  /** Writes the pending output now (normally called once per tick). */
  flush(): void {
    if (this.group !== null) this.seal();
    this.flushScheduled = false;
    const socket = this.socket;
    // Ended by the server or destroyed, 'close' not yet emitted: what is not written yet
    // stays unwritten, so onClose sends it again after the reconnect instead of failing it.
    if (socket === null || !socket.writable) return;
    if (this.output.flush(socket)) {
      this.writeCount++;
      this.unflushed = 0;
    }
  }

  /**
   * Resolves when the socket can take more (no pending 'drain'). Used by
   * Pipeline to write a huge batch in chunks without buffering all of it.
   */
  waitForDrain(): Promise<void> {
    return this.output.waitForDrain();
  }

  /** Resolves once fewer than `limit` commands are pending (written or waiting, each coalesced GET counted). */
  waitForRoom(limit: number): Promise<void> {
    // `pending`, what send() refuses by: with coalescing, one queued MGET stands for many callers' GETs.
    if (this.pending < limit) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.pending < limit || this.state !== 'ready') resolve();
        else this.roomWaiters.push(check);
      };
      this.roomWaiters.push(check);
    });
  }

  /** @internal */
  protected onDrain(): void {
    this.output.needDrain = false;
    if (this.output.length > 0) this.flush();
    if (!this.output.needDrain) this.output.drained();
  }

  /** @internal */
  protected onData(chunk: Buffer): void {
    this.lastReadAt = Date.now();
    this.reads++;
    try {
      this.parser.execute(chunk);
    } catch (err) {
      // Reported once, by the reconnect (or the end) that follows.
      this.failSocket(err instanceof ProtocolError ? err : new ProtocolError(String(err)));
    }
  }

  /** @internal */
  protected onReply(reply: Reply): void {
    const cmd = this.queue.shift();
    this.replies++;
    if (cmd === undefined) {
      throw new ProtocolError(`reply with no command waiting for it from ${this.address}`);
    }
    this.answered += cmd.weight;
    if (typeof reply === 'bigint' && this.options.bigIntegers === 'error') {
      cmd.reject(new DataError(`integer reply ${reply} is beyond Number.MAX_SAFE_INTEGER`, cmd.name));
    } else {
      cmd.reply(reply);
    }
    const next = this.queue.peekFront();
    this.parser.returnBuffers = next !== undefined && next.returnBuffers;
    if (this.roomWaiters.length > 0) this.wakeRoomWaiters();
  }

  /** @internal */
  protected wakeRoomWaiters(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w();
  }
}

function flushOnTick(conn: Wire): void {
  conn.flush();
}

/** The bytes of `cmd`: the ones it was given (sendPackedCommand), or its encoding; the encoder's DataError instead of throwing. */
function encodeOf(cmd: Command): Encoded | Error {
  try {
    return cmd.packed ?? encodeCommand(cmd.wire, cmd.args);
  } catch (err) {
    return err as Error;
  }
}

/** The one encode-or-reject: the bytes of `cmd`, or null after rejecting it with the encoder's error (nothing of it is queued). */
export function encodeOrReject(cmd: Command): Encoded | null {
  const e = encodeOf(cmd);
  if (e instanceof Error) {
    cmd.reject(e);
    return null;
  }
  return e;
}
