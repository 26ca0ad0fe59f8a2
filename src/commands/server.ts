// Server commands: PING, ECHO, INFO, SELECT, FLUSH*, TIME, CONFIG, AUTH, QUIT.
import { DataError } from '../errors.js';
import type { Reply } from '../protocol/parser.js';
import { toBool } from './shape.js';
import type { Out, Str, TableFor, Value } from './types.js';

/** INFO's reply: `{ server: { os: 'linux', ... }, ... }`, numbers where a field is numeric. */
export type InfoReply = Record<string, Record<string, string | number>>;

export interface ServerCommands<S extends Str, M> {
  /** True when the server answers PONG. */
  ping(): Out<M, boolean>;
  echo(value: Value): Out<M, S>;
  /** INFO parsed into sections of fields (section names in lower case). */
  info(section?: string): Out<M, InfoReply>;
}

export function parseInfo(r: Reply): InfoReply {
  const text = r === null ? '' : String(r);
  const out: InfoReply = {};
  let section: Record<string, string | number> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      section = {};
      out[line.slice(1).trim().toLowerCase()] = section;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const value = line.slice(colon + 1);
    section[line.slice(0, colon)] = /^-?\d+(\.\d+)?$/.test(value) && Number.isSafeInteger(Math.trunc(Number(value))) ? Number(value) : value;
  }
  return out;
}

export const serverCommands = {
  ping: { command: 'PING', reply: toBool },
  echo: { command: 'ECHO' },
  info: {
    command: 'INFO',
    stringReply: true,
    args: (section?: string) => {
      if (section === undefined) return [];
      if (typeof section !== 'string') throw new DataError('section must be a string', 'INFO');
      return [section];
    },
    reply: parseInfo,
  },
} satisfies TableFor<ServerCommands<Str, unknown>>;
