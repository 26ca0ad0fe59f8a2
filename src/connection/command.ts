import { inspect } from 'node:util';
import { asLedisError, LedisError, ResponseError, UnexpectedReplyError } from '../errors.js';
import type { Encoded } from '../protocol/encoder.js';
import type { Reply } from '../protocol/parser.js';

/** Turns a raw reply into what the caller gets. May throw to reject. */
export type Transform = (reply: Reply, args: readonly unknown[]) => unknown;

/** Receives the outcome of each command of a batch by index (used by Pipeline). */
export interface BatchSink {
  settle(index: number, error: Error | null, value: unknown): void;
}

/** What a coalescing policy's split reads of the connection. */
export interface SplitContext {
  /** The connection's `bigIntegers: 'error'`: an integer past Number.MAX_SAFE_INTEGER rejects. */
  readonly bigIntErrors: boolean;
}

/**
 * How commands of one kind, issued together on one connection, join one
 * command sent for all of them (coalescing), and how its reply splits back.
 * Declared with the command table (src/commands/coalesce.ts) and carried by
 * each Command as it carries `wire`; the connection's gatherer
 * (src/connection/coalesce.ts) applies it without knowing the command.
 */
export interface CoalescePolicy {
  /** The command the group is sent as (MGET for GETs). */
  readonly into: string;
  /**
   * Whether a command with these arguments may join: only one the server
   * cannot refuse on its own (else it is sent alone, so its error reaches
   * only its caller).
   */
  accepts(args: readonly unknown[]): boolean;
  /**
   * Exact only on LedisDB (DEL: LedisDB answers the keys given, Redis the
   * keys removed): grouped only once the server has said it is LedisDB,
   * even with `coalesce: true`.
   */
  readonly ledisdbOnly?: boolean;
  /** Whether `next` may join a group opened by `first` (default: any two may). */
  sameGroup?(first: readonly unknown[], next: readonly unknown[]): boolean;
  /** The group's arguments from its members, in order (default: every member's arguments, one after another). */
  args?(members: readonly Command[]): unknown[];
  /** Settles every member from the group's reply `value` (never an error reply: the gatherer gives each member its own). */
  split(value: Reply, members: readonly Command[], context: SplitContext): void;
}

/**
 * One command on its way to the server and back. A plain object with no
 * per-command closures beyond the promise's own resolvers: the connection
 * queues it, and settles it when its reply (or its failure) arrives.
 */
export class Command {
  /**
   * Upper-case command name, e.g. "GET": the command the caller called, as
   * errors name it. Usually the command sent; see `wire`.
   */
  readonly name: string;
  /**
   * The command name written to the socket: `name`, unless a method sends
   * another command than the one it stands for (`incr` sends INCRBY, `strlen`
   * sends GET; CommandSpec.name).
   */
  readonly wire: string;
  readonly args: readonly unknown[];
  readonly transform: Transform | null;
  /** Ask the parser for Buffers instead of strings for this reply. */
  readonly returnBuffers: boolean;
  /** The encoding, kept only while the command waits unwritten (offline). */
  encoded: Encoded | null = null;
  /** Bytes encoded by the caller (sendPackedCommand): sent as they are instead of encoding name and args. */
  packed: Encoded | null = null;
  /** Date.now() deadline, 0 for none. */
  deadline = 0;
  /** Settled early (timed out or rejected): a late reply is read and dropped. */
  settled = false;
  /** Encoded into a connection's output (so sent, or about to be): an abort can no longer take it back. */
  written = false;
  /** The connection's count of socket reads when this was written (stall detection). */
  readMark = 0;
  /**
   * How long the server may legitimately hold the reply (BLPOP's timeout),
   * added to commandTimeout; Infinity for "forever". 0 for ordinary commands.
   */
  blockMs = 0;
  /** Callers' commands this one answers: 1, or the members of a coalesced MGET/MSET. */
  weight = 1;
  /** An error reply keeps the server's text as its message (the compat faces; ResponseError.setCommand). */
  plainErrors = false;
  private resolveFn: ((value: unknown) => void) | null = null;
  private rejectFn: ((error: Error) => void) | null = null;
  private sink: BatchSink | null = null;
  private index = 0;

  /** How this command may join others of its kind (src/commands/coalesce.ts); null: it is sent as it is. */
  readonly coalesce: CoalescePolicy | null;

  constructor(
    name: string,
    args: readonly unknown[],
    transform: Transform | null = null,
    returnBuffers = false,
    wire: string = name,
    coalesce: CoalescePolicy | null = null,
  ) {
    this.name = name;
    this.wire = wire;
    this.coalesce = coalesce;
    this.args = args;
    this.transform = transform;
    this.returnBuffers = returnBuffers;
  }

  /** util.inspect: AUTH's argument (a password) is never shown. */
  [inspect.custom](_depth: number, opts: object): string {
    const args = this.name === 'AUTH' || this.wire === 'AUTH' ? ['[redacted]'] : this.args;
    return `Command ${inspect(this.wire === this.name ? { name: this.name, args, settled: this.settled } : { name: this.name, wire: this.wire, args, settled: this.settled }, opts)}`;
  }

  /** JSON.stringify: AUTH's argument (a password) is never shown. */
  toJSON(): { name: string; args: readonly unknown[] } {
    return { name: this.name, args: this.name === 'AUTH' || this.wire === 'AUTH' ? ['[redacted]'] : this.args };
  }

  /** A promise settled by this command's reply. Call once, before sending. */
  promise<T = unknown>(): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.resolveFn = resolve as (value: unknown) => void;
      this.rejectFn = reject;
    });
  }

  /** Route the outcome to a batch instead of a promise. */
  toBatch(sink: BatchSink, index: number): this {
    this.sink = sink;
    this.index = index;
    return this;
  }

  /**
   * Called with the reply of a command settled before it came (aborted or
   * timed out after it was written): a cancelled blocking pop gives back
   * what it popped (src/routing/lanes.ts). Null: the late reply is dropped.
   */
  onLateReply: ((value: Reply) => void) | null = null;

  /** Settles with a reply: transforms it, or rejects if it is an error reply. */
  reply(value: Reply): void {
    if (this.settled) {
      this.onLateReply?.(value);
      return;
    }
    this.settled = true;
    if (value instanceof ResponseError) {
      value.setCommand(this.name, !this.plainErrors);
      this.fail(value);
      return;
    }
    let out: unknown = value;
    if (this.transform !== null) {
      try {
        out = this.transform(value, this.args);
      } catch (err) {
        if (err instanceof UnexpectedReplyError && err.command === undefined) err.setCommand(this.name);
        // Whatever a transform throws reaches the caller as a LedisError (a RangeError from a reply shaped against it, too).
        this.fail(err instanceof LedisError ? err : new UnexpectedReplyError(`the reply could not be shaped: ${err instanceof Error ? err.message.slice(0, 200) : typeof err}`, this.name, { cause: err }));
        return;
      }
    }
    if (this.sink !== null) this.sink.settle(this.index, null, out);
    else (this.resolveFn as (value: unknown) => void)(out);
  }

  reject(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    // Callers only ever see LedisErrors (a RangeError from encoding a huge command, say, is wrapped).
    const e = error instanceof LedisError ? error : asLedisError(error);
    this.fail(this.wire === this.name ? e : renamed(e, this.wire, this.name));
  }

  private fail(error: Error): void {
    if (this.sink !== null) this.sink.settle(this.index, error, undefined);
    else if (this.rejectFn !== null) this.rejectFn(error);
  }
}

/**
 * An error raised about the command as sent (the encoder's DataError names
 * GET for `strlen`) renamed to the command the caller called: its `command`
 * and its message's `GET: ` prefix. Other errors are returned as they are.
 */
function renamed(e: LedisError, wire: string, name: string): LedisError {
  const named = e as LedisError & { command?: unknown };
  if (named.command !== wire) return e;
  named.command = name;
  if (e.message.startsWith(wire + ': ')) e.message = name + e.message.slice(wire.length);
  return e;
}
