import { EventEmitter } from 'node:events';
import type { Connection } from './connection/connection.js';
import { ConnectionError } from './errors.js';
import { ConnectionPool, leastBusy, type PoolOptions } from './pool.js';
import { parseUrl } from './url.js';
import { rediscoverMaster } from './switchover.js';
import { redactPassword } from './connection/options.js';

/**
 * Where read-only commands go: the master only, replicas only, replicas with
 * the master as fallback, or spread over master and replicas ('any').
 */
export type ReadFrom = 'master' | 'replica' | 'replicaPreferred' | 'any';

export interface TopologyOptions {
  /** The master: a ledis:// URL or connection options. Writes always go here. */
  master: string | PoolOptions;
  /** Replicas (LedisDB `slaveof`): URLs or connection options. */
  replicas?: Array<string | PoolOptions>;
  /** Default 'master'. */
  readFrom?: ReadFrom;
  /** ms between ROLE probes while the master is lost. Default 250. */
  discoveryInterval?: number;
}

export interface NodeStats {
  address: string;
  role: 'master' | 'replica';
  /** Commands routed to this node by this client. */
  commands: number;
  ready: boolean;
}

export interface TopologyEvents {
  /** The master changed (a replica promoted with SLAVEOF NO ONE was found). */
  failover: [{ from: string; to: string }];
  /** The master was lost; writes fail fast until it is back or a new one is found. */
  masterDown: [{ address: string }];
  masterUp: [{ address: string }];
}

interface Node {
  pool: ConnectionPool;
  address: string;
  commands: number;
}

/**
 * A master and its replicas. Read-only commands are spread over healthy
 * replicas (fewest in flight) as `readFrom` says; everything else goes to the
 * master. A replica whose connection is not ready is out of rotation while its
 * connection retries with back-off. When the master is lost, writes fail fast
 * and the known nodes are probed with ROLE until one reports `master` (a
 * replica promoted with SLAVEOF NO ONE) or the old master is back.
 */
export class Topology extends EventEmitter<TopologyEvents> {
  readonly readFrom: ReadFrom;
  private masterNode: Node;
  private replicaNodes: Node[];
  private masterLost = false;
  private probeTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly interval: number;
  private readonly base: PoolOptions;

  constructor(options: TopologyOptions, base: PoolOptions = {}) {
    super();
    this.base = redactPassword({ ...base });
    this.readFrom = options.readFrom ?? 'master';
    this.interval = options.discoveryInterval ?? 250;
    this.masterNode = this.makeNode(options.master);
    this.replicaNodes = (options.replicas ?? []).map((r) => this.makeNode(r));
    this.watchMaster();
  }

  get masterPool(): ConnectionPool {
    return this.masterNode.pool;
  }

  /** Every pool: the master's first. */
  get pools(): ConnectionPool[] {
    return [this.masterNode.pool, ...this.replicaNodes.map((n) => n.pool)];
  }

  /** The connection for a command: a replica's for reads when allowed, else the master's. */
  connectionFor(readonly: boolean, readFrom: ReadFrom): Connection {
    return this.poolFor(readonly, readFrom).shared();
  }

  /**
   * The pool of the node a command goes to (counted in `stats()`): a
   * replica's for reads when `readFrom` allows, else the master's. Throws
   * ConnectionError when no node may take it.
   */
  poolFor(readonly: boolean, readFrom: ReadFrom): ConnectionPool {
    if (readonly && readFrom !== 'master') {
      let node = this.pickReplica();
      if (readFrom === 'any' && !this.masterLost) {
        const master = this.masterNode.pool.shared();
        if (node === null || (master.status === 'ready' && master.pending < node.pool.shared().pending)) node = this.masterNode;
      }
      if (node !== null) {
        node.commands++;
        return node.pool;
      }
      if (readFrom === 'replica') {
        throw new ConnectionError(
          `no healthy replica to read from (readFrom: 'replica'; ${this.replicaNodes.length} configured, none ready)`,
        );
      }
    }
    if (this.masterLost) {
      throw new ConnectionError(
        `master ${this.masterNode.address} is unavailable; writes fail fast until it is back or a replica is promoted`,
      );
    }
    this.masterNode.commands++;
    return this.masterNode.pool;
  }

  /**
   * The same master and replicas on db `db` (new connections): built from
   * the nodes' resolved options, so a URL's db path cannot override it.
   */
  forDb(db: number): Topology {
    const on = (pool: ConnectionPool): PoolOptions => ({
      ...pool.connectionOptions,
      connections: pool.sharedCount,
      spread: pool.spread,
      maxConnections: pool.maxConnections,
      db,
    });
    return new Topology({
      master: on(this.masterNode.pool),
      replicas: this.replicaNodes.map((n) => on(n.pool)),
      readFrom: this.readFrom,
      discoveryInterval: this.interval,
    });
  }

  stats(): NodeStats[] {
    const info = (n: Node, role: 'master' | 'replica'): NodeStats => ({
      address: n.address,
      role,
      commands: n.commands,
      ready: n.pool.shared().status === 'ready',
    });
    return [info(this.masterNode, 'master'), ...this.replicaNodes.map((n) => info(n, 'replica'))];
  }

  disconnect(): void {
    this.closed = true;
    this.stopProbing();
    for (const pool of this.pools) pool.disconnect();
  }

  async quit(): Promise<void> {
    this.closed = true;
    this.stopProbing();
    await Promise.all(this.pools.map((p) => p.quit()));
  }

  private rediscovering: Promise<boolean> | null = null;

  /**
   * After the master refused a write as read-only (a planned switchover that
   * left connections up): asks every node its ROLE, the current master
   * first, and makes the first that says `master` the master; the old one
   * stays as a replica. Resolves true if the master changed. Concurrent
   * callers share one round of probes; each probe waits at most `timeout` ms.
   */
  rediscover(timeout = 2000): Promise<boolean> {
    if (this.rediscovering === null) {
      this.rediscovering = rediscoverMaster(this, timeout).finally(() => {
        this.rediscovering = null;
      });
    }
    return this.rediscovering;
  }

  /** @internal The nodes, master first, for rediscoverMaster. */
  nodesForProbe(): Array<{ address: string; role: () => Promise<unknown> }> {
    return [this.masterNode, ...this.replicaNodes].map((node) => ({ address: node.address, role: () => node.pool.shared().sendCommand('ROLE') }));
  }

  /** @internal Makes the node at `address` the master, keeping the old master as a replica. */
  switchTo(address: string): boolean {
    const node = this.replicaNodes.find((n) => n.address === address);
    if (node === undefined || this.closed) return false;
    this.replaceMaster(node, true);
    return true;
  }

  /** The healthy replica with the fewest commands in flight, or null. */
  private pickReplica(): Node | null {
    return leastBusy(this.replicaNodes, replicaLoad) ?? null;
  }

  private makeNode(target: string | PoolOptions): Node {
    const options = typeof target === 'string' ? parseUrl(target, { ...this.base }) : { ...this.base, ...target };
    const pool = new ConnectionPool(options);
    const address = pool.sharedList[0]?.address ?? '?';
    return { pool, address, commands: 0 };
  }

  private watchMaster(): void {
    const node = this.masterNode;
    for (const conn of node.pool.sharedList) {
      conn.on('reconnecting', () => {
        if (node !== this.masterNode || this.closed || this.masterLost) return;
        this.masterLost = true;
        this.emit('masterDown', { address: node.address });
        this.startProbing();
      });
      conn.on('ready', () => {
        if (node !== this.masterNode || !this.masterLost) return;
        this.masterLost = false;
        this.stopProbing();
        this.emit('masterUp', { address: node.address });
      });
    }
  }

  private startProbing(): void {
    if (this.probeTimer !== null || this.closed) return;
    this.probeTimer = setInterval(() => void this.probe(), this.interval);
  }

  private stopProbing(): void {
    if (this.probeTimer !== null) clearInterval(this.probeTimer);
    this.probeTimer = null;
  }

  /** Asks every ready replica for its ROLE; the first that says master becomes the master. */
  private async probe(): Promise<void> {
    for (const node of [...this.replicaNodes]) {
      const conn = node.pool.shared();
      if (conn.status !== 'ready') continue;
      let role: unknown;
      try {
        role = await conn.sendCommand('ROLE');
      } catch {
        continue;
      }
      if (!this.masterLost || this.closed) return;
      if (Array.isArray(role) && String(role[0]) === 'master') {
        this.replaceMaster(node, false);
        return;
      }
    }
  }

  /**
   * Makes `node` (a replica) the master: kept among the replicas, the old
   * master serves reads again (a planned switchover); dropped, it is closed
   * (a failover: it may come back as a stale master, not used again by this client).
   */
  private replaceMaster(node: Node, keepOld: boolean): void {
    const old = this.masterNode;
    const others = this.replicaNodes.filter((n) => n !== node);
    this.replicaNodes = keepOld ? [...others, old] : others;
    this.masterNode = node;
    this.masterLost = false;
    this.stopProbing();
    if (!keepOld) old.pool.disconnect();
    this.watchMaster();
    this.emit('failover', { from: old.address, to: node.address });
  }
}

/** A replica's load for pickReplica: its shared connection's commands in flight; Infinity while it is lost (out until it is back). */
function replicaLoad(node: Node): number {
  const conn = node.pool.shared();
  // Still on its first connect: eligible (commands wait for it).
  return conn.status === 'reconnecting' || conn.status === 'end' ? Infinity : conn.pending;
}
