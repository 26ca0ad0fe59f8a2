/** Every error this driver raises is a LedisError. */
export class LedisError extends Error {
  override name = 'LedisError';
}

/**
 * The connection failed, was lost, or could not be used. `mayHaveRun` tells
 * whether the command had been written to the socket before the loss: if so,
 * the server may or may not have executed it.
 */
export class ConnectionError extends LedisError {
  override name = 'ConnectionError';
  command: string | undefined;
  mayHaveRun: boolean;
  constructor(message: string, options?: { cause?: unknown; command?: string; mayHaveRun?: boolean }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.command = options?.command;
    this.mayHaveRun = options?.mayHaveRun ?? false;
  }
}

/** One shard's part of a write split over shards (see SplitWriteError). */
export interface SplitWritePart {
  /** Index of the shard in the `shards` option. */
  shard: number;
  /** The keys of this part, as the caller gave them. */
  keys: unknown[];
  /** True: the shard answered (its part was applied). False: it failed; see `error` and `mayHaveRun`. */
  applied: boolean;
  /** For a failed part: whether it was written before the failure (then it may have been applied). */
  mayHaveRun: boolean;
  /** Why the part failed. */
  error?: Error;
}

/**
 * A write whose keys span shards (MSET, DEL, *MCLEAR on a sharded client)
 * failed on some shard after or while other shards applied their part: the
 * command ran in part. `parts` says, shard by shard, which keys were applied;
 * `mayHaveRun` is always true. It is a ConnectionError when every failed part
 * failed for its connection (a shard down), as a whole-command loss would be.
 */
export class SplitWriteError extends ConnectionError {
  override name = 'SplitWriteError';
  readonly parts: SplitWritePart[];
  constructor(message: string, command: string, parts: SplitWritePart[], cause: unknown) {
    super(message, { cause, command, mayHaveRun: true });
    this.parts = parts;
  }
}

/** A connect, command or pool-checkout deadline passed. */
export class TimeoutError extends LedisError {
  override name = 'TimeoutError';
  command: string | undefined;
  constructor(message: string, command?: string) {
    super(message);
    this.command = command;
  }
}

/** The server answered with an error reply; the connection goes on. */
export class ResponseError extends LedisError {
  override name = 'ResponseError';
  /** The command that got the error reply, upper case (set by the connection). */
  command: string | undefined;
  /** The server's text, as sent (LedisDB sends no "ERR" prefix). */
  serverMessage: string;
  constructor(serverMessage: string, command?: string) {
    super(command ? `${command}: ${serverMessage}` : serverMessage);
    this.serverMessage = serverMessage;
    this.command = command;
  }
  /**
   * Called once the command that got this reply is known. `prefixed` false
   * (the compat faces): the message stays the server's text, as ioredis's
   * ReplyError and node-redis's ErrorReply have it (libraries test
   * `message.startsWith('NOSCRIPT')`).
   */
  setCommand(command: string, prefixed = true): void {
    this.command = command;
    this.message = prefixed ? `${command}: ${this.serverMessage}` : this.serverMessage;
  }
}

/**
 * The caller's AbortSignal fired (`ledis.withOptions({ signal })`). With
 * `mayHaveRun: false` the command was taken off the queue before it was
 * written; with `true` it had been written, so the server may run it (its
 * reply is read and dropped). `cause` is the signal's reason.
 */
export class AbortError extends LedisError {
  override name = 'AbortError';
  command: string | undefined;
  mayHaveRun: boolean;
  constructor(message: string, options: { cause?: unknown; command?: string; mayHaveRun: boolean }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.command = options.command;
    this.mayHaveRun = options.mayHaveRun;
  }
}

/** Bad input, refused before anything was sent. */
export class DataError extends LedisError {
  override name = 'DataError';
  command: string | undefined;
  constructor(message: string, command?: string) {
    super(command ? `${command}: ${message}` : message);
    this.command = command;
  }
}

/** The byte stream from the server is not valid RESP; the connection is failed. */
export class ProtocolError extends LedisError {
  override name = 'ProtocolError';
}

/**
 * A reply whose shape the command's transform did not expect (HGETALL
 * answered with an integer, a nested array where a field name belongs...).
 * Only the command that got it fails; the connection and every other command
 * go on, since the stream itself was valid RESP. Not a ProtocolError, which
 * means the connection was failed.
 */
export class UnexpectedReplyError extends LedisError {
  override name = 'UnexpectedReplyError';
  /** The command that got the reply, upper case, when known. */
  command: string | undefined;
  constructor(message: string, command?: string, options?: { cause?: unknown }) {
    super(command ? `${command}: ${message}` : message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.command = command;
    this.detail = message;
  }
  private readonly detail: string;
  /** Called once the command that got this reply is known. */
  setCommand(command: string): void {
    this.command = command;
    this.message = `${command}: ${this.detail}`;
  }
}

/** One or more commands of a pipeline failed; every result and error is kept by index. */
export class PipelineError extends LedisError {
  override name = 'PipelineError';
  /** `results[i]` is the value of command i, or undefined where it failed. */
  results: unknown[];
  /** `errors[i]` is the error of command i, or undefined where it succeeded. */
  errors: (Error | undefined)[];
  constructor(results: unknown[], errors: (Error | undefined)[]) {
    const failed = errors.reduce<number[]>((acc, e, i) => (e ? (acc.push(i), acc) : acc), []);
    const first = errors[failed[0] ?? 0];
    super(
      `${failed.length} of ${errors.length} pipelined commands failed (indexes ${failed.slice(0, 10).join(', ')}` +
        `${failed.length > 10 ? ', ...' : ''}); first: ${first?.message ?? 'unknown'}`,
    );
    this.results = results;
    this.errors = errors;
  }
}

/**
 * `err` as a LedisError: itself if it is one, else wrapped (as `Wrap`, with
 * the original as `cause`). Client methods reject only with LedisErrors.
 */
export function asLedisError(err: unknown, Wrap: new (message: string) => LedisError = LedisError): LedisError {
  if (err instanceof LedisError) return err;
  const e = new Wrap(err instanceof Error ? err.message.slice(0, 200) : `unexpected failure (${typeof err})`);
  Object.defineProperty(e, 'cause', { value: err, enumerable: false, configurable: true, writable: true });
  return e;
}
