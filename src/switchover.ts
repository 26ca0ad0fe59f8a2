// A planned master change that leaves every connection up (SLAVEOF NO ONE on
// a replica, SLAVEOF new-master on the old one) gives no connection event:
// the old master just answers every write with LedisDB's read-only error,
// for good. ioredis leaves this to a user's `reconnectOnError`; here it is
// automatic: the write was refused, so it did not run, and sending it again
// to the new master cannot apply it twice.
import { ResponseError } from './errors.js';

/** LedisDB's reply to a write on a read-only server (ledis/const.go, ErrWriteInROnly). */
export const READONLY_ERROR = 'write not support in readonly mode';

export function isReadonlyError(err: unknown): err is ResponseError {
  return err instanceof ResponseError && err.serverMessage === READONLY_ERROR;
}

/** What rediscoverMaster needs from a topology. */
export interface Rediscoverable {
  nodesForProbe(): Array<{ address: string; role: () => Promise<unknown> }>;
  switchTo(address: string): boolean;
}

/**
 * Asks each node its ROLE (the current master first, each bounded by
 * `timeout` ms) and switches to the first other node that says `master`.
 * True if the master changed.
 */
export async function rediscoverMaster(topology: Rediscoverable, timeout: number): Promise<boolean> {
  const nodes = topology.nodesForProbe();
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i] as { address: string; role: () => Promise<unknown> };
    let role: unknown;
    try {
      role = await bounded(node.role(), timeout);
    } catch {
      continue;
    }
    if (Array.isArray(role) && String(role[0]) === 'master') {
      // The current master still says master: nothing to switch to (a server started read-only stays so).
      return i === 0 ? false : topology.switchTo(node.address);
    }
  }
  return false;
}

function bounded<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ROLE reply within ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}
