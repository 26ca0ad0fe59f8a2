// The options and events of a Ledis client (src/client.ts), as one type each.
import type { ConnectionEvents } from './connection/connection.js';
import type { BasePool, PoolOptions } from './pool.js';
import type { ShardingOptions } from './sharding/options.js';
import type { ReadFrom, Topology, TopologyEvents } from './topology.js';

export type LedisEvents = ConnectionEvents & TopologyEvents;

export interface LedisOptions extends PoolOptions, ShardingOptions {
  /**
   * The server as a URL, node-redis's `createClient({ url })`:
   * `new Ledis({ url: 'ledis://:pw@host:6380/2', commandTimeout: 500 })` is
   * `new Ledis('ledis://:pw@host:6380/2', { commandTimeout: 500 })`: the
   * URL's parts (and query string) win where both speak. Checked as that
   * form is (DataError, password redacted); not kept in `ledis.options`.
   * Only in `new Ledis(options)`: with a URL, path or port argument, or with
   * `shards`, `master`, `replicas`, `topology` or `connectionPool`, a DataError.
   */
  url?: string;
  /** Replies as strings (default true) or, when false, as Buffers. The types follow. */
  decodeResponses?: boolean;
  /** Text encoding of replies; only utf-8 is supported (ledis-py's charset). */
  encoding?: 'utf-8' | 'utf8';
  /** Use this pool instead of making one from the options. */
  connectionPool?: BasePool;
  /**
   * Scaling out: the master (URL or options). With it, writes go to the
   * master and read-only commands go where `readFrom` says.
   */
  master?: string | PoolOptions;
  /** Replicas of `master` (URLs or options). */
  replicas?: Array<string | PoolOptions>;
  /** Where read-only commands go: 'master' (default), 'replica' or 'replicaPreferred'. */
  readFrom?: ReadFrom;
  /** Share an existing topology (its connections stay the topology owner's to close). */
  topology?: Topology;
  /**
   * Prepended to every key argument of every command (ioredis's keyPrefix):
   * `keyPrefix: 'app:'` makes `get('k')` read `app:k`. Scans stay inside the
   * prefix and return keys without it; see README "keyPrefix" for what is not prefixed.
   */
  keyPrefix?: string;
  /**
   * How a script's reply is read (`eval`, `evalsha`, `defineCommand`,
   * `sendCommand('EVAL', ...)`, and every script of ledis/ioredis and
   * ledis/node-redis, their pipelines included). 'via-key' (default on one
   * server or a topology): the script is sent wrapped, stores its RESP reply
   * under a one-off key (SETEX 60 s), and the GET and DEL of that key follow
   * on the same connection: three commands per script run, and LedisDB's
   * shared Lua stack stays empty. 'direct': EVAL as it is; the pinned
   * LedisDB keeps every returned value on that stack, and after about 5,100
   * script runs since it started every EVAL/EVALSHA on the server fails
   * (docs/redis-libraries.md). Shards, `proxy` and a `Ledis` pipeline's
   * `eval`/`evalsha` always run scripts directly; SCRIPT LOAD loads both
   * the source and its wrapped form.
   */
  scriptReplies?: 'via-key' | 'direct';
  /**
   * The address is a proxy: 'twemproxy' (nutcracker). Commands it does not
   * forward (it closes the connection on them) are refused before sending
   * with a ResponseError naming the command; see README "Sharding". Also
   * turns `coalesce` off unless it is given (an MGET spanning servers fails
   * whole when one of them is down).
   */
  proxy?: 'twemproxy';
  /**
   * Put each command's arguments (as strings) into its `ledis:command` trace
   * context. Off by default: traces then carry only the name and argument
   * count. AUTH's arguments are never included. See README, Tracing.
   */
  traceArgs?: boolean;
  /**
   * Replace a failed command's error stack with the caller's (ioredis's
   * option of the same name): the line that called `ledis.get(...)` instead of
   * the socket's data handler. Off by default; costs one stack capture per command.
   */
  showFriendlyErrorStack?: boolean;
}
