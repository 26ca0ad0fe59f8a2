import type { Socket } from 'node:net';
import type { Encoded } from '../protocol/encoder.js';

/**
 * A connection's pending output: what this tick's commands encoded, written
 * with one `socket.write` per flush. Strings are concatenated (one string
 * write for the common case); a Buffer argument, or a string too long to
 * concatenate cheaply, switches to a list of parts written under cork().
 * Knows nothing of commands or replies; back-pressure is `needDrain`.
 */
export class Output {
  private out = '';
  private parts: Array<string | Buffer> | null = null;
  /** Characters or bytes pending, as far as the flush threshold cares. */
  length = 0;
  /** The socket's buffer is full: wait for 'drain' before writing more. */
  needDrain = false;
  private drainWaiters: Array<() => void> = [];

  /** Appends one encoded command. */
  append(e: Encoded, threshold: number): void {
    if (typeof e === 'string' && e.length < threshold) {
      this.out += e;
      this.length += e.length;
      return;
    }
    let list = this.parts;
    if (list === null) list = this.parts = [];
    if (this.out.length > 0) {
      list.push(this.out);
      this.out = '';
    }
    if (typeof e === 'string') {
      list.push(e);
      this.length += e.length;
      return;
    }
    for (const p of e) {
      list.push(p);
      this.length += p.length;
    }
  }

  /** Writes everything pending to `socket`; returns false when nothing could be written. */
  flush(socket: Socket): boolean {
    if (this.needDrain || this.length === 0) return false;
    let ok: boolean;
    if (this.parts === null) {
      ok = socket.write(this.out);
    } else {
      const parts = this.parts;
      if (this.out.length > 0) parts.push(this.out);
      socket.cork();
      for (let i = 0; i < parts.length - 1; i++) socket.write(parts[i] as string | Buffer);
      ok = socket.write(parts[parts.length - 1] as string | Buffer);
      socket.uncork();
      this.parts = null;
    }
    this.out = '';
    this.length = 0;
    if (!ok) this.needDrain = true;
    return true;
  }

  /** Forgets what is pending (the socket is gone; the commands are sent again from their arguments). */
  discard(): void {
    this.out = '';
    this.parts = null;
    this.length = 0;
    this.needDrain = false;
  }

  /** Resolves once the socket can take more. */
  waitForDrain(): Promise<void> {
    if (!this.needDrain) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** The socket drained (or is gone): wake whoever waits. */
  drained(): void {
    this.needDrain = false;
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w();
  }
}
