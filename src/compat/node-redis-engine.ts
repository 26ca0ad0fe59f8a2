// The one place ledis/node-redis reaches the engine: a Ledis client (its
// router, connections, coalescing, spread, keyPrefix, TLS, topology, shards)
// and raw sends of Redis-shaped commands. STAND-IN until src/compat/engine.ts
// (the shared adapter with the translation table) is merged.
import { Ledis, type LedisOptions } from '../client.js';
import type { Reply } from '../protocol/parser.js';

export type Engine = Ledis<true>;

/** A client of the engine for these (checked) options. */
export function makeEngine(options: LedisOptions): Engine {
  return new Ledis<true>({ ...options, decodeResponses: true });
}

/** Sends a Redis command (name upper case) and resolves with its raw reply: strings, or Buffers with `buffers`. */
export function send(engine: Engine, name: string, args: unknown[], buffers: boolean): Promise<Reply> {
  return (buffers ? engine.buffers : engine).sendRaw(name, args);
}
