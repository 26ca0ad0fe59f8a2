// Input and output streams of the CLI: files or stdin/stdout, gzip by the
// `.gz` extension, byte counts for progress.
import { once } from 'node:events';
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
}

export interface Input {
  chunks: AsyncIterable<Buffer>;
  /** Size in bytes of the file as stored (compressed, for .gz), or null for stdin. */
  size: number | null;
  /** Bytes read so far, as stored. */
  bytesRead(): number;
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
  if (!path.endsWith('.gz')) return { chunks: counted(), size, bytesRead: () => read };
  const compressed = Readable.from(counted(), { objectMode: false });
  const gunzip = createGunzip();
  compressed.on('error', (err) => gunzip.destroy(err));
  return { chunks: buffers(compressed.pipe(gunzip)), size, bytesRead: () => read };
}

/** The stream's chunks as Buffers (a stream given by a program may yield strings). */
async function* buffers(stream: Readable): AsyncGenerator<Buffer, void, undefined> {
  for await (const c of stream as AsyncIterable<Buffer | string | Uint8Array>) {
    yield typeof c === 'string' ? Buffer.from(c, 'utf8') : Buffer.isBuffer(c) ? c : Buffer.from(c.buffer, c.byteOffset, c.length);
  }
}

export interface Output {
  stream: Writable;
  /** Writes and waits when the stream asks for a drain. */
  write(text: string): Promise<void> | void;
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
  let failure: Error | null = null;
  stream.on('error', (err) => {
    failure = err;
  });
  file.on('error', (err) => {
    failure = err;
  });
  return {
    stream,
    write(text: string) {
      if (failure !== null) throw failure;
      if (!stream.write(text)) {
        return new Promise<void>((resolve, reject) => {
          const done = (err?: Error) => {
            stream.off('drain', done);
            stream.off('error', done);
            if (err) reject(err);
            else resolve();
          };
          stream.on('drain', done);
          stream.on('error', done);
        });
      }
    },
    async close() {
      if (failure !== null) throw failure;
      if (isStdout && stream === file) return;
      // gzip into stdout: wait until gzip has handed everything on; into a file: until the file is flushed.
      const done = once(isStdout ? stream : file, isStdout ? 'end' : 'finish');
      stream.end();
      await done;
      if (failure !== null) throw failure;
    },
  };
}
