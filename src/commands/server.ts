// Server commands: PING, ECHO, INFO, FLUSH*, TIME, CONFIG, AUTH. SELECT and
// QUIT change or end the connection under every caller sharing it, so they
// are not table commands: see Ledis.select / Ledis.db and Ledis.quit.
import { DataError } from '../errors.js';
import type { Reply } from '../protocol/parser.js';
import { pairsToObject, toBool, toInt } from './shape.js';
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
  /** INFO as ledis-py's one flat mapping of fields (`info().role`); `section` asks the server for one section only. */
  info(section?: string): Out<M, InfoReply>;
  /** INFO kept in its sections (`infoSections().replication.role`), section names in lower case. */
  infoSections(section?: string): Out<M, InfoSectionsReply>;
  /** Deletes every key of every type in this client's db; 'OK', as ledis-py returns. */
  flushdb(): Out<M, 'OK'>;
  /** Deletes every key in every db (and the replication log; a replica restarts its sync); 'OK', as ledis-py returns. */
  flushall(): Out<M, 'OK'>;
  /** The server's clock: `[unix seconds, microseconds within that second]`. */
  time(): Out<M, [seconds: number, microseconds: number]>;
  /** Rewrites the config file the server was started with (comments are lost); fails if it has none. */
  configRewrite(): Out<M, boolean>;
  /** CONFIG GET: LedisDB answers only `databases` (`{ databases: '16' }`); anything else gives `{}`. */
  configGet(parameter: string): Out<M, Record<string, string>>;
  /**
   * Sends AUTH on the one connection the command goes out on; true on success,
   * a ResponseError on a wrong password. To authenticate a client, give the
   * `password` option instead: it is sent on every (re)connect of every
   * connection, shared or dedicated.
   */
  auth(password: string): Out<M, boolean>;
}

/**
 * SELECT, and XSELECT (which, measured on d35789e, leaves the connection in
 * the other db after its one command), would move every caller sharing the
 * connection to another db, and a reconnect would silently move them back.
 * sendCommand refuses them; `ledis.db(n)` / `ledis.select(n)` are the way.
 */
export function refuseSharedState(name: string): DataError | null {
  const upper = typeof name === 'string' ? name.toUpperCase() : '';
  if (upper !== 'SELECT' && upper !== 'XSELECT') return null;
  return new DataError('would change the db of a connection other callers share; use ledis.db(n) or ledis.select(n)', upper);
}

/** A field's value: a number where the whole text is one (and safe), else the text. */
function infoValue(value: string): string | number {
  return /^-?\d+(\.\d+)?$/.test(value) && Number.isSafeInteger(Math.trunc(Number(value))) ? Number(value) : value;
}

/** INFO text as one flat mapping, as ledis-py's parse_info: section headers skipped, a later field of the same name wins. */
export function parseInfoFlat(r: Reply): InfoReply {
  const out: InfoReply = Object.create(null);
  for (const raw of (r === null ? '' : String(r)).split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) out[line.slice(0, colon)] = infoValue(line.slice(colon + 1));
  }
  return out;
}

export function parseInfo(r: Reply): InfoSectionsReply {
  const text = r === null ? '' : String(r);
  const out: InfoSectionsReply = Object.create(null);
  let section: Record<string, string | number> = Object.create(null);
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      section = Object.create(null);
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
  echo: { command: 'ECHO' },
  info: { command: 'INFO', stringReply: true, args: infoArgs, reply: parseInfoFlat },
  infoSections: { command: 'INFO', stringReply: true, args: infoArgs, reply: parseInfo },
  flushdb: { command: 'FLUSHDB', allKeys: true, stringReply: true },
  flushall: { command: 'FLUSHALL', allKeys: true, stringReply: true },
  time: { command: 'TIME', reply: (r: Reply) => (Array.isArray(r) ? r.map(toInt) : r) },
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
    args: (password: string) => {
      if (typeof password !== 'string') throw new DataError('password must be a string', 'AUTH');
      return [password];
    },
    reply: toBool,
  },
} satisfies TableFor<ServerCommands<Str, unknown>>;
