import type { CommandQueue } from './queue.js';
import type { Command } from './command.js';

// A command's deadline (a Date.now() time in ms, 0 for none), computed here
// only, at each step of its way: issued with a per-call timeout, queued
// while offline, written, sent again after a reconnect, put back unwritten
// after a loss. The connection decides when a step happens; these say what
// the deadline becomes.

/** withOptions' `timeout` (ms): it replaces commandTimeout for this command, counted from now. */
export function callDeadline(timeout: number, now: number): number {
  return now + timeout;
}

/** Queued while not connected: a deadline set by the caller stands; otherwise commandTimeout, or offlineTimeout. */
export function queuedDeadline(cmd: Command, commandTimeout: number, offlineTimeout: number, now: number): number {
  return cmd.deadline !== 0 ? cmd.deadline : now + (commandTimeout || offlineTimeout);
}

/** Written with no deadline yet: commandTimeout (> 0) plus what the server may hold it for (a blocking pop's own timeout). */
export function writtenDeadline(cmd: Command, commandTimeout: number, now: number): number {
  return now + commandTimeout + cmd.blockMs;
}

/**
 * Written after waiting offline: a command timeout counts from when it was
 * issued (plus the server's own hold); offlineTimeout only while offline, so
 * none without commandTimeout. -1: it ran out before it could be sent.
 */
export function resentDeadline(cmd: Command, commandTimeout: number, now: number): number {
  if (commandTimeout === 0) return 0;
  return cmd.deadline > now ? cmd.deadline + cmd.blockMs : -1;
}

/** Put back unwritten after a loss: issued while ready with no deadline, it now waits offlineTimeout at most. */
export function requeuedDeadline(cmd: Command, offlineTimeout: number, now: number): number {
  return cmd.deadline === 0 ? now + offlineTimeout : cmd.deadline;
}

/**
 * A connection's one deadline timer. When it fires, the check is deferred
 * with setImmediate: timers run before the event loop's poll phase, so a
 * check made right away would judge commands whose replies are already in
 * the socket's buffer, unread. After the poll phase has read them, those
 * commands are answered and only the rest time out.
 */
export class DeadlineTimer {
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private at = 0;
  private readonly check: () => void;

  /** `check` runs after the I/O that was ready when the earliest armed deadline passed. */
  constructor(check: () => void) {
    this.check = check;
  }

  /** Makes sure a check runs at `at` (Date.now() ms) or earlier; 0 and Infinity mean never. */
  arm(at: number): void {
    if (at <= 0 || at === Infinity) return;
    // A check is about to run: it arms the next deadline itself.
    if (this.immediate !== null) return;
    if (this.timer !== null) {
      if (this.at <= at) return;
      clearTimeout(this.timer);
    }
    this.at = at;
    this.timer = setTimeout(fire, Math.max(0, at - Date.now()) + 1, this);
  }

  get armed(): boolean {
    return this.timer !== null || this.immediate !== null;
  }

  clear(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }

  /** @internal */
  fired(): void {
    this.timer = null;
    this.immediate = setImmediate(runCheck, this);
  }

  /** @internal */
  run(): void {
    this.immediate = null;
    this.check();
  }
}

function fire(t: DeadlineTimer): void {
  t.fired();
}

function runCheck(t: DeadlineTimer): void {
  t.run();
}

/**
 * The shortest silence (ms) that gets a connection recycled as stalled, when
 * commandTimeout is shorter: a 2 ms timeout should fail commands in 2 ms,
 * not drop the socket (and every other caller's commands) whenever the
 * server pauses that long.
 */
export const MIN_STALL_MS = 100;

/** How long a connection may make no progress before it is recycled, for a given commandTimeout. */
export function stallWindow(commandTimeout: number): number {
  return commandTimeout > MIN_STALL_MS ? commandTimeout : MIN_STALL_MS;
}

/**
 * Rejects, with `timedOut(cmd)`, the written commands whose deadline has
 * passed. Returns the last of them that saw no socket read at all since it
 * was written while nothing was read for `window` ms either (a stalled
 * stream), or null.
 */
export function expireWritten(
  queue: CommandQueue<Command>,
  now: number,
  reads: number,
  lastReadAt: number,
  window: number,
  timedOut: (cmd: Command) => Error,
): Command | null {
  let stalled: Command | null = null;
  // Written commands share one timeout, so their deadlines rise along the queue.
  for (let i = 0; i < queue.length; i++) {
    const cmd = queue.peekAt(i) as Command;
    if (cmd.deadline === 0 || cmd.settled) continue;
    if (cmd.deadline > now) break;
    cmd.reject(timedOut(cmd));
    if (cmd.readMark === reads && now - lastReadAt >= window) stalled = cmd;
  }
  return stalled;
}

/** Removes the unwritten commands whose wait has run out, rejecting each with `gaveUp(cmd)`. */
export function expireOffline(offline: CommandQueue<Command>, now: number, gaveUp: (cmd: Command) => Error): void {
  while (offline.length > 0) {
    const cmd = offline.peekFront() as Command;
    if (!cmd.settled && cmd.deadline > now) break;
    offline.shift();
    if (!cmd.settled) cmd.reject(gaveUp(cmd));
  }
}

/** The earliest deadline still ahead among written and unwritten commands and `also` (0 for none), or 0. */
export function nextDeadline(queue: CommandQueue<Command>, offline: CommandQueue<Command>, also: number): number {
  let next = also;
  for (let i = 0; i < queue.length; i++) {
    const cmd = queue.peekAt(i) as Command;
    if (cmd.deadline > 0 && !cmd.settled) {
      if (next === 0 || cmd.deadline < next) next = cmd.deadline;
      break;
    }
  }
  const off = offline.peekFront();
  if (off !== undefined && (next === 0 || off.deadline < next)) next = off.deadline;
  return next;
}

/**
 * Watches the head of the queue once it has timed out: stuck when no reply
 * at all has completed for a whole window since that was first seen (its
 * reply is endless or never comes, and every command behind it waits).
 * While replies keep completing it is never stuck.
 */
export class HeadWatch {
  private mark = 0;
  /** When the head was first seen overdue with `mark` replies read; 0 when not watching. */
  since = 0;

  stuck(head: Command | undefined, replies: number, now: number, window: number): boolean {
    if (head === undefined || !head.settled) {
      this.since = 0;
      return false;
    }
    if (this.since === 0 || this.mark !== replies) {
      this.mark = replies;
      this.since = now;
      return false;
    }
    return now - this.since >= window;
  }
}
