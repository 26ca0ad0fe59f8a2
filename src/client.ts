import { EventEmitter } from 'node:events';
import { Command, type Transform } from './connection/command.js';
import type { Connection, ConnectionEvents } from './connection/connection.js';
import { commandTable, type Commands } from './commands/index.js';
import type { ClientMode, CommandSpec, ReplyFn, Str, StrOf } from './commands/types.js';
import { DataError } from './errors.js';
import { Pipeline } from './pipeline.js';
import { BasePool, ConnectionPool, type PoolOptions } from './pool.js';
import type { Reply } from './protocol/parser.js';
import { parseUrl } from './url.js';

export interface LedisOptions extends PoolOptions {
  /** Replies as strings (default true) or, when false, as Buffers. The types follow. */
  decodeResponses?: boolean;
  /** Text encoding of replies; only utf-8 is supported (ledis-py's charset). */
  encoding?: 'utf-8' | 'utf8';
  /** Use this pool instead of making one from the options. */
  connectionPool?: BasePool;
}

/**
 * The LedisDB client. Every command of the table is a method (`get`,
 * `hgetall`, `zrangebyscore`...). Commands from any number of callers share
 * the pool's multiplexed connection(s) and go out batched, one write per
 * tick; blocking pops take a dedicated connection.
 *
 * `new Ledis()` replies with strings; `new Ledis({ decodeResponses: false })`
 * is a `Ledis<false>` whose replies are Buffers.
 */
export class Ledis<D extends boolean = true> extends EventEmitter<ConnectionEvents> {
  readonly connectionPool: BasePool;
  readonly options: LedisOptions;
  /** Replies as strings (true) or Buffers (false). */
  readonly decodeResponses: boolean;
  private callbacks: Map<string, ReplyFn | null> | null = null;
  private readonly dbClients = new Map<number, Ledis<D>>();
  private readonly ownsPool: boolean;

  constructor(options: LedisOptions & { decodeResponses?: D } = {}) {
    super();
    this.options = options;
    this.decodeResponses = options.decodeResponses !== false;
    if (options.encoding !== undefined && !/^utf-?8$/i.test(options.encoding)) {
      throw new DataError(`unsupported encoding ${options.encoding}: only utf-8 is supported`);
    }
    if (options.connectionPool) {
      this.connectionPool = options.connectionPool;
      this.ownsPool = false;
    } else {
      const { decodeResponses: _d, encoding: _e, connectionPool: _p, ...poolOptions } = options;
      this.connectionPool = new ConnectionPool(poolOptions);
      this.ownsPool = true;
    }
    for (const conn of this.connectionPool.sharedList) this.forwardEvents(conn);
  }

  /**
   * A client configured from a URL: `ledis://[:password@]host[:port][/db][?options]`
   * or `unix:///path.sock?db=N`.
   */
  static fromUrl<D extends boolean = true>(url: string, options: LedisOptions & { decodeResponses?: D; db?: number } = {}): Ledis<D> {
    return new Ledis<D>(parseUrl(url, options));
  }

  /** Sends any command with its arguments; resolves with the raw reply. */
  sendCommand(name: string, ...args: unknown[]): Promise<Reply> {
    return this.send(new Command(name.toUpperCase(), args, null, !this.decodeResponses)) as Promise<Reply>;
  }

  /** ledis-py's execute_command: the same as sendCommand. */
  executeCommand(name: string, ...args: unknown[]): Promise<Reply> {
    return this.sendCommand(name, ...args);
  }

  /**
   * Replaces the reply transform of a command (by its name as sent, e.g.
   * "GET"), as ledis-py's set_response_callback. `null` restores raw replies.
   */
  setResponseCallback(command: string, callback: ((reply: Reply) => unknown) | null): void {
    if (this.callbacks === null) this.callbacks = new Map();
    this.callbacks.set(command.toUpperCase(), callback);
  }

  /** A batch builder: chain commands, then `exec()` sends them together. */
  pipeline(): Pipeline<StrOf<D>, []> {
    return new Pipeline<StrOf<D>, []>(this as unknown as Ledis<boolean>);
  }

  /**
   * A client bound to db `index`, with connections of its own, so selecting a
   * db never changes it under other callers. Cached per index.
   */
  db(index: number): Ledis<D> {
    if (!Number.isInteger(index) || index < 0) throw new DataError(`db index must be a non-negative integer, got ${index}`, 'SELECT');
    const current = this.connectionPool.connectionOptions.db ?? 0;
    if (index === current) return this;
    let client = this.dbClients.get(index);
    if (client === undefined) {
      client = new Ledis<D>({ ...this.options, connectionPool: undefined, db: index } as LedisOptions & { decodeResponses?: D });
      this.dbClients.set(index, client);
    }
    return client;
  }

  /** Connects the shared connection(s) now (with lazyConnect) and resolves when ready. */
  async connect(): Promise<void> {
    await Promise.all(this.connectionPool.sharedList.map((c) => c.connect()));
  }

  /** Waits for outstanding replies, then closes every connection of this client. */
  quit(): Promise<void> {
    // Everything is marked closing synchronously, so a command issued right after quit() is refused.
    const closing = [...this.dbClients.values()].map((c) => c.quit());
    if (this.ownsPool) closing.push(this.connectionPool.quit());
    return Promise.all(closing).then(() => undefined);
  }

  /** Closes every connection at once; outstanding commands reject with ConnectionError. */
  disconnect(): void {
    for (const c of this.dbClients.values()) c.disconnect();
    if (this.ownsPool) this.connectionPool.disconnect();
  }

  /** Runs a command of the table: shape its arguments, send, shape its reply. */
  run(spec: CommandSpec, args: unknown[]): Promise<unknown> {
    const cmd = this.makeCommand(spec, args);
    return spec.blocking === true ? this.sendDedicated(cmd) : this.send(cmd);
  }

  /** A Command for a table entry, with this client's reply transform and reply mode (used by Pipeline). */
  makeCommand(spec: CommandSpec, args: unknown[]): Command {
    const transform = this.callbacks === null ? (spec.reply ?? null) : this.callbackFor(spec);
    const buffers = spec.bufferReply === true || (!this.decodeResponses && spec.stringReply !== true);
    return new Command(spec.command, args, transform, buffers);
  }

  private callbackFor(spec: CommandSpec): Transform | null {
    const map = this.callbacks as Map<string, ReplyFn | null>;
    return map.has(spec.command) ? (map.get(spec.command) ?? null) : (spec.reply ?? null);
  }

  private send(cmd: Command): Promise<unknown> {
    let conn: Connection;
    try {
      conn = this.connectionPool.shared();
    } catch (err) {
      return Promise.reject(err);
    }
    const p = cmd.promise();
    conn.send(cmd);
    return p;
  }

  /** Runs a command on a dedicated connection (blocking pops), released afterwards. */
  private async sendDedicated(cmd: Command): Promise<unknown> {
    const conn = await this.connectionPool.getConnection(cmd.name);
    try {
      const p = cmd.promise();
      conn.send(cmd);
      return await p;
    } finally {
      this.connectionPool.release(conn);
    }
  }

  private forwarded = new WeakSet<Connection>();
  private forwardEvents(conn: Connection): void {
    if (this.forwarded.has(conn)) return;
    this.forwarded.add(conn);
    for (const event of ['connect', 'ready', 'close', 'reconnecting', 'end'] as const) {
      conn.on(event, (...a: unknown[]) => (this.emit as (e: string, ...a: unknown[]) => boolean)(event, ...a));
    }
    conn.on('error', (err) => {
      if (this.listenerCount('error') > 0) this.emit('error', err);
    });
  }
}

// The typed command methods, merged into the class from the table's interfaces.
export interface Ledis<D extends boolean = true> extends Commands<StrOf<D>, ClientMode<StrOf<D>>> {}

for (const [method, spec] of Object.entries(commandTable)) {
  const shape = spec.args;
  const fn =
    shape === undefined
      ? function (this: Ledis<boolean>, ...a: unknown[]): Promise<unknown> {
          return this.run(spec, a);
        }
      : function (this: Ledis<boolean>, ...a: unknown[]): Promise<unknown> {
          let args: unknown[];
          try {
            args = shape(...a);
          } catch (err) {
            return Promise.reject(err);
          }
          return this.run(spec, args);
        };
  Object.defineProperty(fn, 'name', { value: method });
  Object.defineProperty(Ledis.prototype, method, { value: fn, writable: true, configurable: true });
}

export type { Str };
