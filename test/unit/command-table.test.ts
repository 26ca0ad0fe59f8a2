// Reads LedisDB's own source (the pinned module in the Go module cache, which
// the test run's server build downloads) and the driver's command table.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientMethods, commandTable } from '../../src/commands/index.js';
import { Ledis, Pipeline } from '../../src/index.js';
import {
  END,
  EXCLUDED,
  START,
  methodsByCommand,
  missingCommands,
  registeredCommands,
  renderTable,
  // @ts-ignore -- plain ESM script
} from '../../tools/command-table.mjs';

type Registered = { command: string; file: string };
const commands: Registered[] = registeredCommands();
const byCommand: Map<string, { method: string; sends: string }[]> = methodsByCommand(commands, commandTable, clientMethods);

describe('the command surface against the LedisDB source', () => {
  it('finds the commands LedisDB registers (sanity: well over a hundred, GET and XSCAN among them)', () => {
    expect(commands.length).toBeGreaterThan(140);
    expect(commands.map((c) => c.command)).toEqual(expect.arrayContaining(['get', 'xscan', 'bitop', 'slaveof', 'quit', 'xselect']));
  });

  it('every command LedisDB accepts has a method, except the listed server-internal ones', () => {
    expect(missingCommands(commands, byCommand)).toEqual([]);
  });

  it('every exclusion names a command LedisDB really has, and none of them has a method', () => {
    const names = new Set(commands.map((c) => c.command));
    for (const excluded of Object.keys(EXCLUDED)) {
      expect(names.has(excluded), excluded).toBe(true);
      expect(byCommand.get(excluded), excluded).toEqual([]);
    }
  });

  it('every table entry sends a command LedisDB knows', () => {
    const known = new Set(commands.map((c) => c.command.toUpperCase()));
    const unknown = Object.entries(commandTable).filter(([, spec]) => !known.has(spec.command));
    expect(unknown).toEqual([]);
  });

  it('the out-of-table methods listed for the README are methods of Ledis', () => {
    for (const method of Object.keys(clientMethods)) {
      expect(typeof (Ledis.prototype as unknown as Record<string, unknown>)[method], method).toBe('function');
    }
  });

  it("docs/commands.md's command list is the one tools/command-table.mjs generates now", () => {
    const readme = readFileSync(path.join(import.meta.dirname, '..', '..', 'docs', 'commands.md'), 'utf8');
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start, 'docs/commands.md has no generated command list: run `npm run commands`').toBeGreaterThanOrEqual(0);
    expect(readme.slice(start, end + END.length), 'docs/commands.md command list is stale: run `npm run commands`').toBe(
      renderTable(commands, byCommand),
    );
  });
});

/**
 * Every method of ledis-py's Ledis class (client/ledis-py/ledis/client.py in
 * the LedisDB repository, as last kept at c30979e^, and its Transaction
 * subclass), skipping Python internals (`__init__`, `parse_response`,
 * `_zaggregate`, `scan_generic`, `get_value`) and `__getitem__` (Python's
 * `l[key]`: `get` here). Python names in snake_case map to camelCase.
 */
const LEDIS_PY_METHODS = `
  from_url set_response_callback execute_command echo ping info flushall flushdb
  decr decrby delete exists expire expireat get getset incr incrby mget mset set setnx ttl persist xscan scan_iter
  lindex llen lpop lpush lrange rpop rpush lclear lmclear lexpire lexpireat lttl lpersist lxscan
  sadd scard sdiff sdiffstore sinter sinterstore sismember smembers srem sunion sunionstore
  sclear smclear sexpire sexpireat sttl spersist sxscan
  zadd zcard zcount zincrby zrange zrangebyscore zrank zrem zremrangebyrank zremrangebyscore zrevrange
  zrevrangebyscore zrevrank zscore zinterstore zunionstore zrangebylex zremrangebylex zlexcount
  zclear zmclear zexpire zexpireat zttl zpersist zxscan
  hdel hexists hget hgetall hincrby hkeys hlen hmget hmset hset hvals hclear hmclear hexpire hexpireat httl hpersist hxscan
  bget bdelete bsetbit bgetbit bmsetbit bcount bopt bexpire bexpireat bttl bpersist bxscan
  eval evalsha scriptload scriptexists scriptflush time select
`.trim().split(/\s+/);

/** ledis-py names whose counterpart has another name here, and why. */
const RENAMED: Record<string, string> = {
  from_url: 'fromUrl', // a static method (and the module-level fromUrl)
  scan_iter: 'scanIterator',
};

describe('the command surface against ledis-py', () => {
  it('every method of ledis-py has a counterpart on Ledis', () => {
    const proto = Ledis.prototype as unknown as Record<string, unknown>;
    const missing = LEDIS_PY_METHODS.filter((name) => {
      const ours = RENAMED[name] ?? name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
      return typeof proto[ours] !== 'function' && typeof (Ledis as unknown as Record<string, unknown>)[ours] !== 'function';
    });
    expect(missing).toEqual([]);
  });

  it('every LedisDB command with a method is also a method by its own lowercase name, on the client and the pipeline', () => {
    const proto = Ledis.prototype as unknown as Record<string, unknown>;
    const pipelineProto = Pipeline.prototype as unknown as Record<string, unknown>;
    const missing: string[] = [];
    for (const { command } of commands) {
      if (command in EXCLUDED) continue;
      if (typeof proto[command] !== 'function') missing.push(command);
      // select and quit change connections, not data: client-only by design.
      else if (!(command in clientMethods) && typeof pipelineProto[command] !== 'function') missing.push(`pipeline.${command}`);
    }
    expect(missing).toEqual([]);
  });

  it('the lowercase alias sends the same command as the method it stands beside', () => {
    expect(commandTable.del?.command).toBe(commandTable.delete?.command);
    expect(commandTable.ltrim_front?.command).toBe('LTRIM_FRONT');
    expect(commandTable.ltrim_back?.command).toBe('LTRIM_BACK');
    expect(commandTable.script?.args?.('load', 'return 1')).toEqual(['LOAD', 'return 1']);
    expect(commandTable.config?.args?.('GET', 'databases')).toEqual(['GET', 'databases']);
  });
});

