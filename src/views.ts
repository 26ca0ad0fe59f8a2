// Per-call options for a view of a client (`ledis.withOptions({ signal, timeout })`),
// as node-redis's AbortSignal support and ioredis's per-command timeout give.
// The view shares the client's connections; these options act on each
// command it sends, between the caller and the queue.
import type { Command } from './connection/command.js';
import { AbortError, DataError, TimeoutError } from './errors.js';
import { describe } from './commands/shape.js';
import { callDeadline } from './connection/deadlines.js';

export interface CallOptions {
  /**
   * Aborts the view's commands: one not yet written is taken off the queue
   * and rejects with an AbortError (`mayHaveRun: false`); one already written
   * rejects with an AbortError (`mayHaveRun: true`) and its reply, when it
   * comes, is read and dropped, so the connection stays in step.
   */
  signal?: AbortSignal;
  /**
   * ms each command may wait for its reply, counted from when it is issued,
   * instead of the client's commandTimeout; then a TimeoutError (the late
   * reply is read and dropped).
   */
  timeout?: number;
}

/** Checks withOptions' argument before any command is sent. */
export function checkCallOptions(options: unknown): CallOptions {
  if (options === null || typeof options !== 'object') throw new DataError(`options must be { signal?, timeout? }, got ${describe(options)}`, 'withOptions');
  const { signal, timeout, ...rest } = options as CallOptions & Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new DataError(`unknown option ${unknown[0]} (known: signal, timeout)`, 'withOptions');
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw new DataError(`signal must be an AbortSignal, got ${describe(signal)}`, 'withOptions');
  if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout <= 0)) {
    throw new DataError(`timeout must be a positive whole number of ms, got ${describe(timeout)}`, 'withOptions');
  }
  return { signal, timeout };
}

/**
 * Arms `options` on a command about to be sent; `p` is its promise. Call
 * before sending: an already aborted signal rejects it at once, and the
 * connection never writes a settled command.
 */
export function armCall(cmd: Command, p: Promise<unknown>, options: CallOptions): void {
  const { signal, timeout } = options;
  if (signal !== undefined) {
    if (signal.aborted) {
      cmd.reject(abortError(cmd, signal));
      return;
    }
    const off = onAbortOf(signal, () => cmd.reject(abortError(cmd, signal)));
    p.then(off, off);
  }
  if (timeout !== undefined) {
    // A longer timeout than commandTimeout: the connection keeps this deadline instead of its own.
    cmd.deadline = callDeadline(timeout, Date.now());
    const timer = setTimeout(() => {
      cmd.reject(new TimeoutError(`no reply to ${cmd.name} within ${timeout} ms (withOptions timeout)`, cmd.name));
    }, timeout);
    const clear = (): void => clearTimeout(timer);
    p.then(clear, clear);
  }
}

/** The commands waiting on each signal: one 'abort' listener per signal, however many commands use it. */
const waiting = new WeakMap<AbortSignal, Set<() => void>>();

/** Runs `fn` when `signal` aborts; returns the function that forgets it. The signal's listener goes when its last command does. */
function onAbortOf(signal: AbortSignal, fn: () => void): () => void {
  let set = waiting.get(signal);
  if (set === undefined) {
    const fns = new Set<() => void>();
    set = fns;
    waiting.set(signal, fns);
    const fire = (): void => {
      waiting.delete(signal);
      for (const f of fns) f();
      fns.clear();
    };
    signal.addEventListener('abort', fire, { once: true });
    listeners.set(fns, fire);
  }
  const fns = set;
  fns.add(fn);
  return () => {
    if (!fns.delete(fn) || fns.size > 0) return;
    const fire = listeners.get(fns);
    if (fire !== undefined && waiting.get(signal) === fns) {
      waiting.delete(signal);
      signal.removeEventListener('abort', fire);
    }
  };
}
const listeners = new WeakMap<Set<() => void>, () => void>();

function abortError(cmd: Command, signal: AbortSignal): AbortError {
  const written = cmd.written;
  return new AbortError(
    written
      ? `${cmd.name} was aborted after it was written: the server may run it; its reply will be dropped`
      : `${cmd.name} was aborted before it was written: it was not sent`,
    { cause: signal.reason, command: cmd.name, mayHaveRun: written },
  );
}
