import type { Reply } from '../protocol/parser.js';

/** A key or field name. */
export type Key = string | Buffer;
/** A value to store: strings, Buffers and numbers are sent as they are. */
export type Value = string | Buffer | number;
/** The string type replies come back as: string, or Buffer when decodeResponses is off. */
export type Str = string | Buffer;
/**
 * Maps the decodeResponses flag to the reply string type: Buffer only when
 * it is `false`; `true` and a flag typed just `boolean` (a `LedisOptions`
 * variable) give strings, the default.
 */
export type StrOf<D extends boolean> = [D] extends [false] ? Buffer : string;
/**
 * An int64 reply. Typed as number, which it is up to Number.MAX_SAFE_INTEGER;
 * beyond that it comes back as a bigint rather than rounded (or the command
 * rejects, with `bigIntegers: 'error'`).
 */
export type Int = number;
/** Unix seconds or a Date. */
export type When = number | Date;

/**
 * How a command method returns its result. The command interfaces are
 * written once, with `Out<M, T>` as the return type, and serve both the
 * client (`Promise<T>`) and the pipeline (the same pipeline with `T`
 * appended to its typed results).
 */
export interface ClientMode<S extends Str> {
  readonly str: S;
  readonly kind: 'client';
}
export interface PipelineMode<S extends Str, R extends unknown[]> {
  readonly str: S;
  readonly kind: 'pipeline';
  readonly results: R;
}
export type Mode = ClientMode<Str> | PipelineMode<Str, unknown[]>;

/**
 * What a pipeline-mode method returns: `PipelineOf<S, R>['pipeline']` is
 * `Pipeline<S, R>`, filled in by pipeline.ts through declaration merging, so
 * this file (below the pipeline in the layers) does not import it.
 */
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export interface PipelineOf<S extends Str, R extends unknown[]> {}

export type Out<M, T> =
  M extends PipelineMode<infer S extends Str, infer R extends unknown[]>
    ? PipelineOf<S, [...R, T]> extends { pipeline: infer P }
      ? P
      : never
    : Promise<T>;

/**
 * A reply transform: receives the raw reply, and the arguments the command
 * was sent with (the very array the `args` shaper returned), for replies
 * whose shape depends on the call, like zrange's `withscores`.
 */
export type ReplyFn = (reply: Reply, args: readonly unknown[]) => unknown;

/** One command of the table. */
export interface CommandSpec {
  /** The command as sent (first word), upper case: "GET", "CONFIG". */
  readonly command: string;
  /**
   * The command the method stands for, upper case, when it sends another
   * one: `incr` sends INCRBY (it takes an amount, as ledis-py's), yet the
   * caller called INCR. Errors (DataError, ResponseError, TimeoutError...)
   * and response callbacks name this; the wire, tracing and routing use
   * `command`. Omitted: `command`.
   */
  readonly name?: string;
  /**
   * For an entry that emulates its `name` with another command (`strlen`
   * reads GET: LedisDB's STRLEN handler crashes on a missing key): turns the
   * reply of the command sent into what `name` would have answered (STRLEN's
   * integer). A response callback for `name` gets that; one for the command
   * sent (GET) is not consulted.
   */
  readonly emulatedReply?: ReplyFn;
  /**
   * Shapes and checks the method's arguments into the command's arguments.
   * Throws DataError for bad input. Omitted: the method's arguments are sent as they are.
   */
  readonly args?: (...a: any[]) => unknown[];
  /** Shapes the reply; omitted: the raw reply. */
  readonly reply?: ReplyFn;
  /** True for commands that only read (they may go to a replica). */
  readonly readonly?: boolean;
  /** True for commands that block the connection (BLPOP ...): they get a dedicated connection. */
  readonly blocking?: boolean;
  /**
   * A blocking command's timeout: its position among the arguments as sent
   * (as in `keys`; -1 is the last), in seconds, 0 meaning forever (BLPOP's
   * `timeout`). The client's own deadline for the command is this plus its
   * commandTimeout.
   */
  readonly timeoutAt?: number;
  /**
   * Where the command's keys are among its arguments as sent (the array the
   * `args` shaper returns; 0 is the first argument after the command name):
   * `[first, last, step]` as in Redis's COMMAND INFO, a negative `last`
   * counting from the end (-1 is the last argument), or a function of the
   * arguments for commands whose keys move (ZUNIONSTORE's numkeys, EVAL's,
   * XLSORT's STORE). Omitted: the command names no key. Routing uses it to
   * keep commands on one key in issue order over several connections.
   */
  readonly keys?: KeyPositions;
  /**
   * True (or true for these arguments) when the command reads or writes keys
   * it does not name: FLUSHDB, XSCAN, SLAVEOF, a script without declared
   * keys, a sort with BY/GET patterns. Over several connections it is ordered
   * after every command issued before it and before every command after it.
   */
  readonly allKeys?: boolean | ((args: readonly unknown[]) => boolean);
  /**
   * True for these arguments when the server's handler may crash on them and
   * close the connection (LedisDB d35789e: BITCOUNT/BITPOS with some byte
   * ranges, depending on the value's length). Such a command is sent on a
   * dedicated connection, as blocking pops are, so a crash costs only its
   * own caller. Arguments that always crash are refused by `args` instead.
   */
  readonly isolate?: (args: readonly unknown[]) => boolean;
  /** Force string replies even when decodeResponses is off (INFO, cursors...). */
  readonly stringReply?: boolean;
  /**
   * With decodeResponses on, read the reply as Buffers anyway and shape it
   * with this transform instead of `reply` (it decodes what the caller sees
   * as text itself): for replies part of which must stay bytes, like scan
   * cursors.
   */
  readonly replyStrings?: ReplyFn;
  /** Force Buffer replies even when decodeResponses is on (DUMP: binary). */
  readonly bufferReply?: boolean;
}

/** See `CommandSpec.keys`. */
export type KeyPositions = readonly [first: number, last: number, step: number] | ((args: readonly unknown[]) => number[]);

export type CommandTable = Record<string, CommandSpec>;

/** The argument shaper a method's table entry may have: it must accept the method's parameters. */
type ShaperFor<F> = F extends (...a: infer P) => unknown ? (...a: P) => unknown[] : never;

/**
 * A family's runtime table: exactly one spec per method of its typed
 * interface, whose `args` shaper accepts that method's parameters. A method
 * declared in an interface is implemented by its table entry: the client and
 * the pipeline make their methods from the table (see the loops at the end of
 * client.ts and pipeline.ts), so go-to-definition lands on the interface.
 */
export type TableFor<I> = { [K in keyof I]: CommandSpec & { readonly args?: ShaperFor<I[K]> } };
