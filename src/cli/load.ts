// `ledis load [FILE|-]`: a thin shell over bulk(): read the input in the
// chosen format, stream it through the driver, report per-line errors and
// a summary. The exit code is 0 when every line loaded, 1 when any failed.
import { parseFlags } from './flags.js';
import { bulkBatches, type BulkFailure, type BulkItem, type BulkSummary } from '../bulk/index.js';
import type { Ledis } from '../client.js';
import { ConnectionError, DataError, ResponseError } from '../errors.js';
import { csvItems } from './csv.js';
import { clientOptions, connectClient, connectionFlags, connectionHelp, intFlag, type ConnectionValues } from './connect.js';
import { compileObjectTemplate, DEFAULT_MAX_LINE, FORMATS, formatOf, LineError, ndjsonItems, respItems, textItems, type Format, type ItemBatch, type LoadItem, type ReadCount } from './formats.js';
import { openInput, openOutput, type CliIO, type Output } from './io.js';
import { Progress } from './progress.js';

export const loadHelp = `Usage: ledis load [options] [FILE|-]

Streams commands from FILE (or stdin for - or no FILE; FILE.gz is gunzipped)
into LedisDB with a bounded number in flight, and reports each line that
fails with its line number.

Input:
  -f, --format F           resp | text | ndjson | csv | tsv (default: by the
                           file's extension, else text)
                           resp:   a RESP command stream (as redis-cli --pipe takes)
                           text:   one command per line, redis-cli quoting
                                   ("double" with \\xHH \\n \\" escapes, 'single' literal)
                           ndjson: one JSON array per line: ["ZADD","board",42,"ann"],
                                   {"base64":"..."} for bytes that are not UTF-8;
                                   or one JSON object per line with --template
                           csv/tsv: rows turned into commands by --template
  -t, --template T         csv/tsv: e.g. 'ZADD board {score} {name}';
                           ndjson objects: e.g. 'HMSET session:{id} user {user.name}'
                           (fields by dotted path)
  -c, --columns A,B,...    csv/tsv column names (then the first row is data,
                           not a header)
      --skip N             skip commands that start on lines 1..N (resume after line N)
      --max-line BYTES     most bytes of one line (resp: of one command; default
                           67108864 = 64 MiB); a longer one is that line's error

Loading:
      --in-flight N        most lines awaiting replies (default 10000); runs of
                           ZADD/HSET/SADD/RPUSH/LPUSH lines to one key, and SETs,
                           are sent as one multi-member command
      --stop-on-error      stop reading at the first failure (default: go on)
      --dry-run            parse and check every command (the driver's own
                           checks), connect to nothing
      --errors FILE        write failures as NDJSON to FILE (default: stderr, as text)
  -q, --quiet              no progress bar (it is shown only on a terminal anyway)

${connectionHelp}

Ctrl-C stops reading, lets the commands in flight settle (up to 10 s) and
prints the summary with the line to --skip to; a second Ctrl-C quits at once,
still listing the lines that may have run.

Exit status: 0 when every command succeeded, 1 when any failed or may have
run, 2 for a usage error or when the server cannot be reached, 3 when the
load stopped early on a read error or an --errors file it cannot write (the
summary says where to resume), 130 after Ctrl-C.`;

const loadFlags = {
  ...connectionFlags,
  format: { type: 'string', short: 'f' },
  template: { type: 'string', short: 't' },
  columns: { type: 'string', short: 'c' },
  skip: { type: 'string' },
  'in-flight': { type: 'string' },
  'max-line': { type: 'string' },
  'stop-on-error': { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  errors: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean' },
} as const;

/** One failure as written to --errors (one JSON object per line). */
export interface ErrorRecord {
  /** 1-based line where the command starts. */
  line: number;
  /** Byte offset where the command starts (resp, text and ndjson). */
  offset?: number;
  /** 0-based position among the commands read (after --skip). */
  index: number;
  command?: string;
  /** 'parse': the line does not parse; 'client': refused by the driver's checks; 'server': an error reply; 'connection': the connection failed. */
  kind: 'parse' | 'client' | 'server' | 'connection';
  /** The server's text for 'server', else the driver's message. */
  error: string;
  /** Written before a lost connection, reply never came: it may or may not have run, and was not sent again. */
  mayHaveRun: boolean;
}

export function errorRecord(f: BulkFailure): ErrorRecord {
  const item = f.item as Partial<LoadItem> | LineError | undefined;
  const line = item instanceof LineError ? item.line : (item?.line ?? 0);
  const offset = item instanceof LineError ? item.offset : (item?.offset ?? -1);
  const e = f.error;
  const kind = e instanceof LineError ? 'parse' : e instanceof ResponseError ? 'server' : e instanceof DataError ? 'client' : e instanceof ConnectionError ? 'connection' : 'connection';
  const text = e instanceof ResponseError ? e.serverMessage : e instanceof DataError && f.command !== undefined ? e.message.replace(`${f.command}: `, '') : e.message;
  const rec: ErrorRecord = { line, index: f.index, kind, error: text, mayHaveRun: f.mayHaveRun };
  if (offset >= 0) rec.offset = offset;
  if (f.command !== undefined) rec.command = f.command;
  return rec;
}

function errorText(r: ErrorRecord, format: Format): string {
  const where = format === 'resp' && r.offset !== undefined ? `line ${r.line} (byte ${r.offset})` : `line ${r.line}`;
  const what = r.mayHaveRun ? 'may have run (connection lost before the reply)' : r.error;
  return `${where}: ${r.command !== undefined ? r.command + ': ' : ''}${what}${r.mayHaveRun ? `: ${r.error}` : ''}`;
}

/** Compresses a sorted list of line numbers into ranges: "3, 7-9, 12". */
export function ranges(lines: number[], max = 20): string {
  const sorted = lines.slice().sort((a, b) => a - b);
  const out: string[] = [];
  let i = 0;
  while (i < sorted.length && out.length < max) {
    let j = i;
    while (j + 1 < sorted.length && (sorted[j + 1] as number) <= (sorted[j] as number) + 1) j++;
    out.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return out.join(', ') + (i < sorted.length ? ', ...' : '');
}

/** What `ledis load` did (also what main() prints). */
export interface LoadResult extends BulkSummary {
  /** Highest input line number read. */
  lastLine: number;
  /** Commands skipped by --skip. */
  skipped: number;
  /** Line numbers of the commands that may have run. */
  mayHaveRunLines: number[];
}

/** Exit status when the load stopped early on a read error after progress, or when --errors could not be written: the summary says where to resume. */
export const EXIT_STOPPED = 3;
/** Exit status after Ctrl-C (SIGINT), as shells report a process killed by it. */
export const EXIT_INTERRUPTED = 130;
/** How long in-flight commands may take to settle after the first SIGINT before their connection is closed (they are then reported as may have run). */
export const SETTLE_MS = 10_000;

export async function load(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, loadFlags);
  if (values.help === true) {
    io.stdout.write(loadHelp + '\n');
    return 0;
  }
  if (positionals.length > 1) throw new DataError(`one input at most, got ${positionals.length}`);
  const path = positionals[0] ?? '-';
  let format: Format;
  if (values.format !== undefined) {
    if (!(FORMATS as readonly string[]).includes(values.format)) throw new DataError(`--format must be one of ${FORMATS.join(', ')}, got ${JSON.stringify(values.format)}`);
    format = values.format as Format;
  } else {
    format = (path === '-' ? null : formatOf(path)) ?? 'text';
  }
  if ((format === 'csv' || format === 'tsv') && values.template === undefined) throw new DataError(`--format ${format} needs --template, e.g. --template 'ZADD board {score} {name}'`);
  if (format !== 'csv' && format !== 'tsv' && values.columns !== undefined) throw new DataError('--columns is for csv and tsv input');
  if (format !== 'csv' && format !== 'tsv' && format !== 'ndjson' && values.template !== undefined) throw new DataError('--template is for csv, tsv and ndjson input');
  const skip = intFlag('skip', values.skip, 0, 0);
  const inFlight = intFlag('in-flight', values['in-flight'], 1, 10000);
  const maxLine = intFlag('max-line', values['max-line'], 1, DEFAULT_MAX_LINE);
  const dryRun = values['dry-run'] === true;
  const columns = values.columns?.split(format === 'tsv' ? /[,\t]/ : ',').map((c) => c.trim());
  // Checked before anything connects: a bad template is a usage error.
  if (format === 'ndjson' && values.template !== undefined) compileObjectTemplate(values.template);

  const errorsOut: Output | null = values.errors === undefined ? null : openOutput(values.errors, io);
  const options = dryRun ? null : await clientOptions(values as ConnectionValues, io);
  const input = openInput(path, io);
  const client: Ledis<boolean> | null = options === null ? null : await connectClient(options, false);

  let items: AsyncIterable<ItemBatch>;
  /** Lines read, blank ones included: a load that read everything reports them all (a file of blank lines is not "0 lines"). */
  const read: ReadCount = { lines: 0 };
  if (format === 'resp') items = respItems(input.chunks, maxLine, read);
  else if (format === 'text') items = textItems(input.chunks, maxLine, read);
  else if (format === 'ndjson') items = ndjsonItems(input.chunks, maxLine, values.template, read);
  else items = csvItems(input.chunks, { delimiter: format === 'csv' ? ',' : '\t', template: values.template as string, columns, maxLine });

  const stop = new AbortController();
  let interrupts = 0;
  let settleTimer: NodeJS.Timeout | undefined;
  let hardStop: (() => void) | null = null;
  const hardStopped = new Promise<void>((resolve) => {
    hardStop = resolve;
  });
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      // Stop reading; what is in flight settles, for at most SETTLE_MS.
      stop.abort();
      settleTimer = setTimeout(() => client?.disconnect(), SETTLE_MS);
      settleTimer.unref();
      io.stderr.write(`\nledis: interrupted: stopped reading; waiting up to ${SETTLE_MS / 1000} s for the commands in flight (Ctrl-C again to quit now)\n`);
    } else {
      // Close the connection: every command still in flight fails at once as may-have-run.
      stop.abort();
      client?.disconnect();
      input.destroy();
      hardStop?.();
    }
  };
  const signals = io.interrupts;
  signals?.on('SIGINT', onSigint);

  let lastLine = 0;
  let skipped = 0;
  let readError: Error | null = null;
  let outputError: Error | null = null;
  /** The input's item arrays (one per chunk), without the lines --skip passes over. */
  async function* source(): AsyncGenerator<readonly BulkItem[], void, undefined> {
    try {
      for await (const batch of items) {
        if (stop.signal.aborted) return;
        if (skip === 0) {
          yield batch as BulkItem[];
          continue;
        }
        const rest: BulkItem[] = [];
        for (const item of batch) {
          if (item.line <= skip) {
            if (item.line > lastLine) lastLine = item.line;
            skipped++;
          } else rest.push(item as BulkItem);
        }
        if (rest.length > 0) yield rest;
      }
    } catch (err) {
      // A read error (a truncated .gz, a file that goes away): the load ends here with its counts.
      // (After a stop, the input is closed on purpose: not an error.)
      if (!stop.signal.aborted) readError = err as Error;
    }
  }
  /** Each item bulk() takes: failures already reported wait for the --errors file to drain (one shared promise). */
  const gate = errorsOut === null ? undefined : () => errorsOut.ready();
  const onTake = (item: BulkItem) => {
    const line = (item as LoadItem | LineError).line;
    if (line > lastLine) lastLine = line;
  };

  const progress = values.quiet === true || !io.isTTY ? null : new Progress(io.stderr, input.size, dryRun);
  const mayHaveRunLines: number[] = [];
  const report = (rec: ErrorRecord) => {
    progress?.clearLine();
    io.stderr.write(errorText(rec, format) + '\n');
  };
  let summary: BulkSummary;
  try {
    const running = bulkBatches(client, source(), {
      inFlight,
      dryRun,
      signal: stop.signal,
      stopOnError: values['stop-on-error'] === true,
      onProgress: progress === null ? undefined : (p) => progress.update(p, lastLine, input.bytesRead()),
      onError: (f) => {
        const rec = errorRecord(f);
        if (rec.command === 'SELECT' && rec.kind === 'client') rec.error = 'a load runs on one db: choose it with -n/--db N (or the URL), not a SELECT line';
        if (rec.mayHaveRun) mayHaveRunLines.push(rec.line);
        if (errorsOut === null || outputError !== null) return report(rec);
        try {
          void errorsOut.write(JSON.stringify(rec) + '\n');
        } catch (err) {
          // The --errors file cannot be written (ENOSPC ...): stop reading, and say the rest on stderr.
          outputError = err as Error;
          stop.abort();
          report(rec);
        }
      },
    }, { gate, onTake });
    const hard = hardStopped.then(() => new Promise<null>((resolve) => setTimeout(() => resolve(null), 1000).unref()));
    const settled = await Promise.race([running, hard]);
    if (settled === null) {
      // Second Ctrl-C and the commands did not all settle within a second of the close: say what we know.
      const result: LoadResult = { ...emptySummary(), lastLine, skipped, mayHaveRunLines };
      io.stdout.write(summaryText(result, dryRun, values.errors) + '\n');
      io.stdout.write(`interrupted twice: commands read up to line ${lastLine} and not reported above may also have run\n`);
      return EXIT_INTERRUPTED;
    }
    summary = settled;
  } finally {
    signals?.off('SIGINT', onSigint);
    if (stop.signal.aborted) input.destroy();
    clearTimeout(settleTimer);
    progress?.stop();
    if (errorsOut !== null && outputError === null) {
      const ready = errorsOut.ready();
      if (ready) await ready;
      await errorsOut.close().catch((err: Error) => {
        outputError = err;
      });
    } else if (errorsOut !== null) {
      errorsOut.stream.destroy();
    }
    if (client !== null) await client.quit().catch(() => client.disconnect());
  }
  if (outputError === null && errorsOut?.failure()) outputError = errorsOut.failure();
  const re = readError as Error | null;
  // Read to the end: trailing blank lines count too (only then: a stopped load's resume point is the last line taken).
  if (!summary.stopped && re === null && outputError === null && interrupts === 0 && read.lines > lastLine) lastLine = read.lines;
  const result: LoadResult = { ...summary, lastLine, skipped, mayHaveRunLines };
  if (re !== null && result.lines === 0 && skipped === 0) throw re;
  if (re !== null || outputError !== null || interrupts > 0) result.stopped = true;
  const text = [summaryText(result, dryRun, values.errors)];
  if (re !== null) text.push(`read error after line ${lastLine}: ${re.message}`);
  if (outputError !== null) text.push(`cannot write ${values.errors as string}: ${(outputError as Error).message}; the failures not written there are on stderr`);
  if (interrupts > 0) text.push('interrupted (SIGINT)');
  io.stdout.write(text.join('\n') + '\n');
  if (interrupts > 0) return EXIT_INTERRUPTED;
  if (re !== null || outputError !== null) return EXIT_STOPPED;
  return result.failed > 0 ? 1 : 0;
}

function emptySummary(): BulkSummary {
  return { lines: 0, commands: 0, succeeded: 0, failed: 0, inFlight: 0, mayHaveRun: [], stopped: true, lastIndex: -1, elapsedMs: 0, rate: 0 };
}

export function summaryText(r: LoadResult, dryRun: boolean, errorsFile: string | undefined): string {
  const secs = (r.elapsedMs / 1000).toFixed(2);
  const lines = [
    `${dryRun ? 'dry run: ' : ''}${r.lastLine} lines, ${r.commands} commands${r.skipped > 0 ? ` (${r.skipped} skipped)` : ''}, ` +
      `${r.succeeded} ${dryRun ? 'valid' : 'succeeded'}, ${r.failed} failed in ${secs} s (${r.rate} commands/s)`,
  ];
  if (r.mayHaveRunLines.length > 0) {
    lines.push(
      `${r.mayHaveRunLines.length} commands may have run (written, connection lost before the reply; not sent again): lines ${ranges(r.mayHaveRunLines)}`,
    );
  }
  if (r.stopped) lines.push(`stopped after line ${r.lastLine}; lines after it were not read: resume with --skip ${r.lastLine} (re-check the failed lines first)`);
  if (r.failed > 0 && errorsFile !== undefined) lines.push(`errors written to ${errorsFile}`);
  return lines.join('\n');
}
