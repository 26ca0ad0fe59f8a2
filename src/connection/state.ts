import { ConnectionError } from '../errors.js';

/** The public view of a connection's lifecycle (ioredis users read the same names). */
export type ConnectionStatus = 'wait' | 'connecting' | 'connect' | 'ready' | 'reconnecting' | 'end';

/**
 * The lifecycle, changed only by Connection#setState. Each state names one
 * situation; the public `status` is derived from it (several states share
 * 'end' and 'reconnecting' there).
 */
export type State =
  /** Never connected (lazyConnect): the first command or connect() opens the socket. */
  | 'idle'
  /** First socket opening. */
  | 'connecting'
  /** Socket open, AUTH/SELECT in flight; commands wait offline. */
  | 'handshake'
  | 'ready'
  /** Lost; waiting retryStrategy's delay before the next attempt. */
  | 'backoff'
  /** Socket opening again after a loss. */
  | 'reconnecting'
  /** disconnect(), quit() or a failed handshake: the socket is going away for good. */
  | 'closing'
  /** Closed by the caller: commands are refused until connect() is called. */
  | 'closed'
  /** retryStrategy gave up: the next command (or connect()) tries again. */
  | 'gave-up';

export const PUBLIC_STATUS: Readonly<Record<State, ConnectionStatus>> = {
  idle: 'wait',
  connecting: 'connecting',
  handshake: 'connect',
  ready: 'ready',
  backoff: 'reconnecting',
  reconnecting: 'reconnecting',
  closing: 'end',
  closed: 'end',
  'gave-up': 'end',
};

/** States in which connect() (or a command, for 'idle' and 'gave-up') opens a new socket. */
export function canOpen(state: State): boolean {
  return state === 'idle' || state === 'closing' || state === 'closed' || state === 'gave-up';
}

/**
 * The refusal of a command (or a pipeline: `what`) issued after quit(),
 * whoever refuses it: the connection (`where`: "connection to host:port"), or
 * the client's lanes for what a barrier held across quit() ("the client").
 */
export function refusedAfterQuit(where: string, what: string, command?: string): ConnectionError {
  return new ConnectionError(`${where} is closing (quit() was called); ${what} was not sent`, { command });
}
