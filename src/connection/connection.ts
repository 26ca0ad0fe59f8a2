import { EventEmitter } from 'node:events';
import net from 'node:net';
import tls from 'node:tls';
import Denque from 'denque';
import { ConnectionError, DataError, ProtocolError, TimeoutError } from '../errors.js';
import { debugRecycle, debugTimeout, onConnecting } from './diagnostics.js';
import { encodeCommand, type Encoded } from '../protocol/encoder.js';
import { Parser, type Reply } from '../protocol/parser.js';
import { Command } from './command.js';
import { resolveConnectionOptions, type ConnectionOptions, type ResolvedConnectionOptions } from './options.js';

export type ConnectionStatus = 'wait' | 'connecting' | 'connect' | 'ready' | 'reconnecting' | 'end';

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
  status: ConnectionStatus = 'wait';
  /** Number of socket.write calls so far (tests and benchmarks read it). */
  writeCount = 0;
  /** Number of commands written (or encoded for this tick's write) so far. */
  commandCount = 0;

  private socket: net.Socket | null = null;
  private readonly parser: Parser;
  /** Written (or encoded for this tick's flush) and awaiting a reply, in order. */
  private readonly queue = new Denque<Command>();
  /** Issued while not ready; not encoded into `out` yet. */
  private readonly offline = new Denque<Command>();
  /** How many commands at the tail of `queue` are encoded in `out` but not yet written. */
  private unflushed = 0;
  private out = '';
  private outParts: Array<string | Buffer> | null = null;
  private outLength = 0;
  private flushScheduled = false;
  private needDrain = false;
  private drainWaiters: Array<() => void> = [];
  private roomWaiters: Array<() => void> = [];
  private handshakePending = 0;
  private attempt = 0;
  private lastError: Error | undefined;
  private lastReadAt = 0;
  /** Socket reads so far: a millisecond clock cannot order a read and a write in the same millisecond. */
  private reads = 0;
  private connectTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private deadlineTimer: NodeJS.Timeout | null = null;
  private deadlineAt = 0;
  private readyWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private closing = false;
  private quitting = false;
  /** The db to select on (re)connect; changed by select() on this connection. */
  db: number;

  constructor(options: ConnectionOptions = {}) {
    super();
    this.options = resolveConnectionOptions(options);
    this.db = this.options.db;
    this.parser = new Parser((reply) => this.onReply(reply));
    if (!this.options.lazyConnect) this.connect().catch(() => {});
  }

  /** Commands written or waiting, not yet answered. */
  get pending(): number {
    return this.queue.length + this.offline.length;
  }

  /** Human-readable address for error messages. */
  get address(): string {
    const o = this.options;
    return o.unixSocketPath ?? `${o.host}:${o.port}`;
  }

  /** Connects (if not already) and resolves once the connection is ready for commands. */
  connect(): Promise<void> {
    if (this.status === 'ready') return Promise.resolve();
    const p = new Promise<void>((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
    if (this.status === 'wait' || this.status === 'end') {
      this.closing = false;
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
    if (this.quitting) {
      cmd.reject(new ConnectionError(`connection to ${this.address} is closing (quit() was called); ${cmd.name} was not sent`, { command: cmd.name }));
      return;
    }
    if (this.status === 'ready') {
      if (this.queue.length >= this.options.maxPending) {
        cmd.reject(this.tooManyPending(cmd));
        return;
      }
      try {
        this.write(cmd, encodeCommand(cmd.name, cmd.args));
      } catch (err) {
        cmd.reject(err as Error);
      }
      return;
    }
    this.sendOffline(cmd);
  }

  private sendOffline(cmd: Command): void {
    if (this.status === 'end' && this.closing) {
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
    try {
      cmd.encoded = encodeCommand(cmd.name, cmd.args);
    } catch (err) {
      cmd.reject(err as Error);
      return;
    }
    cmd.deadline = Date.now() + (this.options.commandTimeout || this.options.offlineTimeout);
    this.offline.push(cmd);
    this.armDeadline(cmd.deadline);
    if (this.status === 'wait' || (this.status === 'end' && !this.closing)) this.connect().catch(() => {});
  }

  private tooManyPending(cmd: Command): ConnectionError {
    return new ConnectionError(
      `too many pending commands on ${this.address} (maxPending = ${this.options.maxPending}): ` +
        'the server is slow or unreachable; command refused',
      { command: cmd.name },
    );
  }

  /** Appends an encoded command to the pending output and queues it for its reply. */
  private write(cmd: Command, e: Encoded): void {
    if (typeof e === 'string') {
      this.out += e;
      this.outLength += e.length;
    } else {
      this.appendParts(e);
    }
    // With nothing in flight no reply will set the parser's mode for this one (onReply does that for the next).
    if (this.queue.length === 0) this.parser.returnBuffers = cmd.returnBuffers;
    this.queue.push(cmd);
    this.unflushed++;
    this.commandCount++;
    cmd.readMark = this.reads;
    const timeout = this.options.commandTimeout;
    if (timeout > 0 && cmd.deadline === 0) {
      cmd.deadline = Date.now() + timeout + cmd.blockMs;
      if (this.deadlineTimer === null) this.armDeadline(cmd.deadline);
    }
    if (this.outLength >= this.options.flushThreshold) this.flush();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(flushOnTick, this);
    }
  }

  private appendParts(parts: Array<string | Buffer>): void {
    let list = this.outParts;
    if (list === null) list = this.outParts = [];
    if (this.out.length > 0) {
      list.push(this.out);
      this.out = '';
    }
    for (const p of parts) {
      list.push(p);
      this.outLength += p.length;
    }
  }

  /** Writes the pending output now (normally called once per tick). */
  flush(): void {
    this.flushScheduled = false;
    const socket = this.socket;
    if (socket === null || this.needDrain || this.outLength === 0) return;
    // Ended by the server or destroyed, 'close' not yet emitted: what is not written yet
    // stays unwritten, so onClose sends it again after the reconnect instead of failing it.
    if (!socket.writable) return;
    let ok: boolean;
    if (this.outParts === null) {
      ok = socket.write(this.out);
    } else {
      const parts = this.outParts;
      if (this.out.length > 0) parts.push(this.out);
      socket.cork();
      for (let i = 0; i < parts.length - 1; i++) socket.write(parts[i] as string | Buffer);
      ok = socket.write(parts[parts.length - 1] as string | Buffer);
      socket.uncork();
      this.outParts = null;
    }
    this.writeCount++;
    this.out = '';
    this.outLength = 0;
    this.unflushed = 0;
    if (!ok) this.needDrain = true;
  }

  /**
   * Resolves when the socket can take more (no pending 'drain'). Used by
   * Pipeline to write a huge batch in chunks without buffering all of it.
   */
  waitForDrain(): Promise<void> {
    if (!this.needDrain) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Resolves once fewer than `limit` commands are queued. */
  waitForRoom(limit: number): Promise<void> {
    if (this.queue.length < limit) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.queue.length < limit || this.status !== 'ready') resolve();
        else this.roomWaiters.push(check);
      };
      this.roomWaiters.push(check);
    });
  }

  private onDrain(): void {
    this.needDrain = false;
    if (this.outLength > 0) this.flush();
    if (!this.needDrain && this.drainWaiters.length > 0) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w();
    }
  }

  private onData(chunk: Buffer): void {
    this.lastReadAt = Date.now();
    this.reads++;
    try {
      this.parser.execute(chunk);
    } catch (err) {
      const e = err instanceof ProtocolError ? err : new ProtocolError(String(err));
      this.emitError(e);
      this.failSocket(e);
    }
  }

  private onReply(reply: Reply): void {
    const cmd = this.queue.shift();
    if (cmd === undefined) {
      throw new ProtocolError(`reply with no command waiting for it from ${this.address}`);
    }
    if (typeof reply === 'bigint' && this.options.bigIntegers === 'error') {
      cmd.reject(new DataError(`integer reply ${reply} is beyond Number.MAX_SAFE_INTEGER`, cmd.name));
    } else {
      cmd.reply(reply);
    }
    const next = this.queue.peekFront();
    this.parser.returnBuffers = next !== undefined && next.returnBuffers;
    if (this.roomWaiters.length > 0) this.wakeRoomWaiters();
  }

  private wakeRoomWaiters(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w();
  }

  // ---- lifecycle -------------------------------------------------------

  private openSocket(): void {
    const o = this.options;
    onConnecting(this, this.attempt);
    this.status = this.attempt > 0 ? 'reconnecting' : 'connecting';
    this.parser.reset();
    let socket: net.Socket;
    const common = { noDelay: true, keepAlive: o.keepAlive > 0, keepAliveInitialDelay: o.keepAlive };
    if (o.tls) {
      socket = tls.connect({
        ...common,
        ...(o.unixSocketPath ? { path: o.unixSocketPath } : { host: o.host, port: o.port }),
        servername: o.unixSocketPath || net.isIP(o.host) ? undefined : o.host,
        ...o.tls,
      });
      socket.once('secureConnect', () => this.onConnect(socket));
    } else {
      socket = o.unixSocketPath ? net.connect({ path: o.unixSocketPath }) : net.connect({ ...common, host: o.host, port: o.port });
      socket.once('connect', () => this.onConnect(socket));
    }
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
    this.status = 'connect';
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
      this.write(cmd, encodeCommand(name, args));
    }
  }

  private onReady(): void {
    if (this.connectTimer !== null) {
      clearTimeout(this.connectTimer);
      this.connectTimer = null;
    }
    this.status = 'ready';
    this.attempt = 0;
    this.lastError = undefined;
    // Unwritten commands go out first, in the order they were issued.
    const now = Date.now();
    while (this.offline.length > 0) {
      const cmd = this.offline.shift() as Command;
      if (cmd.settled) continue;
      const e = cmd.encoded as Encoded;
      // A packed command has no name and args to encode again from, so it keeps its bytes.
      if (cmd.name !== 'PACKED') cmd.encoded = null;
      // A command timeout counts from when it was issued; offlineTimeout only while offline.
      if (this.options.commandTimeout === 0) cmd.deadline = 0;
      else if (cmd.deadline > now) cmd.deadline += cmd.blockMs;
      else {
        cmd.reject(new TimeoutError(`command timed out after ${this.options.commandTimeout} ms before it could be sent`, cmd.name));
        continue;
      }
      this.write(cmd, e);
    }
    const firstDeadline = this.queue.peekFront()?.deadline ?? 0;
    if (firstDeadline > 0) this.armDeadline(firstDeadline);
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const w of waiters) w.resolve();
    this.emit('ready');
  }

  /** Destroys the socket because of `error`; onClose then rejects and reconnects. */
  private failSocket(error: Error): void {
    debugRecycle(this, error);
    this.lastError = error;
    const socket = this.socket;
    if (socket !== null) socket.destroy();
  }

  private onClose(socket: net.Socket): void {
    if (socket !== this.socket) return;
    this.socket = null;
    this.clearTimers();
    this.needDrain = false;
    const error = this.lastError;
    const reason = error ? `: ${error.message}` : '';
    // Unwritten commands at the tail of the queue go back to the front of the offline queue.
    const unwritten: Command[] = [];
    for (let i = 0; i < this.unflushed; i++) unwritten.push(this.queue.pop() as Command);
    this.unflushed = 0;
    this.out = '';
    this.outParts = null;
    this.outLength = 0;
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
    for (const cmd of unwritten) {
      if (cmd.settled) continue;
      try {
        if (cmd.encoded === null) cmd.encoded = encodeCommand(cmd.name, cmd.args);
      } catch (err) {
        cmd.reject(err as Error);
        continue;
      }
      this.offline.unshift(cmd);
    }
    this.wakeRoomWaiters();
    const drained = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of drained) w();
    this.emit('close');
    if (this.closing || this.status === 'end') {
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
      this.finish(
        new ConnectionError(`gave up reconnecting to ${this.address} after ${this.attempt - 1} attempts${error ? `: ${error.message}` : ''}`, {
          cause: error,
        }),
      );
      return;
    }
    this.status = 'reconnecting';
    this.emit('reconnecting', { attempt: this.attempt, delay, error });
    if (error) this.emitError(error);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.status === 'reconnecting') this.openSocket();
    }, delay);
    const first = this.offline.peekFront();
    if (first !== undefined) this.armDeadline(first.deadline);
  }

  /** Ends for good: rejects everything waiting and emits 'end'. */
  private finish(error: ConnectionError): void {
    const wasEnded = this.status === 'end' && this.socket === null && this.offline.length === 0;
    this.status = 'end';
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
    this.closing = true;
    this.lastError = error;
    this.status = 'end';
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
    if (this.status !== 'ready') {
      // Commands issued before quit() still wait for a connection; the rest is refused.
      if (this.offline.length === 0 || this.status === 'wait') {
        this.disconnect();
        return;
      }
      try {
        await this.connect();
      } catch {
        return;
      }
    }
    const cmd = new Command('QUIT', []);
    const done = cmd.promise().catch(() => undefined);
    this.write(cmd, encodeCommand('QUIT', []));
    this.closing = true;
    this.status = 'end';
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

  private armDeadline(at: number): void {
    if (at <= 0 || at === Infinity) return;
    if (this.deadlineTimer !== null) {
      if (this.deadlineAt <= at) return;
      clearTimeout(this.deadlineTimer);
    }
    this.deadlineAt = at;
    this.deadlineTimer = setTimeout(() => this.onDeadline(), Math.max(0, at - Date.now()) + 1);
  }

  private onDeadline(): void {
    this.deadlineTimer = null;
    const now = Date.now();
    const timeout = this.options.commandTimeout;
    let stalled: Command | null = null;
    // Written commands share one timeout, so their deadlines rise along the queue.
    for (let i = 0; i < this.queue.length; i++) {
      const cmd = this.queue.peekAt(i) as Command;
      if (cmd.deadline === 0 || cmd.settled) continue;
      if (cmd.deadline > now) break;
      cmd.reject(new TimeoutError(`no reply to ${cmd.name} from ${this.address} within ${timeout} ms (commandTimeout)`, cmd.name));
      debugTimeout(this, cmd.name, true);
      // Stalled: no read since it was written, and none for a whole timeout (it may have waited offline).
      if (cmd.readMark === this.reads && now - this.lastReadAt >= timeout) stalled = cmd;
    }
    while (this.offline.length > 0) {
      const cmd = this.offline.peekFront() as Command;
      if (!cmd.settled && cmd.deadline > now) break;
      this.offline.shift();
      if (!cmd.settled) {
        debugTimeout(this, cmd.name, false);
        cmd.reject(
          timeout > 0
            ? new TimeoutError(`command timed out after ${timeout} ms waiting for a connection to ${this.address}`, cmd.name)
            : new ConnectionError(
                `not connected to ${this.address} for ${this.options.offlineTimeout} ms (offlineTimeout); ${cmd.name} was not sent` +
                  (this.lastError ? `: ${this.lastError.message}` : ''),
                { cause: this.lastError, command: cmd.name },
              ),
        );
      }
    }
    if (this.quitting && !this.closing && this.status !== 'ready' && this.offline.length === 0) {
      // quit() was waiting for a connection only for these commands; they have given up, so stop reconnecting.
      this.disconnect();
      return;
    }
    if (stalled !== null && this.socket !== null && this.status === 'ready') {
      // Nothing was read since the timed-out command was written: the stream is stuck; recycle it.
      this.failSocket(new TimeoutError(`connection to ${this.address} stalled: no data for ${timeout} ms`));
      return;
    }
    let next = 0;
    for (let i = 0; i < this.queue.length; i++) {
      const cmd = this.queue.peekAt(i) as Command;
      if (cmd.deadline > 0 && !cmd.settled) {
        next = cmd.deadline;
        break;
      }
    }
    const off = this.offline.peekFront();
    if (off !== undefined && (next === 0 || off.deadline < next)) next = off.deadline;
    if (next > 0) this.armDeadline(next);
  }

  private clearTimers(): void {
    if (this.connectTimer !== null) {
      clearTimeout(this.connectTimer);
      this.connectTimer = null;
    }
    if (this.deadlineTimer !== null) {
      clearTimeout(this.deadlineTimer);
      this.deadlineTimer = null;
    }
  }

  private emitError(error: Error): void {
    // An 'error' event with no listener would throw; callers get their own errors anyway.
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  /** Sends a command and resolves with its raw reply. SELECT is remembered for reconnects. */
  sendCommand(name: string, ...args: unknown[]): Promise<Reply> {
    const upper = name.toUpperCase();
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
    const p = cmd.promise<Reply>();
    const encoded: Encoded = Buffer.isBuffer(packed) ? [packed] : packed;
    if (this.quitting || this.status !== 'ready') {
      if (this.quitting || (this.status === 'end' && this.closing)) {
        cmd.reject(new ConnectionError(`connection to ${this.address} is closed`, { command: 'PACKED' }));
      } else if (this.pending >= this.options.maxPending) {
        cmd.reject(this.tooManyPending(cmd));
      } else {
        cmd.encoded = encoded;
        cmd.deadline = Date.now() + (this.options.commandTimeout || this.options.offlineTimeout);
        this.offline.push(cmd);
        this.armDeadline(cmd.deadline);
        if (this.status === 'wait' || this.status === 'end') this.connect().catch(() => {});
      }
      return p;
    }
    cmd.encoded = encoded;
    this.write(cmd, encoded);
    return p;
  }
}

function flushOnTick(conn: Connection): void {
  conn.flush();
}
