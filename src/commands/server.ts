// Server commands: PING, ECHO, INFO, FLUSH*, TIME, CONFIG, AUTH. SELECT and
// QUIT change or end the connection under every caller sharing it, so they
// are not table commands: see Ledis.select / Ledis.db and Ledis.quit.
import { DataError } from '../errors.js';
import type { Reply } from '../protocol/parser.js';
import { describe, keyedObject, pairsToObject, toBool, toInt, toList, unexpected, bulkReply, statusReply } from './shape.js';
import type { Out, Str, TableFor, Value } from './types.js';

/**
 * INFO's reply as ledis-py returns it: one flat mapping of every field of
 * every section (`{ os: 'linux', role: 'master', ... }`), numbers where a
 * field is numeric. A null-prototype object (keys come from the server).
 */
export type InfoReply = Record<string, string | number>;
/** INFO by section: `{ server: { os: 'linux', ... }, replication: { role: 'master', ... } }` (section names lower case). */
export type InfoSectionsReply = Record<string, Record<string, string | number>>;

export interface ServerCommands<S extends Str, M> {
  /** True when the server answers PONG. */
  ping(): Out<M, boolean>;
  echo(value: Value): Out<M, S>;
  /** INFO parsed into sections of fields (section names in lower case). */
  info(section?: string): Out<M, InfoReply>;
  /** INFO kept in its sections (`infoSections().replication.role`), section names in lower case. */
  infoSections(section?: string): Out<M, InfoSectionsReply>;
  /** Deletes every key of every type in this client's db. */
  flushdb(): Out<M, 'OK'>;
  /** Deletes every key in every db (and the replication log; a replica restarts its sync). */
  flushall(): Out<M, 'OK'>;
  /** The server's clock: `[unix seconds, microseconds within that second]`. */
  time(): Out<M, [seconds: number, microseconds: number]>;
  /** Rewrites the config file the server was started with (comments are lost); fails if it has none. */
  configRewrite(): Out<M, boolean>;
  /** CONFIG GET: LedisDB answers only `databases` (`{ databases: '16' }`); anything else gives `{}`. */
  configGet(parameter: string): Out<M, Record<string, string>>;
  /**
   * Client: tries the password on a connection of its own first; a wrong one
   * rejects with the server's ResponseError and affects no one. An accepted
   * one becomes the client's password, sent on every shared connection now
   * and on every (re)connect; true. Prefer the `password` option. In a
   * pipeline: a DataError at once (AUTH would go out on a shared connection).
   */
  auth(password: string): Out<M, boolean>;
}

/**
 * SELECT, and XSELECT (which, measured on d35789e, leaves the connection in
 * the other db after its one command), would move every caller sharing the
 * connection to another db, and a reconnect would silently move them back.
 * AUTH with a wrong password leaves the connection unauthenticated for every
 * later command on it (measured). QUIT closes the connection under every
 * command queued behind it. sendCommand and pipelines refuse them;
 * `ledis.db(n)` / `ledis.select(n)`, `ledis.auth(password)` and
 * `ledis.quit()` are the way.
 */
export function refuseSharedState(name: string): DataError | null {
  const upper = typeof name === 'string' ? name.toUpperCase() : '';
  if (upper === 'AUTH') {
    return new DataError('would change the authentication of a connection other callers share; use ledis.auth(password) or the password option', upper);
  }
  if (upper === 'QUIT') {
    return new DataError('would close a connection other callers share; use ledis.quit()', upper);
  }
  if (upper !== 'SELECT' && upper !== 'XSELECT') return null;
  return new DataError('would change the db of a connection other callers share; use ledis.db(n) or ledis.select(n)', upper);
}

/**
 * The name of a raw command (sendCommand), upper case: a non-empty string,
 * not one that changes a shared connection's state. Throws DataError.
 */
export function commandName(name: unknown): string {
  if (typeof name !== 'string' || name === '') {
    throw new DataError(`the command name must be a non-empty string, got ${describe(name)}`, 'sendCommand');
  }
  const refused = refuseSharedState(name);
  if (refused !== null) throw refused;
  return name.toUpperCase();
}

/** A field's value: a number where the whole text is one (and safe), else the text. */
function infoValue(value: string): string | number {
  return /^-?\d+(\.\d+)?$/.test(value) && Number.isSafeInteger(Math.trunc(Number(value))) ? Number(value) : value;
}

/** INFO text as one flat mapping, as ledis-py's parse_info: section headers skipped, a later field of the same name wins. */
export function parseInfoFlat(r: Reply): InfoReply {
  if (r !== null && typeof r !== 'string' && !Buffer.isBuffer(r)) throw unexpected('INFO text', r);
  const out: InfoReply = keyedObject();
  for (const raw of (r === null ? '' : r.toString()).split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) out[line.slice(0, colon)] = infoValue(line.slice(colon + 1));
  }
  return out;
}

/** INFO's text → sections of fields, every object with a null prototype (keys are server data). */
export function parseInfo(r: Reply): InfoSectionsReply {
  if (r !== null && typeof r !== 'string' && !Buffer.isBuffer(r)) throw unexpected('INFO text', r);
  const text = r === null ? '' : r.toString();
  const out: InfoSectionsReply = keyedObject();
  let section: Record<string, string | number> = keyedObject();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      section = keyedObject();
      out[line.slice(1).trim().toLowerCase()] = section;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const value = line.slice(colon + 1);
    section[line.slice(0, colon)] = infoValue(value);
  }
  return out;
}

function infoArgs(section?: string): unknown[] {
  if (section === undefined) return [];
  if (typeof section !== 'string') throw new DataError('section must be a string', 'INFO');
  return [section];
}

export const serverCommands = {
  ping: { command: 'PING', reply: toBool },
  echo: { command: 'ECHO', reply: bulkReply },
  info: { command: 'INFO', stringReply: true, args: infoArgs, reply: parseInfoFlat },
  infoSections: { command: 'INFO', stringReply: true, args: infoArgs, reply: parseInfo },
  flushdb: { command: 'FLUSHDB', reply: statusReply, allKeys: true, stringReply: true },
  flushall: { command: 'FLUSHALL', reply: statusReply, allKeys: true, stringReply: true },
  time: {
    command: 'TIME',
    reply: (r: Reply) => {
      const list = toList(r);
      if (list.length !== 2) throw unexpected('[seconds, microseconds]', r);
      return [toInt(list[0] as Reply), toInt(list[1] as Reply)];
    },
  },
  configRewrite: { command: 'CONFIG', args: () => ['REWRITE'], reply: toBool },
  configGet: {
    command: 'CONFIG',
    stringReply: true,
    args: (parameter: string) => {
      if (typeof parameter !== 'string' || parameter === '') throw new DataError('parameter must be a non-empty string', 'CONFIG GET');
      return ['GET', parameter];
    },
    reply: pairsToObject,
  },
  auth: {
    command: 'AUTH',
    // The client's auth() is its own method (auth.ts); in a pipeline, AUTH would go out on a shared connection.
    args: (password: string) => {
      if (typeof password !== 'string') throw new DataError('password must be a string', 'AUTH');
      throw refuseSharedState('AUTH') as DataError;
    },
    reply: toBool,
  },
} satisfies TableFor<ServerCommands<Str, unknown>>;
