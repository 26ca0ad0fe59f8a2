// One adapter per client under test, each calling its library the way that
// library's users would (ledis methods, ioredis methods, node-redis camelCase
// methods), so the comparison measures what an application would pay.
import { createRequire } from 'node:module';
import { Ledis } from '../../dist/index.js';
import LedisRedis from '../../dist/ioredis.js';

const require = createRequire(import.meta.url);

/** Client names, in the order the tables list them. */
export const CLIENTS = ['ledis', 'ledis-plain', 'ledis-pool', 'ledis-fixed', 'ledis-default', 'ledis-ioredis', 'ioredis', 'ioredis-auto', 'node-redis', 'ioredis-rr', 'node-redis-pool'];

/** The clients that use N connections (`--connections`), compared with each other; the rest use one. */
export const MULTI = ['ledis-pool', 'ledis-fixed', 'ioredis-rr', 'node-redis-pool'];

/** Versions of the libraries measured, for the report. */
export function clientVersions() {
  const v = (name) => require(`${name}/package.json`).version;
  return { ledis: require('../../package.json').version, ioredis: v('ioredis'), redis: v('redis'), 'redis-parser': v('redis-parser') };
}

/**
 * @typedef {{ host?: string, port?: number, path?: string, kind: 'ledis' | 'redis' }} Target
 * @typedef {object} Adapter
 * @property {(key: string) => Promise<unknown>} get
 * @property {(key: string, value: string) => Promise<unknown>} set
 * @property {(key: string) => Promise<unknown>} getString large value as a string
 * @property {(key: string) => Promise<unknown>} getBuffer large value as a Buffer
 * @property {(key: string, n: number) => Promise<unknown>} zaddPipeline n ZADDs in one pipeline
 * @property {(key: string, n: number) => Promise<unknown>} zaddAll n single ZADD calls under Promise.all
 * @property {(key: string) => Promise<unknown>} clearZset
 * @property {string} zaddVia how the ledis pipeline sent ZADD (table method or sendCommand)
 * @property {() => Promise<void>} close
 */

/**
 * @param {string} name one of CLIENTS
 * @param {Target} target
 * @param {{ connections?: number }} opts
 * @returns {Promise<Adapter>}
 */
export async function makeClient(name, target, opts = {}) {
  switch (name) {
    case 'ledis':
      return ledisAdapter(target, 1);
    case 'ledis-pool':
      return ledisAdapter(target, opts.connections ?? 2);
    case 'ledis-plain':
      return ledisAdapter(target, 1, undefined, { coalesce: false });
    case 'ledis-fixed':
      return ledisAdapter(target, opts.connections ?? 2, 'fixed');
    case 'ledis-default':
      return ledisAdapter(target, undefined);
    case 'ledis-ioredis':
      return ledisIoredisAdapter(target);
    case 'ioredis':
      return ioredisAdapter(target, false);
    case 'ioredis-auto':
      return ioredisAdapter(target, true);
    case 'node-redis':
      return nodeRedisAdapter(target);
    case 'ioredis-rr':
      return ioredisRoundRobinAdapter(target, opts.connections ?? 2);
    case 'node-redis-pool':
      return nodeRedisPoolAdapter(target, opts.connections ?? 2);
    default:
      throw new Error(`unknown client ${name} (known: ${CLIENTS.join(', ')})`);
  }
}

function clearCommand(target) {
  return target.kind === 'ledis' ? 'ZCLEAR' : 'DEL';
}

/**
 * `connections` undefined: `new Ledis()` with nothing but the address, the default a user gets
 * (the adaptive spread, up to 4 connections). `spread` 'fixed': every connection open and used from the start.
 * `extra`: more options (`coalesce: false` for ledis-plain, one GET per GET on the wire).
 */
async function ledisAdapter(target, connections, spread, extra = {}) {
  const where = target.path ? { unixSocketPath: target.path } : { host: target.host, port: target.port };
  const ledis = new Ledis(connections === undefined ? where : { ...where, connections, maxPending: 1_000_000, ...(spread ? { spread } : {}), ...extra });
  const raw = new Ledis({ ...where, decodeResponses: false, maxPending: 1_000_000 });
  await Promise.all([ledis.connect(), raw.connect()]);
  // The zset family may not be in the command table yet; the raw command is then the fallback.
  const hasZadd = typeof /** @type {any} */ (ledis).zadd === 'function';
  const clear = clearCommand(target);
  return {
    get: (k) => ledis.get(k),
    set: (k, v) => ledis.set(k, v),
    getString: (k) => ledis.get(k),
    getBuffer: (k) => raw.get(k),
    zaddVia: hasZadd ? 'pipeline().zadd()' : "pipeline().sendCommand('ZADD')",
    zaddPipeline(key, n) {
      /** @type {any} */
      const p = ledis.pipeline();
      if (hasZadd) for (let i = 0; i < n; i++) p.zadd(key, i, `m${i}`);
      else for (let i = 0; i < n; i++) p.sendCommand('ZADD', key, i, `m${i}`);
      return p.exec();
    },
    zaddAll(key, n) {
      /** @type {any} */
      const l = ledis;
      const calls = new Array(n);
      if (hasZadd) for (let i = 0; i < n; i++) calls[i] = l.zadd(key, i, `m${i}`);
      else for (let i = 0; i < n; i++) calls[i] = l.sendCommand('ZADD', key, i, `m${i}`);
      return Promise.all(calls);
    },
    clearZset: (key) => ledis.sendCommand(clear, key),
    async close() {
      await Promise.all([ledis.quit(), raw.quit()]);
    },
  };
}

/** ledis/ioredis (the compat face, issue 23) on one connection, as `ledis`: what the face costs over the engine. */
async function ledisIoredisAdapter(target) {
  const where = target.path ? { path: target.path } : { host: target.host, port: target.port };
  const redis = new LedisRedis({ ...where, connections: 1, maxPending: 1_000_000 });
  const raw = new Ledis({ ...(target.path ? { unixSocketPath: target.path } : where), decodeResponses: false, maxPending: 1_000_000 });
  await Promise.all([redis.connect(), raw.connect()]);
  const clear = clearCommand(target);
  return {
    get: (k) => redis.get(k),
    set: (k, v) => redis.set(k, v),
    getString: (k) => redis.get(k),
    getBuffer: (k) => redis.getBuffer(k),
    zaddVia: 'pipeline().zadd()',
    zaddPipeline(key, n) {
      const p = redis.pipeline();
      for (let i = 0; i < n; i++) p.zadd(key, i, `m${i}`);
      return p.exec();
    },
    zaddAll(key, n) {
      const calls = new Array(n);
      for (let i = 0; i < n; i++) calls[i] = redis.zadd(key, i, `m${i}`);
      return Promise.all(calls);
    },
    clearZset: (key) => raw.sendCommand(clear, key),
    async close() {
      await Promise.all([redis.quit(), raw.quit()]);
    },
  };
}

async function ioredisAdapter(target, enableAutoPipelining) {
  const { Redis } = require('ioredis');
  const where = target.path ? { path: target.path } : { host: target.host, port: target.port };
  const redis = new Redis({ ...where, enableAutoPipelining, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const clear = clearCommand(target);
  return {
    get: (k) => redis.get(k),
    set: (k, v) => redis.set(k, v),
    getString: (k) => redis.get(k),
    getBuffer: (k) => redis.getBuffer(k),
    zaddVia: 'pipeline().zadd()',
    zaddPipeline(key, n) {
      const p = redis.pipeline();
      for (let i = 0; i < n; i++) p.zadd(key, i, `m${i}`);
      return p.exec();
    },
    zaddAll(key, n) {
      const calls = new Array(n);
      for (let i = 0; i < n; i++) calls[i] = redis.zadd(key, i, `m${i}`);
      return Promise.all(calls);
    },
    clearZset: (key) => redis.call(clear, key),
    async close() {
      await redis.quit();
    },
  };
}

async function nodeRedisAdapter(target) {
  const { createClient, RESP_TYPES } = require('redis');
  const socket = target.path ? { path: target.path } : { host: target.host, port: target.port };
  // CLIENT SETINFO is not a LedisDB command; node-redis ignores its failure, but skip the round trip.
  const client = createClient({ socket, disableClientInfo: true });
  client.on('error', (err) => process.stderr.write(`node-redis: ${err.message}\n`));
  await client.connect();
  const raw = client.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
  const clear = clearCommand(target);
  return {
    get: (k) => client.get(k),
    set: (k, v) => client.set(k, v),
    getString: (k) => client.get(k),
    getBuffer: (k) => raw.get(k),
    zaddVia: 'multi().zAdd().execAsPipeline()',
    zaddPipeline(key, n) {
      const m = client.multi();
      for (let i = 0; i < n; i++) m.zAdd(key, { score: i, value: `m${i}` });
      return m.execAsPipeline();
    },
    zaddAll(key, n) {
      const calls = new Array(n);
      for (let i = 0; i < n; i++) calls[i] = client.zAdd(key, { score: i, value: `m${i}` });
      return Promise.all(calls);
    },
    clearZset: (key) => client.sendCommand([clear, key]),
    async close() {
      await client.close();
    },
  };
}

/**
 * N ioredis clients (auto-pipelining on, as ioredis users who care about
 * throughput run it) used round-robin, one command each in turn: what an
 * application that wants N connections from ioredis writes by hand.
 */
async function ioredisRoundRobinAdapter(target, n) {
  const { Redis } = require('ioredis');
  const where = target.path ? { path: target.path } : { host: target.host, port: target.port };
  const list = Array.from({ length: n }, () => new Redis({ ...where, enableAutoPipelining: true, lazyConnect: true, maxRetriesPerRequest: 1 }));
  await Promise.all(list.map((r) => r.connect()));
  let i = 0;
  const next = () => list[(i = (i + 1) % n)];
  const clear = clearCommand(target);
  return {
    get: (k) => next().get(k),
    set: (k, v) => next().set(k, v),
    getString: (k) => next().get(k),
    getBuffer: (k) => next().getBuffer(k),
    zaddVia: 'pipeline().zadd() on one of the clients',
    zaddPipeline(key, count) {
      const p = next().pipeline();
      for (let j = 0; j < count; j++) p.zadd(key, j, `m${j}`);
      return p.exec();
    },
    zaddAll(key, count) {
      const calls = new Array(count);
      for (let j = 0; j < count; j++) calls[j] = next().zadd(key, j, `m${j}`);
      return Promise.all(calls);
    },
    clearZset: (key) => list[0].call(clear, key),
    async close() {
      await Promise.all(list.map((r) => r.quit()));
    },
  };
}

/**
 * node-redis's own pool, createClientPool, with N
 * clients kept open (minimum = maximum = N), RESP2 (its default; an explicit
 * `RESP: 2` makes it send HELLO, which LedisDB does not have). The pool lends a client per
 * command, so at most N commands are in flight at once: that is its design.
 */
async function nodeRedisPoolAdapter(target, n) {
  const { createClientPool } = require('redis');
  const socket = target.path ? { path: target.path } : { host: target.host, port: target.port };
  const pool = createClientPool({ socket, disableClientInfo: true }, { minimum: n, maximum: n, acquireTimeout: 30_000 });
  pool.on('error', (err) => process.stderr.write(`node-redis pool: ${err.message}\n`));
  await pool.connect();
  const clear = clearCommand(target);
  return {
    get: (k) => pool.get(k),
    set: (k, v) => pool.set(k, v),
    getString: (k) => pool.get(k),
    getBuffer: (k) => pool.execute((c) => c.withTypeMapping({ [require('redis').RESP_TYPES.BLOB_STRING]: Buffer }).get(k)),
    zaddVia: 'multi().zAdd().execAsPipeline() on one pooled client',
    zaddPipeline(key, count) {
      return pool.execute((c) => {
        const m = c.multi();
        for (let j = 0; j < count; j++) m.zAdd(key, { score: j, value: `m${j}` });
        return m.execAsPipeline();
      });
    },
    zaddAll(key, count) {
      const calls = new Array(count);
      for (let j = 0; j < count; j++) calls[j] = pool.zAdd(key, { score: j, value: `m${j}` });
      return Promise.all(calls);
    },
    clearZset: (key) => pool.sendCommand([clear, key]),
    async close() {
      await pool.close();
    },
  };
}
