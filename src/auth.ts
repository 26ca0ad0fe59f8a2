// ledis.auth(password): AUTH with a meaning that is safe on shared
// connections. On LedisDB a failed AUTH leaves the connection it was sent on
// unauthenticated for every later command (measured on d35789e), so AUTH is
// never sent on a shared connection on a caller's word alone: the password is
// tried first on a connection of its own, and only a password the server
// accepted becomes the client's password, sent on every shared connection and
// on every later (re)connect.
import { Command } from './connection/command.js';
import { Connection } from './connection/connection.js';
import { DataError, LedisError } from './errors.js';
import { statusReply } from './commands/shape.js';
import type { BasePool } from './pool.js';

/**
 * Verifies `password` on a new connection to the first pool's server; on
 * success makes it the password of every pool given (for new connections and
 * reconnects) and authenticates each pool's shared connections with it.
 * Resolves true; rejects with the server's ResponseError for a wrong password
 * (no other caller is affected), DataError for a non-string.
 */
export async function authenticate(pools: readonly BasePool[], password: unknown): Promise<boolean> {
  if (typeof password !== 'string') throw new DataError('password must be a string', 'AUTH');
  const first = pools[0];
  if (first === undefined) throw new LedisError('this client has no connection pool');
  const probe = new Connection({ ...first.connectionOptions, password: undefined, db: 0, lazyConnect: true, commandTimeout: first.connectionOptions.commandTimeout ?? 0 });
  try {
    // A reply other than a status ("OK") is an UnexpectedReplyError, and the password is not adopted.
    const check = new Command('AUTH', [password], statusReply);
    const checked = check.promise();
    probe.send(check);
    await checked;
  } finally {
    probe.disconnect();
  }
  const sent: Promise<unknown>[] = [];
  for (const pool of pools) {
    (pool.connectionOptions as { password?: string }).password = password;
    for (const conn of pool.connections) conn.options.password = password;
    for (const conn of pool.sharedList) {
      // Not ready: its next handshake sends the new password before anything else.
      if (conn.status !== 'ready') continue;
      const cmd = new Command('AUTH', [password], statusReply);
      sent.push(cmd.promise());
      conn.send(cmd);
    }
  }
  await Promise.all(sent);
  return true;
}
