// The parent's handle on one client process (bench/worker.mjs): request /
// reply over IPC with a time limit, and a kill by pid when it overruns.
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'worker.mjs');

export class Worker {
  /**
   * @param {string} client
   * @param {import('./clients.mjs').Target} target
   * @param {object} opts passed to the worker (keys, valueSize, connections)
   */
  constructor(client, target, opts) {
    this.client = client;
    this.child = fork(WORKER, [client, JSON.stringify(target), JSON.stringify(opts)], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.nextId = 1;
    this.killed = false;
    /** @type {Map<number, { resolve: (v: any) => void, reject: (e: Error) => void, timer: NodeJS.Timeout }>} */
    this.waiting = new Map();
    this.child.on('message', (msg) => {
      const w = this.waiting.get(msg.id);
      if (!w) return;
      this.waiting.delete(msg.id);
      clearTimeout(w.timer);
      if (msg.ok) w.resolve(msg.result);
      else w.reject(new Error(`${client}: ${msg.error}`));
    });
    this.child.on('exit', (code, signal) => {
      for (const w of this.waiting.values()) {
        clearTimeout(w.timer);
        w.reject(new Error(`${client} worker exited (${code ?? signal})`));
      }
      this.waiting.clear();
    });
  }

  get alive() {
    return !this.killed && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends a message; rejects if no reply comes within `timeoutMs` (and kills the worker). */
  request(msg, timeoutMs) {
    if (!this.alive) return Promise.reject(new Error(`${this.client} worker is not running`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        this.kill();
        reject(new Error(`${this.client}: no reply to ${msg.type} within ${Math.round(timeoutMs / 1000)} s; worker killed`));
      }, timeoutMs);
      this.waiting.set(id, { resolve, reject, timer });
      this.child.send({ ...msg, id });
    });
  }

  /** SIGKILL; `alive` is false from here on, before the exit event arrives. */
  kill() {
    if (this.alive) this.child.kill('SIGKILL');
    this.killed = true;
  }

  /** Asks the worker to quit its client; kills it if it does not exit within 5 s. */
  async close() {
    if (!this.alive) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    await this.request({ type: 'close' }, 5000).catch(() => this.kill());
    const t = setTimeout(() => this.kill(), 5000);
    await exited;
    clearTimeout(t);
  }
}
