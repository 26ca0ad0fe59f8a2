// Consecutive GETs (or SETs, single-key DELs, HGETs of one hash) issued in
// one tick on one connection, sent as one MGET (MSET, DEL, HMGET). LedisDB answers every command with a write(2) and a flush
// of its own (server/client.go, perform), which is most of what one
// connection costs it per command (bench/NOTES.md); one MGET of n keys costs
// one. The reply is split back to each caller, in order, so nothing a caller
// sees changes: only what the server has to do.
import { DataError, UnexpectedReplyError, ResponseError } from '../errors.js';
import type { Reply } from '../protocol/parser.js';
import { Command } from './command.js';

/** LedisDB's key size bounds (ledis/const.go MaxKeySize, checkKeySize: 1 to 1024 bytes). */
const MAX_KEY_BYTES = 1024;
/** LedisDB's value size bound (ledis/const.go MaxValueSize: 1 GiB). */
const MAX_VALUE_BYTES = 1024 * 1024 * 1024;
/** The most commands one MGET or MSET carries (a bound on one reply's size and on one caller's wait). */
export const MAX_COALESCED = 512;
/**
 * Commands in flight on the connection from which a GET or SET is coalesced.
 * Below it the server would sit idle while one MGET travels back and forth
 * (GET at 10 callers: 75k/s coalesced vs 121k/s sent one by one in the
 * recorded bench run of 06:07 UTC), and one by one keeps it busy.
 */
export const COALESCE_FROM = 16;

/**
 * @internal The threshold in use (tests of what a coalesced command does set
 * `from` to 0: every coalescible command joins, with no size limit but
 * MAX_COALESCED), and `anyServer`: those tests also coalesce without asking
 * the server what it is first (as `coalesce: true` does), on scripted peers too.
 */
export const coalesceTuning = { from: COALESCE_FROM, anyServer: false };

/**
 * How many commands a new MGET or MSET may take when `pending` commands are
 * in flight: half of them (2 to MAX_COALESCED), so more than one is in
 * flight and the server works on one while the client reads another (half
 * measured ahead of a quarter at 100 and 1,000 callers, 2 runs each, 06:22 UTC).
 */
export function groupLimit(pending: number): number {
  if (coalesceTuning.from === 0) return MAX_COALESCED;
  return Math.max(2, Math.min(MAX_COALESCED, pending >> 1));
}

/**
 * The command a coalescible one joins (MGET for GET, MSET for SET), or null.
 * Only commands the server cannot refuse key by key qualify: a key of 1 to
 * 1024 bytes, a value of at most 1 GiB, given as a string, a Buffer or (a
 * SET's value) a number. Anything else is sent as it is, so its own error
 * reaches only its own caller. LedisDB's MSET applies its pairs in one batch
 * and SET in a batch of one (ledis/t_kv.go), neither touching a TTL: the
 * same effect as the SETs one after the other.
 */
export function coalescible(cmd: Command): GroupWire | null {
  const wire = cmd.wire;
  const args = cmd.args;
  if (wire === 'GET') return args.length === 1 && keyFits(args[0]) ? 'MGET' : null;
  if (wire === 'SET') return args.length === 2 && keyFits(args[0]) && valueFits(args[1]) ? 'MSET' : null;
  // LedisDB's DEL deletes its keys in one batch commit and answers the number of keys it was given,
  // whether they existed or not (ledis/t_kv.go Del: `return int64(len(keys))`): DEL of one key is
  // always 1, so n single-key DELs are one DEL of n keys, each caller's reply 1.
  if (wire === 'DEL') return args.length === 1 && keyFits(args[0]) ? 'DEL' : null;
  // HGET and HMGET both check each field against the key (ledis/t_hash.go checkHashKFSize: key 1 to
  // 1024 bytes, field 1 to 1024) and read each field's value or nil; HGETs of one hash key join one HMGET.
  if (wire === 'HGET') return args.length === 2 && keyFits(args[0]) && keyFits(args[1]) ? 'HMGET' : null;
  return null;
}

/** The command a group is sent as. */
export type GroupWire = 'MGET' | 'MSET' | 'DEL' | 'HMGET';

function keyFits(key: unknown): boolean {
  if (typeof key === 'string') {
    const n = key.length;
    // At most 3 UTF-8 bytes per UTF-16 unit: up to 341 units always fits.
    return n > 0 && (n <= 341 || Buffer.byteLength(key) <= MAX_KEY_BYTES);
  }
  return Buffer.isBuffer(key) && key.length > 0 && key.length <= MAX_KEY_BYTES;
}

function valueFits(value: unknown): boolean {
  if (typeof value === 'string') return value.length <= MAX_VALUE_BYTES / 3 || Buffer.byteLength(value) <= MAX_VALUE_BYTES;
  if (Buffer.isBuffer(value)) return value.length <= MAX_VALUE_BYTES;
  return typeof value === 'number';
}

/**
 * One MGET or MSET standing for its members on the connection's queue: the
 * connection writes, times out and fails it like any command, and it settles
 * each member with its own part of the reply (or the same failure).
 */
export class Coalesced extends Command {
  /** The GETs or SETs it carries, in issue order. */
  members: Command[];
  /** The connection's `bigIntegers: 'error'`: a GET's value past Number.MAX_SAFE_INTEGER rejects, as its own reply would. */
  bigIntErrors = false;
  /** Called once when it settles (the connection's count of commands in flight). */
  onSettle: ((members: number) => void) | null = null;
  /** The most members it takes (groupLimit at its opening). */
  private readonly limit: number;

  constructor(wire: GroupWire, first: Command, limit: number = MAX_COALESCED) {
    // Named like its members (errors built from it name GET, SET or the method's name).
    super(first.name, [], null, first.returnBuffers, wire);
    this.members = [first];
    this.limit = limit;
  }

  /** Whether `cmd` (coalescible into `wire`) can join: same command, same reply mode, room left. */
  accepts(cmd: Command, wire: GroupWire): boolean {
    if (this.wire !== wire || this.name !== cmd.name || this.returnBuffers !== cmd.returnBuffers || this.members.length >= this.limit) return false;
    // An HMGET reads one hash: only HGETs of the same key join it.
    return wire !== 'HMGET' || sameKey((this.members[0] as Command).args[0], cmd.args[0]);
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
    if (this.wire === 'HMGET') {
      // HMGET key field...: the key once, then each HGET's field.
      if (live.length > 0) args.push((live[0] as Command).args[0]);
      for (const m of live) args.push(m.args[1]);
    } else {
      for (const m of live) for (let i = 0; i < m.args.length; i++) args.push(m.args[i]);
    }
    this.weight = live.length;
    return dropped;
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
    if (this.wire === 'MSET') {
      // LedisDB's MSET answers OK or an error (server/cmd_kv.go msetCommand); anything else is not
      // passed on as each SET's reply (an integer would read as a SET's false, one array would reach every caller).
      if (value === 'OK') {
        for (const m of members) m.reply(value);
      } else if (Buffer.isBuffer(value) && value.length === 2 && value[0] === 0x4f && value[1] === 0x4b) {
        // A Buffer of its own for each caller.
        for (const m of members) m.reply(Buffer.from(value));
      } else {
        for (const m of members) m.reject(new UnexpectedReplyError(`MSET of ${members.length} pairs (for ${m.name}) answered with ${describe(value)}, not OK`, m.name));
      }
      return;
    }
    if (this.wire === 'DEL') {
      // One DEL of n keys answers n on LedisDB (see coalescible): each caller's DEL of one key, 1.
      if (value === members.length) {
        for (const m of members) m.reply(1);
      } else {
        for (const m of members) m.reject(new UnexpectedReplyError(`DEL of ${members.length} keys (for ${m.name}) answered with ${describe(value)}, not ${members.length}`, m.name));
      }
      return;
    }
    if (!Array.isArray(value) || value.length !== members.length) {
      const got = describe(value);
      for (const m of members) {
        m.reject(new UnexpectedReplyError(`${this.wire} of ${members.length} keys (for ${m.name}) answered with ${got}`, m.name));
      }
      return;
    }
    for (let i = 0; i < members.length; i++) {
      const m = members[i] as Command;
      const v = value[i] as Reply;
      if (typeof v === 'bigint' && this.bigIntErrors) m.reject(new DataError(`integer reply ${v} is beyond Number.MAX_SAFE_INTEGER`, m.name));
      else m.reply(v);
    }
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

/** Whether two key arguments are the same key (a string and a Buffer of the same UTF-8 bytes are). */
function sameKey(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  const x = typeof a === 'string' ? Buffer.from(a) : (a as Buffer);
  const y = typeof b === 'string' ? Buffer.from(b) : (b as Buffer);
  return x.equals(y);
}

/** A reply's kind for a message (never its content: it may be anyone's data). */
function describe(value: Reply): string {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'nil';
  if (Buffer.isBuffer(value)) return 'a bulk or status of ' + value.length + ' bytes';
  return typeof value === 'string' ? 'a bulk or status of ' + Buffer.byteLength(value) + ' bytes' : typeof value;
}

function copyOf(error: Error): Error {
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Error;
  Object.defineProperties(copy, Object.getOwnPropertyDescriptors(error));
  return copy;
}
