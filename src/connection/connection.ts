import type net from 'node:net';
import { ConnectionError, DataError, ProtocolError, TimeoutError } from '../errors.js';
import { encodeCommand, type Encoded } from '../protocol/encoder.js';
import type { Reply } from '../protocol/parser.js';
import { Command } from './command.js';
import { Coalesced, MAX_COALESCED } from './coalesce.js';
import { debugRecycle, debugTimeout, onConnecting } from './diagnostics.js';
import { expireOffline, expireWritten, HeadWatch, nextDeadline, requeuedDeadline, resentDeadline, stallWindow } from './deadlines.js';
import type { ConnectionOptions } from './options.js';
import { canOpen } from './state.js';
import { openTransport } from './transport.js';
import { encodeOrReject, Wire } from './wire.js';

export type { ConnectionStatus } from './state.js';
export type { ConnectionEvents } from './wire.js';

/**
 * One socket to LedisDB (TCP, unix or TLS), shared by any number of callers:
 * the queue and the wire (send, coalescing, write, flush, replies) are
 * Wire's (wire.ts); this class is the lifecycle. Commands issued while
 * disconnected wait in `offline` (bounded by maxPending and offlineTimeout)
 * and go out after the handshake (AUTH, SELECT).
 */
export class Connection extends Wire {
  private handshakePending = 0;
  private attempt = 0;
  private lastError: Error | undefined;
  /** The last error reported with an 'error' event: one fault, one event. */
  private reportedError: Error | undefined;
  /** Watches a timed-out head of the queue for progress (see HeadWatch). */
  private readonly headWatch = new HeadWatch();
  private connectTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private readyWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  /** The db to select on (re)connect; changed by select() on this connection. */
  db: number;

  constructor(options: ConnectionOptions = {}) {
    super(options);
    this.db = this.options.db;
    if (!this.options.lazyConnect) this.connect().catch(() => {});
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
      if (cmd instanceof Coalesced && !this.mayCoalesce(cmd.policy)) {
        // Gathered for the server before the reconnect; this one is not known to take it (a failover to a Redis,
        // where DEL counts differently and MGET hides WRONGTYPE): its commands go one by one, in their order.
        for (const m of cmd.disband()) {
          const alone = encodeOrReject(m);
          if (alone !== null) this.write(m, alone);
        }
        continue;
      }
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

  /** Destroys the socket because of `error`; onClose then rejects and reconnects. @internal */
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
    // What INFO said belongs to the server that said it: the reconnect may reach another (a failover behind
    // this address, a restart as Redis), so ask again. An INFO still unwritten goes out again and answers for the new one.
    if (this.serverKind === 'ledisdb' || this.serverKind === 'other') this.serverKind = 'unknown';
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
   * @internal
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
