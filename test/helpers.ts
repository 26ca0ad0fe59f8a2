import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { Ledis, type LedisOptions } from '../src/index.js';

/** Address of the LedisDB server the global setup started for this run. */
export function serverAddress(): { host: string; port: number } {
  return { host: inject('ledisHost'), port: inject('ledisPort') };
}

/** A client of the run's server; closed by the caller (or `afterAll`). */
export function client<D extends boolean = true>(options: LedisOptions & { decodeResponses?: D } = {}): Ledis<D> {
  return new Ledis<D>({ ...serverAddress(), ...options });
}

/** A key prefix unique to this call, so test files running in parallel never share keys. */
export function prefix(name: string): string {
  return `t:${name}:${randomBytes(4).toString('hex')}:`;
}

/** Resolves when `check()` holds, polling every 20 ms; false after `ms` (the bound, not an expectation on time). */
export async function until(check: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

/**
 * Counts event-loop turns (one setImmediate per turn) until stop(): "at once" without a wall clock. While it
 * runs the loop never blocks, so waiting for any timer or I/O costs hundreds of turns; a busy machine makes
 * turns slower, not more numerous.
 */
export function turnCounter(): { stop(): number } {
  let turns = 0;
  let stopped = false;
  const spin = () => {
    if (stopped) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  return {
    stop() {
      stopped = true;
      return turns;
    },
  };
}
