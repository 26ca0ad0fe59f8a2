import { EventEmitter } from 'node:events';
import type net from 'node:net';
import Denque from 'denque';
import { ConnectionError, DataError, ProtocolError, ResponseError, TimeoutError } from '../errors.js';
import { encodeCommand, type Encoded } from '../protocol/encoder.js';
import { Parser, type Reply } from '../protocol/parser.js';
import { Command, type CoalescePolicy } from './command.js';
import { Coalesced, COALESCE_FROM, groupLimit, MAX_COALESCED } from './coalesce.js';
import { debugRecycle, debugTimeout, onConnecting } from './diagnostics.js';
import { DeadlineTimer, expireOffline, expireWritten, HeadWatch, nextDeadline, queuedDeadline, requeuedDeadline, resentDeadline, stallWindow, writtenDeadline } from './deadlines.js';
import { resolveConnectionOptions, TUNING, type ConnectionOptions, type ResolvedConnectionOptions } from './options.js';
import { Output } from './output.js';
import { canOpen, PUBLIC_STATUS, refusedAfterQuit, type ConnectionStatus, type State } from './state.js';
import { openTransport } from './transport.js';

export type { ConnectionStatus } from './state.js';

export interface ConnectionEvents {
  connect: [];
  ready: [];
  error: [Error];
  close: [];
  reconnecting: [{ attempt: number; delay: number; error: Error | undefined }];
  end: [];
}

/**
 * One socket to LedisDB (TCP, unix or TLS), shared by any number of callers.
 *
 * Commands are encoded straight into `out` and pushed onto `queue`; one flush
 * per tick (process.nextTick) writes everything issued in that tick with one
 * `socket.write`. Replies shift the queue strictly in order. Commands issued
 * while disconnected wait in `offline` (bounded by maxPending and
 * offlineTimeout) and go out after the handshake (AUTH, SELECT).
 */
export class Connection extends EventEmitter<ConnectionEvents> {
  readonly options: ResolvedConnectionOptions;
  /** Public view of the lifecycle: 'wait', 'connecting', 'connect', 'ready', 'reconnecting' or 'end'. */
  status: ConnectionStatus = 'wait';
  protected state: State = 'idle';
  /** Number of socket.write calls so far (tests and benchmarks read it). */
  writeCount = 0;
  /** Number of commands written (or encoded for this tick's write) so far. */
  commandCount = 0;

  protected socket: net.Socket | null = null;
  protected readonly parser: Parser;
  /** Written (or encoded for this tick's flush) and awaiting a reply, in order. */
  protected readonly queue = new Denque<Command>();
  /** Issued while not ready; not encoded into `out` yet. */
  protected readonly offline = new Denque<Command>();
  /** How many commands at the tail of `queue` are encoded in `output` but not yet written. */
  protected unflushed = 0;
  protected readonly output = new Output();
  protected flushScheduled = false;
  protected roomWaiters: Array<() => void> = [];
  private handshakePending = 0;
  private attempt = 0;
  private lastError: Error | undefined;
  /** The last error reported with an 'error' event: one fault, one event. */
  private reportedError: Error | undefined;
  protected lastReadAt = 0;
  /** Socket reads so far: a millisecond clock cannot order a read and a write in the same millisecond. */
  protected reads = 0;
  /** Top-level replies read so far (progress, for the deadline check and the adaptive spread's rate). */
  protected replies = 0;
  /** Callers' commands answered so far (a coalesced MGET's reply answers each of its GETs). */
  protected answered = 0;
  /** The open MGET or MSET of this tick, written at the flush or before any other command. */
  protected group: Coalesced | null = null;
  /**
   * The server, as far as coalescing by default cares: 'unknown' until asked,
   * 'asking' while `INFO server` is on its way, then 'ledisdb' or 'other'.
   * Kept across reconnects (the same address); a failed ask is asked again.
   */
  protected serverKind: 'unknown' | 'asking' | 'ledisdb' | 'other' = 'unknown';
  /** 1 while that INFO is written and unanswered (not counted in `pending`), else 0. */
  protected askInFlight = 0;
  /** Members beyond the first of the coalesced commands written or waiting, not yet settled (for `pending`). */
  protected coalescedExtra = 0;
  /** Commands in flight from which a command with a coalescing policy joins a group (COALESCE_FROM as shipped). */
  protected readonly coalesceFrom: number;
  /** Tests of coalescing mechanics (the `coalesceAnyServer` tuning): coalesce without asking the server first, as `coalesce: true`. */
  protected readonly coalesceAnyServer: boolean;

  /** Callers' commands answered on this connection so far (each GET of a coalesced MGET counts). */
  get replyCount(): number {
    return this.answered;
  }
  /** Watches a timed-out head of the queue for progress (see HeadWatch). */
  private readonly headWatch = new HeadWatch();
  private connectTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  protected readonly deadlines = new DeadlineTimer(() => this.onDeadline());
  private readyWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  /** quit() was called: commands issued from now on are refused (orthogonal to the socket's state). */
  protected quitting = false;
  /** The db to select on (re)connect; changed by select() on this connection. */
  db: number;

  constructor(options: ConnectionOptions = {}) {
    super();
    this.options = resolveConnectionOptions(options);
    this.coalesceFrom = options[TUNING]?.coalesceFrom ?? COALESCE_FROM;
    this.coalesceAnyServer = options[TUNING]?.coalesceAnyServer === true;
    this.db = this.options.db;
    this.parser = new Parser((reply) => this.onReply(reply));
    if (!this.options.lazyConnect) this.connect().catch(() => {});
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

  /** The one place the lifecycle changes. */
  protected setState(next: State): void {
    this.state = next;
    this.status = PUBLIC_STATUS[next];
  }

  /** Connects (if not already) and resolves once the connection is ready for commands. */
  connect(): Promise<void> {
    if (this.state === 'ready') return Promise.resolve();
    const p = new Promise<void>((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
    if (canOpen(this.state)) {
      this.quitting = false;
      this.openSocket();
    }
    return p;
  }

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
        if (this.serverKind === 'ledisdb' || this.coalesceAnyServer || (this.options.coalesce === true && policy.ledisdbOnly !== true) || this.askServer()) {
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

  protected tooManyPending(cmd: Command): ConnectionError {
    return new ConnectionError(
      `too many pending commands on ${this.address} (maxPending = ${this.options.maxPending}): ` +
        'the server is slow or unreachable; command refused',
      { command: cmd.name },
    );
  }

  /**
   * Asks the server what it is (`INFO server`, written now, ahead of the
   * command that made it ask) the first time a command would coalesce by
   * default; returns false: that command, and every one until the reply,
   * goes one by one. LedisDB's INFO has `ledisdb_version` in its Server
   * section (server/info.go, dumpServer); Redis's has `redis_version`.
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

  /** Adds a command to the open group of this tick, or opens one (after sealing another kind). */
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

  /** Writes the open group: as one command, or as the one command left in it. */
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

  /** Appends an encoded command to the pending output and queues it for its reply. */
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

  protected onDrain(): void {
    this.output.needDrain = false;
    if (this.output.length > 0) this.flush();
    if (!this.output.needDrain) this.output.drained();
  }

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

  protected wakeRoomWaiters(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w();
  }

  // ---- lifecycle -------------------------------------------------------

  private openSocket(): void {
    const o = this.options;
    onConnecting(this, this.attempt);
    this.setState(this.attempt > 0 ? 'reconnecting' : 'connecting');
    this.parser.reset();
    const socket = openTransport(o, (s) => this.onConnect(s));
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => this.onDrain());
    socket.on('error', (err) => {
      this.lastError = err;
    });
    socket.once('close', () => this.onClose(socket));
    if (o.socketTimeout > 0) {
      socket.setTimeout(o.socketTimeout, () => {
        // A blocking pop keeps the socket quiet on purpose.
        const head = this.queue.peekFront();
        if (head !== undefined && head.blockMs === 0) {
          this.failSocket(
            new TimeoutError(`no data from ${this.address} for ${o.socketTimeout} ms with replies outstanding (socketTimeout)`),
          );
        }
      });
    }
    if (o.connectTimeout > 0) {
      this.connectTimer = setTimeout(() => {
        this.connectTimer = null;
        this.failSocket(new TimeoutError(`connecting to ${this.address} took longer than ${o.connectTimeout} ms (connectTimeout)`));
      }, o.connectTimeout);
    }
  }

  private onConnect(socket: net.Socket): void {
    if (socket !== this.socket) return;
    this.setState('handshake');
    this.emit('connect');
    this.lastReadAt = Date.now();
    const handshake: Array<[string, unknown[]]> = [];
    if (this.options.password !== undefined) handshake.push(['AUTH', [this.options.password]]);
    if (this.db !== 0) handshake.push(['SELECT', [this.db]]);
    if (handshake.length === 0) {
      this.onReady();
      return;
    }
    this.handshakePending = handshake.length;
    for (const [name, args] of handshake) {
      const cmd = new Command(name, args);
      cmd
        .promise()
        .then(() => {
          if (socket === this.socket && --this.handshakePending === 0) this.onReady();
        })
        .catch((err: Error) => {
          if (socket !== this.socket) return;
          const fatal = new ConnectionError(
            `${name === 'AUTH' ? 'authentication' : `selecting db ${this.db}`} failed on ${this.address}: ${err.message}`,
            { cause: err },
          );
          this.emitError(fatal);
          this.end(fatal);
        });
      const e = encodeOrReject(cmd);
      if (e !== null) this.write(cmd, e);
    }
  }

  private onReady(): void {
    if (this.connectTimer !== null) {
      clearTimeout(this.connectTimer);
      this.connectTimer = null;
    }
    this.setState('ready');
    this.attempt = 0;
    this.lastError = undefined;
    this.reportedError = undefined;
    // Unwritten commands go out first, in the order they were issued.
    const now = Date.now();
    while (this.offline.length > 0) {
      const cmd = this.offline.shift() as Command;
      if (cmd.settled) continue;
      let e = cmd.encoded as Encoded;
      cmd.encoded = null;
      if (cmd instanceof Coalesced) {
        // An MGET/MSET that was never written: its callers aborted since are left out, as an aborted command alone is.
        const dropped = cmd.prune();
        if (dropped > 0) {
          this.coalescedExtra -= dropped;
          if (cmd.members.length === 0) {
            cmd.reject(new ConnectionError('every command of it was aborted'));
            continue;
          }
          const again = encodeOrReject(cmd);
          if (again === null) continue;
          e = again;
        }
      }
      const deadline = resentDeadline(cmd, this.options.commandTimeout, now);
      if (deadline < 0) {
        cmd.reject(new TimeoutError(`command timed out after ${this.options.commandTimeout} ms before it could be sent`, cmd.name));
        continue;
      }
      cmd.deadline = deadline;
      this.write(cmd, e);
    }
    const firstDeadline = this.queue.peekFront()?.deadline ?? 0;
    if (firstDeadline > 0) this.deadlines.arm(firstDeadline);
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const w of waiters) w.resolve();
    this.emit('ready');
  }

  /** Destroys the socket because of `error`; onClose then rejects and reconnects. */
  protected failSocket(error: Error): void {
    debugRecycle(this, error);
    this.lastError = error;
    const socket = this.socket;
    if (socket !== null) socket.destroy();
  }

  private onClose(socket: net.Socket): void {
    if (socket !== this.socket) return;
    this.socket = null;
    this.clearTimers();
    this.headWatch.since = 0;
    const error = this.lastError;
    const reason = error ? `: ${error.message}` : '';
    // Unwritten commands at the tail of the queue go back to the front of the offline queue.
    const unwritten: Command[] = [];
    for (let i = 0; i < this.unflushed; i++) unwritten.push(this.queue.pop() as Command);
    this.unflushed = 0;
    this.output.discard();
    const written = this.queue.toArray();
    this.queue.clear();
    const mayHaveRun = error instanceof ProtocolError ? error : undefined;
    for (const cmd of written) {
      cmd.reject(
        mayHaveRun ??
          new ConnectionError(
            `connection to ${this.address} lost before the reply to ${cmd.name} arrived; ` +
              `the command was written and may or may not have run${reason}`,
            { cause: error, command: cmd.name, mayHaveRun: true },
          ),
      );
    }
    const now = Date.now();
    for (const cmd of unwritten) {
      if (cmd.settled) continue;
      cmd.deadline = requeuedDeadline(cmd, this.options.offlineTimeout, now);
      if (cmd.encoded === null) cmd.encoded = encodeOrReject(cmd);
      if (cmd.encoded !== null) this.offline.unshift(cmd);
    }
    this.wakeRoomWaiters();
    this.output.drained();
    this.emit('close');
    if (this.state === 'closing') {
      this.finish(new ConnectionError(`connection to ${this.address} was closed${reason}`, { cause: error }));
      return;
    }
    this.scheduleReconnect(error);
  }

  private scheduleReconnect(error: Error | undefined): void {
    this.attempt++;
    let delay: number | null;
    try {
      delay = this.options.retryStrategy(this.attempt, error);
    } catch (err) {
      delay = null;
    }
    if (delay === null || delay < 0) {
      if (error) this.emitError(error);
      this.finish(
        new ConnectionError(`gave up reconnecting to ${this.address} after ${this.attempt - 1} attempts${error ? `: ${error.message}` : ''}`, {
          cause: error,
        }),
      );
      return;
    }
    this.setState('backoff');
    this.emit('reconnecting', { attempt: this.attempt, delay, error });
    if (error) this.emitError(error);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.state === 'backoff') this.openSocket();
    }, delay);
    const first = this.offline.peekFront();
    if (first !== undefined) this.deadlines.arm(first.deadline);
  }

  /** Ends for good: rejects everything waiting and emits 'end'. */
  private finish(error: ConnectionError): void {
    const wasEnded = (this.state === 'closed' || this.state === 'gave-up') && this.socket === null && this.offline.length === 0;
    this.setState(this.state === 'closing' || this.state === 'closed' ? 'closed' : 'gave-up');
    this.clearTimers();
    if (this.reconnectTimer !== null) {
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
    }
    while (this.offline.length > 0) {
      const cmd = this.offline.shift() as Command;
      cmd.reject(new ConnectionError(`${error.message}; ${cmd.name} was not sent`, { cause: error.cause, command: cmd.name }));
    }
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const w of waiters) w.reject(error);
    if (!wasEnded) this.emit('end');
  }

  private end(error: ConnectionError): void {
    this.lastError = error;
    this.setState('closing');
    if (this.socket !== null) this.socket.destroy();
    else this.finish(error);
  }

  /**
   * Closes at once: commands written but unanswered reject with
   * ConnectionError (they may have run), unwritten ones reject too.
   */
  disconnect(): void {
    this.end(new ConnectionError(`connection to ${this.address} was closed by disconnect()`));
  }

  /** Waits for every outstanding reply, then closes. Commands issued after quit() are refused. */
  async quit(): Promise<void> {
    if (this.status === 'end' || this.quitting) return;
    this.quitting = true;
    if (this.state !== 'ready') {
      // Commands issued before quit() still wait for a connection; the rest is refused.
      if (this.offline.length === 0 || this.state === 'idle') {
        this.disconnect();
        return;
      }
      try {
        await this.connect();
      } catch {
        return;
      }
    }
    // GETs (SETs) of this tick still gathering into one MGET (MSET) go out before QUIT, not after it.
    if (this.group !== null) this.seal();
    const cmd = new Command('QUIT', []);
    const done = cmd.promise().catch(() => undefined);
    this.write(cmd, encodeOrReject(cmd) as Encoded);
    this.setState('closing');
    const socket = this.socket;
    await done;
    if (socket !== null && this.socket === socket) {
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.end();
      });
    }
  }

  // ---- deadlines -------------------------------------------------------

  /**
   * Runs when the earliest deadline has passed, after the event loop read
   * what was already in the socket (see DeadlineTimer), so a command whose
   * reply arrived is answered, not timed out. Recycles the socket when the
   * stream makes no progress for a whole commandTimeout: no byte at all, or
   * a head reply that keeps arriving (an endless array) without finishing.
   */
  protected onDeadline(): void {
    const now = Date.now();
    const timeout = this.options.commandTimeout;
    const window = stallWindow(timeout);
    const stalled = expireWritten(
      this.queue,
      now,
      this.reads,
      this.lastReadAt,
      window,
      (cmd) => debugTimeout(this, cmd.name, true, new TimeoutError(`no reply to ${cmd.name} from ${this.address} within ${timeout} ms (commandTimeout)`, cmd.name)),
    );
    expireOffline(this.offline, now, (cmd) =>
      debugTimeout(this, cmd.name, false, timeout > 0
        ? new TimeoutError(`command timed out after ${timeout} ms waiting for a connection to ${this.address}`, cmd.name)
        : new ConnectionError(
            `not connected to ${this.address} for ${this.options.offlineTimeout} ms (offlineTimeout); ${cmd.name} was not sent` +
              (this.lastError ? `: ${this.lastError.message}` : ''),
            { cause: this.lastError, command: cmd.name },
          )),
    );
    if (this.quitting && this.state !== 'closing' && this.state !== 'ready' && this.offline.length === 0) {
      // quit() was waiting for a connection only for these commands; they have given up, so stop reconnecting.
      this.disconnect();
      return;
    }
    if (this.socket !== null && this.state === 'ready') {
      if (stalled !== null) {
        // Nothing was read since the timed-out command was written: the stream is stuck; recycle it.
        this.failSocket(new TimeoutError(`connection to ${this.address} stalled: no data for ${window} ms`));
        return;
      }
      const head = this.queue.peekFront();
      if (timeout > 0 && this.headWatch.stuck(head, this.progress(head), now, window)) {
        this.failSocket(
          new TimeoutError(
            `connection to ${this.address} made no progress for ${window} ms past the deadline of ${(head as Command).name}: ` +
              `its reply ${this.parser.inReply ? 'was still arriving' : 'never came'} (commandTimeout)`,
          ),
        );
        return;
      }
    }
    const watching = this.headWatch.since;
    const next = nextDeadline(this.queue, this.offline, watching > 0 ? watching + window : 0);
    if (next > 0) this.deadlines.arm(next);
  }

  /**
   * Progress for HeadWatch: replies completed, and within a coalesced MGET's
   * reply (one array standing for up to MAX_COALESCED GETs, each of which
   * would have completed a reply of its own) the values read so far, counted
   * up to its number of GETs only, so an endless array still counts as stuck.
   */
  private progress(head: Command | undefined): number {
    const step = MAX_COALESCED + 1;
    if (!(head instanceof Coalesced) || !this.parser.inReply) return this.replies * step;
    return this.replies * step + Math.min(this.parser.elementsRead, head.members.length, MAX_COALESCED);
  }

  private clearTimers(): void {
    if (this.connectTimer !== null) {
      clearTimeout(this.connectTimer);
      this.connectTimer = null;
    }
    this.deadlines.clear();
  }

  private emitError(error: Error): void {
    // One fault, one event, however many paths report it.
    if (error === this.reportedError) return;
    this.reportedError = error;
    // An 'error' event with no listener would throw; callers get their own errors anyway.
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  /** Sends a command and resolves with its raw reply. SELECT is remembered for reconnects. */
  sendCommand(name: string, ...args: unknown[]): Promise<Reply> {
    // A name that is not a string is refused by the encoder, as a rejected promise like every other failure.
    const upper = typeof name === 'string' ? name.toUpperCase() : name;
    if (upper === 'SELECT') return this.select(args[0] as number).then(() => 'OK');
    const cmd = new Command(upper, args);
    const p = cmd.promise<Reply>();
    this.send(cmd);
    return p;
  }

  /**
   * Selects a db on this connection and remembers it, so a reconnect selects
   * it again. Meant for dedicated connections: on a shared one it would change
   * the db under every caller.
   */
  async select(db: number): Promise<void> {
    if (!Number.isInteger(db) || db < 0) throw new DataError(`db index must be a non-negative integer, got ${db}`, 'SELECT');
    const cmd = new Command('SELECT', [db]);
    const p = cmd.promise();
    this.send(cmd);
    await p;
    this.db = db;
  }

  /** Encodes a command without sending it (ledis-py's pack_command). */
  packCommand(name: string, ...args: unknown[]): Encoded {
    return encodeCommand(name.toUpperCase(), args);
  }

  /**
   * Sends one command already encoded by packCommand (ledis-py's
   * send_packed_command) and resolves with its reply.
   */
  sendPackedCommand(packed: Encoded | Buffer): Promise<Reply> {
    const cmd = new Command('PACKED', []);
    cmd.packed = Buffer.isBuffer(packed) ? [packed] : packed;
    const p = cmd.promise<Reply>();
    this.send(cmd);
    return p;
  }
}

function flushOnTick(conn: Connection): void {
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
function encodeOrReject(cmd: Command): Encoded | null {
  const e = encodeOf(cmd);
  if (e instanceof Error) {
    cmd.reject(e);
    return null;
  }
  return e;
}
