// `ledis export`: every key of the chosen types, as ndjson commands that
// `ledis load` replays: a clear, the data, then the expiry as an absolute
// *EXPIREAT. Keys and values are read as Buffers (XSCAN family), so binary
// data round-trips: an element that is not valid UTF-8 is written as
// {"base64": "..."}.
import { isUtf8 } from 'node:buffer';
import { parseFlags } from './flags.js';
import type { Ledis } from '../client.js';
import { DataError } from '../errors.js';
import { clientOptions, connectClient, connectionFlags, connectionHelp, intFlag, type ConnectionValues } from './connect.js';
import { openOutput, type CliIO, type Output } from './io.js';

export const exportHelp = `Usage: ledis export [options]

Writes the keys of the chosen types with their values and TTLs as ndjson
commands (one JSON array per line) that \`ledis load\` replays. Per key: a
clear (DEL, HCLEAR, LCLEAR, SCLEAR, ZCLEAR), the data (SET, HMSET, RPUSH,
SADD, ZADD, in batches), then the expiry as an absolute *EXPIREAT. Strings
that are not valid UTF-8 are written as {"base64":"..."}.

Options:
  -o, --output FILE        write to FILE (FILE.gz is gzipped); default stdout
      --type T,T...        kv,hash,list,set,zset (default: all)
      --match PATTERN      only keys matching LedisDB's MATCH pattern (a Go
                           regular expression, as XSCAN takes it)
      --batch N            members per command and keys per scan page (default 100)
      --no-clear           do not write the clear before each key

${connectionHelp}`;

const exportFlags = {
  ...connectionFlags,
  output: { type: 'string', short: 'o' },
  type: { type: 'string' },
  match: { type: 'string' },
  batch: { type: 'string' },
  'no-clear': { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

type Type = 'kv' | 'hash' | 'list' | 'set' | 'zset';
const TYPES: readonly Type[] = ['kv', 'hash', 'list', 'set', 'zset'];

/** Per type: the clear command, the TTL method, the EXPIREAT command. */
const PER_TYPE: Record<Type, { clear: string; ttl: 'ttl' | 'httl' | 'lttl' | 'sttl' | 'zttl'; expireat: string }> = {
  kv: { clear: 'DEL', ttl: 'ttl', expireat: 'EXPIREAT' },
  hash: { clear: 'HCLEAR', ttl: 'httl', expireat: 'HEXPIREAT' },
  list: { clear: 'LCLEAR', ttl: 'lttl', expireat: 'LEXPIREAT' },
  set: { clear: 'SCLEAR', ttl: 'sttl', expireat: 'SEXPIREAT' },
  zset: { clear: 'ZCLEAR', ttl: 'zttl', expireat: 'ZEXPIREAT' },
};

/** One ndjson element: text as a JSON string, other bytes as {"base64": "..."}, numbers as numbers. */
export function element(v: Buffer | string | number | bigint): unknown {
  if (typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'bigint') return v.toString();
  return isUtf8(v) ? v.toString('utf8') : { base64: v.toString('base64') };
}

export function commandLine(parts: ReadonlyArray<Buffer | string | number | bigint>): string {
  const out: unknown[] = [];
  for (const p of parts) out.push(element(p));
  return JSON.stringify(out) + '\n';
}

export interface ExportCounts {
  keys: Record<Type, number>;
  commands: number;
}

/** Writes every key of `types` to `out`; resolves to what was written. */
export async function exportKeys(
  client: Ledis<false>,
  out: Output,
  options: { types: readonly Type[]; match?: string; batch: number; clear: boolean },
): Promise<ExportCounts> {
  const counts: ExportCounts = { keys: { kv: 0, hash: 0, list: 0, set: 0, zset: 0 }, commands: 0 };
  const write = async (parts: ReadonlyArray<Buffer | string | number | bigint>) => {
    counts.commands++;
    await out.write(commandLine(parts));
  };
  const scan = { count: options.batch, ...(options.match === undefined ? {} : { match: options.match }) };
  for (const type of options.types) {
    const t = PER_TYPE[type];
    let page: Buffer[] = [];
    const flushPage = async () => {
      const keys = page;
      page = [];
      if (type === 'kv') {
        // One round trip for the page: every GET and TTL pipelined.
        const p = client.pipeline();
        for (const k of keys) p.get(k).ttl(k);
        const r = (await p.exec()) as unknown[];
        const now = Math.floor(Date.now() / 1000);
        for (let i = 0; i < keys.length; i++) {
          const value = r[2 * i] as Buffer | null;
          const ttl = Number(r[2 * i + 1]);
          if (value === null) continue;
          counts.keys.kv++;
          const k = keys[i] as Buffer;
          if (options.clear) await write([t.clear, k]);
          await write(['SET', k, value]);
          if (ttl > 0) await write([t.expireat, k, now + ttl]);
        }
        return;
      }
      // Every key of the page at once (the client pipelines their commands into shared writes): a key's
      // lines keep their order (clear, data, expiry); lines of different keys may interleave, which
      // \`ledis load\` replays the same.
      await Promise.all(
        keys.map(async (k) => {
          counts.keys[type]++;
          const ttl = client[t.ttl](k);
          if (options.clear) await write([t.clear, k]);
          await exportMembers(client, type, k, options.batch, write);
          const seconds = Number(await ttl);
          if (seconds > 0) await write([t.expireat, k, Math.floor(Date.now() / 1000) + seconds]);
        }),
      );
    };
    for await (const key of client.scanIterator({ type: type.toUpperCase() as 'KV', ...scan })) {
      page.push(key);
      if (page.length >= options.batch) await flushPage();
    }
    if (page.length > 0) await flushPage();
  }
  return counts;
}

async function exportMembers(
  client: Ledis<false>,
  type: Exclude<Type, 'kv'>,
  key: Buffer,
  batch: number,
  write: (parts: ReadonlyArray<Buffer | string | number | bigint>) => Promise<void>,
): Promise<void> {
  let parts: Array<Buffer | string | number | bigint> = [];
  const command = type === 'hash' ? 'HMSET' : type === 'list' ? 'RPUSH' : type === 'set' ? 'SADD' : 'ZADD';
  const start = () => {
    parts = [command, key];
  };
  const flush = async () => {
    if (parts.length > 2) await write(parts);
    start();
  };
  start();
  if (type === 'hash') {
    for await (const [field, value] of client.hscanIterator(key, { count: batch })) {
      parts.push(field, value);
      if (parts.length >= 2 + 2 * batch) await flush();
    }
  } else if (type === 'set') {
    for await (const member of client.sscanIterator(key, { count: batch })) {
      parts.push(member);
      if (parts.length >= 2 + batch) await flush();
    }
  } else if (type === 'zset') {
    for await (const [member, score] of client.zscanIterator(key, { count: batch })) {
      parts.push(typeof score === 'bigint' ? score : Number(score), member);
      if (parts.length >= 2 + 2 * batch) await flush();
    }
  } else {
    // Lists by index ranges; a list that changes meanwhile is exported as the pages saw it.
    for (let i = 0; ; i += batch) {
      const items = await client.lrange(key, i, i + batch - 1);
      for (const item of items) parts.push(item);
      await flush();
      if (items.length < batch) break;
    }
  }
  await flush();
}

export async function exportCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, exportFlags);
  if (values.help === true) {
    io.stdout.write(exportHelp + '\n');
    return 0;
  }
  if (positionals.length > 0) throw new DataError(`unexpected argument ${JSON.stringify(positionals[0])} (use --output FILE)`);
  const types = (values.type ?? TYPES.join(',')).split(',').map((s) => s.trim().toLowerCase());
  for (const t of types) if (!(TYPES as readonly string[]).includes(t)) throw new DataError(`--type must list some of ${TYPES.join(', ')}, got ${JSON.stringify(t)}`);
  const batch = intFlag('batch', values.batch, 1, 100);
  const options = await clientOptions(values as ConnectionValues, io);
  const client = (await connectClient(options, false)) as Ledis<false>;
  const path = values.output ?? '-';
  const out = openOutput(path, io);
  const started = Date.now();
  let counts: ExportCounts;
  try {
    counts = await exportKeys(client, out, { types: types as Type[], match: values.match, batch, clear: values['no-clear'] !== true });
  } catch (err) {
    // The reader went away (\`ledis export | head\`): end quietly, as other Unix tools do.
    if ((err as { code?: string }).code === 'EPIPE' || (out.failure() as { code?: string } | null)?.code === 'EPIPE') return 0;
    throw err;
  } finally {
    await out.close().catch(() => undefined);
    await client.quit().catch(() => client.disconnect());
  }
  if ((out.failure() as { code?: string } | null)?.code === 'EPIPE') return 0;
  const k = counts.keys;
  const total = k.kv + k.hash + k.list + k.set + k.zset;
  io.stderr.write(
    `exported ${total} keys (kv ${k.kv}, hash ${k.hash}, list ${k.list}, set ${k.set}, zset ${k.zset}) as ${counts.commands} commands` +
      ` in ${((Date.now() - started) / 1000).toFixed(2)} s${path === '-' ? '' : ` to ${path}`}\n`,
  );
  return 0;
}
