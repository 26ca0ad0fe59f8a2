/**
 * The `ledis` entry: the client, pools, pipelines, errors and their types.
 * @module ledis
 */
import { Ledis, type LedisOptions } from './client.js';
import { parseUrl } from './url.js';

export { Ledis, type LedisOptions, type LedisEvents } from './client.js';
export type { LedisStatus } from './lifecycle.js';
export { bulk, checkBulkItem, type BulkItem, type BulkArray, type BulkMethodCall, type BulkCommandCall, type BulkOptions, type BulkSummary, type BulkProgress, type BulkFailure } from './bulk/index.js';
export { Pipeline, type Settled, type SettledTuple, type ExecResult } from './pipeline.js';
export { Topology, type ReadFrom, type TopologyOptions, type NodeStats, type TopologyEvents } from './topology.js';
export type { ShardTarget, ShardingOptions } from './sharding/options.js';
export { BasePool, ConnectionPool, BlockingConnectionPool, type PoolOptions, type BlockingPoolOptions, type Spread, DEFAULT_CONNECTIONS } from './pool.js';
export { Connection, type ConnectionStatus, type ConnectionEvents } from './connection/connection.js';
export { Command } from './connection/command.js';
export { defaultRetryStrategy, type ConnectionOptions, type RetryStrategy } from './connection/options.js';
export { Parser, type Reply } from './protocol/parser.js';
export { encodeCommand, type Arg, type Encoded } from './protocol/encoder.js';
export { LedisError, ConnectionError, TimeoutError, ResponseError, DataError, ProtocolError, PipelineError, UnexpectedReplyError, AbortError, SplitWriteError } from './errors.js';
export type { SplitWritePart } from './errors.js';
export type { Key, Value, Str, StrOf, When, Out, ClientMode, PipelineMode, CommandSpec } from './commands/types.js';
export type { Commands } from './commands/index.js';
export type { InfoReply, InfoSectionsReply } from './commands/server.js';
export type { Bit, BitOperation } from './commands/bit.js';
export type { ScanOptions, ScanReply, ScanType, LedisPyScanOptions } from './commands/scan.js';
export type { IterateOptions } from './commands/iterators.js';
export type { SortOptions } from './commands/sort.js';
export type { ScriptReply, ScriptCommandOptions, ScriptFunction } from './commands/script.js';
export type { RoleReply, ReplicaInfo, SlaveofOptions } from './commands/replication.js';
export type { DataType } from './commands/migrate.js';
export { CHANNELS, type CommandTraceContext, type BatchTraceContext, type ConnectTraceContext, type ServerTraceContext, type ConnectionStateMessage, type ConnectionStateView } from './tracing.js';
export { parseUrl };

/** A client configured from a URL (ledis-py's module-level from_url). */
export function fromUrl<D extends boolean = true>(url: string, options: LedisOptions & { decodeResponses?: D; db?: number } = {}): Ledis<D> {
  return Ledis.fromUrl<D>(url, options);
}

export default Ledis;
