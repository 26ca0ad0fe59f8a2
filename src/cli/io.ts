// Input and output streams of the CLI: files or stdin/stdout, gzip by the
// `.gz` extension, byte counts for progress.
import { createReadStream, createWriteStream, openSync, statSync } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';

/** What the commands read from and write to; tests pass their own. */
export interface CliIO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  env: Record<string, string | undefined>;
  /** Whether stderr is a terminal (progress is drawn only then). */
  isTTY: boolean;
  /** Where SIGINT comes from (`process` for the real command); none: a load cannot be interrupted. */
  interrupts?: NodeJS.EventEmitter;
}

export interface Input {
  chunks: AsyncIterable<Buffer>;
  /** Size in bytes of the file as stored (compressed, for .gz), or null for stdin. */
  size: number | null;
  /** Bytes read so far, as stored. */
  bytesRead(): number;
  /** Stops reading: the file (or stdin) is closed, so a load stopped early does not wait on it. */
  destroy(): void;
}

/** Opens FILE (or stdin for '-'); gunzips a name ending in .gz. */
export function openInput(path: string, io: CliIO): Input {
  let raw: Readable;
  let size: number | null = null;
  if (path === '-') raw = io.stdin;
  else {
    size = statSync(path).size;
    raw = createReadStream(path, { highWaterMark: 256 * 1024 });
  }
  let read = 0;
  // Counted as the stored bytes are consumed (a 'data' listener would start the flow before anyone reads).
  async function* counted(): AsyncGenerator<Buffer, void, undefined> {
    for await (const c of buffers(raw)) {
      read += c.length;
      yield c;
    }
  }
  const destroy = () => {
    raw.destroy();
  };
  if (!path.endsWith('.gz')) return { chunks: counted(), size, bytesRead: () => read, destroy };
  const compressed = Readable.from(counted(), { objectMode: false });
  const gunzip = createGunzip();
  compressed.on('error', (err) => gunzip.destroy(err));
  return { chunks: buffers(compressed.pipe(gunzip)), size, bytesRead: () => read, destroy };
}

/** The stream's chunks as Buffers (a stream given by a program may yield strings). */
async function* buffers(stream: Readable): AsyncGenerator<Buffer, void, undefined> {
  for await (const c of stream as AsyncIterable<Buffer | string | Uint8Array>) {
    yield typeof c === 'string' ? Buffer.from(c, 'utf8') : Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.length);
  }
}

export interface Output {
  stream: Writable;
  /**
   * Writes `text`; throws the stream's error once it has failed. Returns a
   * promise when the stream asks for a drain: one promise shared by every
   * caller until it drains (or fails), so a burst of writes adds no
   * listeners.
   */
  write(text: string): Promise<void> | void;
  /** The shared drain promise while the stream is full, else null. */
  ready(): Promise<void> | null;
  /** The stream's error (ENOSPC, EPIPE ...), once it has failed. */
  failure(): Error | null;
  /** Ends the stream (not stdout) and resolves when everything is flushed. */
  close(): Promise<void>;
}

/** Opens FILE for writing (or stdout for '-'); gzips a name ending in .gz. */
export function openOutput(path: string, io: CliIO): Output {
  const isStdout = path === '-';
  // Opened here, synchronously, so a path that cannot be created fails before anything connects.
  const file: Writable = isStdout ? io.stdout : createWriteStream(path, { fd: openSync(path, 'w') });
  let stream: Writable = file;
  if (path.endsWith('.gz')) {
    const gzip = createGzip();
    gzip.pipe(file);
    stream = gzip;
  }
  let failed: Error | null = null;
  let drain: Promise<void> | null = null;
  let wake: (() => void) | null = null;
  const release = () => {
    drain = null;
    const w = wake;
    wake = null;
    w?.();
  };
  const onError = (err: Error) => {
    failed ??= err;
    release();
  };
  // One listener of each for the stream's life, whatever the number of writes.
  stream.on('error', onError);
  if (file !== stream) file.on('error', onError);
  stream.on('drain', release);
  return {
    stream,
    write(text: string) {
      if (failed !== null) throw failed;
      if (!stream.write(text) && drain === null) {
        drain = new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
      return drain ?? undefined;
    },
    ready: () => drain,
    failure: () => failed,
    async close() {
      if (failed !== null) throw failed;
      if (isStdout && stream === file) return;
      // gzip into stdout: wait until gzip has handed everything on; into a file: until the file is flushed.
      const target = isStdout ? stream : file;
      await new Promise<void>((resolve) => {
        const done = () => {
          target.off(isStdout ? 'end' : 'finish', done);
          target.off('error', done);
          resolve();
        };
        target.on(isStdout ? 'end' : 'finish', done);
        target.on('error', done);
        stream.end();
      });
      if (failed !== null) throw failed;
    },
  };
}
