// The gatherer of coalescing: consecutive commands of one policy, issued in
// one tick on one connection, sent as one command (MGET for GETs); the reply
// is split back to each caller, in order, so nothing a caller sees changes:
// only what the server has to do. Which commands join, within which bounds,
// and how a reply splits is each command's CoalescePolicy (declared with the
// command table, src/commands/coalesce.ts): this file knows no command name.
import { ResponseError } from '../errors.js';
import type { Reply } from '../protocol/parser.js';
import { Command, type CoalescePolicy } from './command.js';

/** The most commands one group carries (a bound on one reply's size and on one caller's wait). */
export const MAX_COALESCED = 512;
/**
 * Commands in flight on the connection from which a command with a policy is
 * coalesced. Below it the server would sit idle while one MGET travels back
 * and forth (GET at 10 callers: 75k/s coalesced vs 121k/s sent one by one in
 * the recorded bench run of 06:07 UTC), and one by one keeps it busy.
 * Tests pass 0 (the `coalesceFrom` tuning option): every command with a
 * policy joins, with no size limit but MAX_COALESCED.
 */
export const COALESCE_FROM = 16;

/**
 * How many commands a new group may take when `pending` commands are in
 * flight: half of them (2 to MAX_COALESCED), so more than one is in flight
 * and the server works on one while the client reads another (half measured
 * ahead of a quarter at 100 and 1,000 callers, 2 runs each, 06:22 UTC);
 * MAX_COALESCED when `from` is 0.
 */
export function groupLimit(pending: number, from: number): number {
  if (from === 0) return MAX_COALESCED;
  return Math.max(2, Math.min(MAX_COALESCED, pending >> 1));
}

/**
 * One group standing for its members on the connection's queue: the
 * connection writes, times out and fails it like any command, and it settles
 * each member with its own part of the reply (or the same failure).
 */
export class Coalesced extends Command {
  /** The commands it carries, in issue order. */
  members: Command[];
  /** The connection's `bigIntegers: 'error'` (the policy's split reads it). */
  bigIntErrors = false;
  /** Called once when it settles (the connection's count of commands in flight). */
  onSettle: ((members: number) => void) | null = null;
  /** The most members it takes (groupLimit at its opening). */
  private readonly limit: number;

  constructor(
    readonly policy: CoalescePolicy,
    first: Command,
    limit: number = MAX_COALESCED,
  ) {
    // Named like its members (errors built from it name GET, SET or the method's name).
    super(first.name, [], null, first.returnBuffers, policy.into);
    this.members = [first];
    this.limit = limit;
  }

  /** Whether `cmd` can join: same policy, same command, same reply mode, the policy's same group, room left. */
  accepts(cmd: Command): boolean {
    const policy = this.policy;
    return (
      cmd.coalesce === policy &&
      this.name === cmd.name &&
      this.returnBuffers === cmd.returnBuffers &&
      this.members.length < this.limit &&
      (policy.sameGroup === undefined || policy.sameGroup((this.members[0] as Command).args, cmd.args))
    );
  }

  /**
   * Drops the members settled while it waited unwritten (an aborted caller),
   * fills in the arguments from those left and sets `weight`; returns how
   * many were dropped. Called when it is written, and again before it is
   * re-sent after a reconnect (`onSettle` then gets the count left).
   */
  prune(): number {
    let live = this.members;
    for (let i = 0; i < live.length; i++) {
      if ((live[i] as Command).settled) {
        live = live.filter((c) => !c.settled);
        break;
      }
    }
    const dropped = this.members.length - live.length;
    this.members = live;
    const args = this.args as unknown[];
    args.length = 0;
    if (this.policy.args !== undefined) {
      for (const a of this.policy.args(live)) args.push(a);
    } else {
      for (const m of live) for (let i = 0; i < m.args.length; i++) args.push(m.args[i]);
    }
    this.weight = live.length;
    return dropped;
  }

  /**
   * Gives its members back to be sent one by one (a group never written,
   * about to go to a server not known to take it): it settles without
   * settling them and returns those still waiting, in issue order.
   */
  disband(): Command[] {
    this.settled = true;
    this.onSettle?.(this.members.length);
    return this.members.filter((m) => !m.settled);
  }

  override reply(value: Reply): void {
    if (this.settled) return;
    this.settled = true;
    this.onSettle?.(this.members.length);
    const members = this.members;
    for (const m of members) m.written = true;
    if (value instanceof ResponseError) {
      // Each caller gets an error of its own, named by its command.
      for (const m of members) m.reply(new ResponseError(value.serverMessage));
      return;
    }
    this.policy.split(value, members, this);
  }

  override reject(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.onSettle?.(this.members.length);
    const members = this.members;
    for (let i = 0; i < members.length; i++) {
      const m = members[i] as Command;
      m.written = this.written;
      // Each caller gets an error object of its own (same class, message and fields).
      m.reject(i === 0 ? error : copyOf(error));
    }
  }
}

function copyOf(error: Error): Error {
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Error;
  Object.defineProperties(copy, Object.getOwnPropertyDescriptors(error));
  return copy;
}
