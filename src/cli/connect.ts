// Connection flags shared by `ledis load` and `ledis export`, and the
// password prompt. The password never appears in output: not in messages,
// not in usage errors, not echoed while typed.
import { openSync } from 'node:fs';
import tty from 'node:tty';
import { Ledis, type LedisOptions } from '../client.js';
import { parseUrl } from '../url.js';
import { DataError } from '../errors.js';
import type { CliIO } from './io.js';

export const connectionFlags = {
  url: { type: 'string', short: 'u' },
  host: { type: 'string', short: 'h' },
  port: { type: 'string', short: 'p' },
  socket: { type: 'string', short: 's' },
  db: { type: 'string', short: 'n' },
  tls: { type: 'boolean' },
  password: { type: 'boolean', short: 'a' },
  connections: { type: 'string' },
  'connect-timeout': { type: 'string' },
} as const;

export const connectionHelp = `Connection:
  -u, --url URL            ledis://[:password@]host[:port][/db] or unix:///path.sock?db=N
  -h, --host HOST          default 127.0.0.1
  -p, --port PORT          default 6380
  -s, --socket PATH        unix socket instead of TCP
  -n, --db N               database index (default 0, or the URL's)
      --tls                connect with TLS
  -a, --password           use a password: from the LEDIS_PASSWORD environment
                           variable if set, else asked on the terminal (not echoed).
                           LEDIS_PASSWORD alone is used too.
      --connections N      the most shared connections (default 1): more than one
                           open while the load stays deep (the adaptive spread);
                           commands on one key keep their order
      --connect-timeout MS default 10000`;

export type ConnectionValues = { [K in keyof typeof connectionFlags]?: (typeof connectionFlags)[K]['type'] extends 'boolean' ? boolean : string };

/** A whole number from a flag, or a DataError naming the flag. */
export function intFlag(name: string, value: string | undefined, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new DataError(`--${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** Client options from the flags (the URL first, flags over it); asks for the password when needed. */
export async function clientOptions(v: ConnectionValues, io: CliIO): Promise<LedisOptions> {
  let o: LedisOptions & { db?: number } = {};
  if (v.url !== undefined) o = parseUrl(v.url, {});
  if (v.host !== undefined) o.host = v.host;
  if (v.port !== undefined) o.port = intFlag('port', v.port, 1, 6380);
  if (v.socket !== undefined) o.unixSocketPath = v.socket;
  if (v.db !== undefined) o.db = intFlag('db', v.db, 0, 0);
  if (v.tls === true) o.tls = true;
  if (o.host === undefined && o.unixSocketPath === undefined) o.host = '127.0.0.1';
  o.connections = intFlag('connections', v.connections, 1, 1);
  o.connectTimeout = intFlag('connect-timeout', v['connect-timeout'], 1, 10000);
  const env = io.env.LEDIS_PASSWORD;
  if (env !== undefined && env !== '') o.password = env;
  else if (v.password === true) o.password = await promptPassword(io);
  // Reconnect through a cut for about a minute, then give up (the load then fails what is left).
  o.retryStrategy = (attempt) => (attempt > 60 ? null : Math.min(50 * 2 ** attempt, 1000));
  o.maxPending = 1_000_000;
  // Commands issued while reconnecting wait as long as the reconnecting goes on.
  o.offlineTimeout = 60_000;
  return o;
}

/** Reads a line from the terminal with echo off. Throws when there is no terminal to ask on. */
export async function promptPassword(io: CliIO): Promise<string> {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    throw new DataError('--password: no terminal to ask on; set LEDIS_PASSWORD instead');
  }
  const input = new tty.ReadStream(fd);
  const output = new tty.WriteStream(fd);
  output.write('Password: ');
  input.setRawMode(true);
  input.resume();
  try {
    return await new Promise<string>((resolve, reject) => {
      let text = '';
      input.on('data', (chunk: Buffer) => {
        for (const ch of chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n') return resolve(text);
          if (ch === '\u0003') return reject(new DataError('password prompt interrupted'));
          if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
          else text += ch;
        }
      });
    });
  } finally {
    input.setRawMode(false);
    output.write('\n');
    input.destroy();
    output.destroy();
    void io;
  }
}

/** Address for messages: host:port, socket path, never the password. */
export function addressOf(o: LedisOptions): string {
  return o.unixSocketPath ?? `${o.host ?? '127.0.0.1'}:${o.port ?? 6380}`;
}

/** Connects, or throws a message naming the address (and never the password). */
export async function connectClient(o: LedisOptions, decodeResponses: boolean): Promise<Ledis<boolean>> {
  const client = new Ledis<boolean>({ ...o, lazyConnect: true, decodeResponses });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DataError(`cannot connect to ${addressOf(o)} within ${o.connectTimeout} ms`)), (o.connectTimeout ?? 10000) + 100);
  });
  let lastError: Error | undefined;
  client.on('error', (err) => {
    lastError = err;
  });
  try {
    await Promise.race([client.connect(), deadline]);
  } catch (err) {
    client.disconnect();
    const why = lastError?.message ?? (err as Error).message;
    throw new DataError(`cannot connect to ${addressOf(o)}: ${why}`);
  } finally {
    clearTimeout(timer);
  }
  return client;
}
