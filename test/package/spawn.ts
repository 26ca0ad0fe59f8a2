import { spawn, type SpawnOptions } from 'node:child_process';

export interface SpawnResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * spawnSync's result without blocking the test worker's event loop (a
 * blocked worker misses vitest's RPC deadlines). Killed after `timeout` ms.
 */
export function spawnAsync(cmd: string, args: string[], options: SpawnOptions & { timeout?: number; input?: string } = {}): Promise<SpawnResult> {
  return new Promise((resolve, reject) => {
    const { timeout = 30_000, input, ...rest } = options;
    const child = spawn(cmd, args, { ...rest, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr });
    });
    child.stdin!.end(input ?? '');
  });
}
