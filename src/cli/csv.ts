// `csv` / `tsv` input: rows through csv-parse (streaming, RFC 4180 quoting,
// a well-kept parser rather than our own), each row turned into a command
// by a template such as `ZADD board {score} {name}`.
import { parse } from 'csv-parse';
import { Readable } from 'node:stream';
import { DataError } from '../errors.js';
import { LineError, splitArgs, tooLong, type ItemBatch } from './formats.js';

/** One word of a template: literal text, a whole column, or text with `{column}` placeholders. */
type Part = { kind: 'literal'; value: string } | { kind: 'column'; index: number } | { kind: 'mixed'; pieces: Array<string | number> };

export interface Template {
  parts: Part[];
  columns: string[];
}

/**
 * Compiles `--template` against the column names: words split by the `text`
 * rules (quotes allowed), `{name}` replaced by that column's value. A word
 * that is exactly `{name}` sends the value's bytes as they are. Throws
 * DataError for an unknown column or an empty template.
 */
export function compileTemplate(template: string, columns: readonly string[]): Template {
  let words: Array<string | Buffer>;
  try {
    words = splitArgs(Buffer.from(template, 'utf8'));
  } catch (err) {
    throw new DataError(`--template: ${(err as Error).message}`);
  }
  if (words.length === 0) throw new DataError('--template is empty');
  const lookup = (name: string): number => {
    const i = columns.indexOf(name);
    if (i === -1) throw new DataError(`--template names column {${name}}, but the columns are ${columns.map((c) => JSON.stringify(c)).join(', ')}`);
    return i;
  };
  const parts: Part[] = words.map((w) => {
    const word = typeof w === 'string' ? w : w.toString('utf8');
    const whole = /^\{([^{}]+)\}$/.exec(word);
    if (whole !== null) return { kind: 'column', index: lookup(whole[1] as string) };
    if (!/\{[^{}]+\}/.test(word)) return { kind: 'literal', value: word };
    const pieces: Array<string | number> = [];
    let last = 0;
    for (const m of word.matchAll(/\{([^{}]+)\}/g)) {
      if (m.index > last) pieces.push(word.slice(last, m.index));
      pieces.push(lookup(m[1] as string));
      last = m.index + m[0].length;
    }
    if (last < word.length) pieces.push(word.slice(last));
    return { kind: 'mixed', pieces };
  });
  if (parts[0]?.kind !== 'literal') throw new DataError('--template must start with the command name');
  return { parts, columns: columns.slice() };
}

function apply(t: Template, row: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of t.parts) {
    if (p.kind === 'literal') out.push(p.value);
    else if (p.kind === 'column') out.push(row[p.index] as string);
    else {
      let s = '';
      for (const piece of p.pieces) s += typeof piece === 'number' ? row[piece] : piece;
      out.push(s);
    }
  }
  return out;
}

export interface CsvOptions {
  delimiter: ',' | '\t';
  template: string;
  /** Column names; without them the first row is the header. */
  columns?: string[];
  /** Most bytes of one record; a longer one is that record's error. */
  maxLine?: number;
}

/**
 * Rows of a CSV/TSV stream as commands. A row that does not parse, or has
 * the wrong number of fields, is a LineError with its line number; a bad
 * template (unknown column) throws DataError before any row is used.
 * Yields arrays of items (as the other formats do; here one row each).
 */
export async function* csvItems(chunks: AsyncIterable<Buffer>, options: CsvOptions): AsyncGenerator<ItemBatch, void, undefined> {
  let template: Template | null = options.columns === undefined ? null : compileTemplate(options.template, options.columns);
  const skipped: LineError[] = [];
  const parser = parse({
    delimiter: options.delimiter,
    info: true,
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    // csv-parse's own quoting rules; TSV has no quoting (a " is data).
    quote: options.delimiter === '\t' ? false : '"',
    on_skip: (err) => {
      if (err !== undefined) skipped.push(new LineError(err.message.replace(/^Invalid /, 'invalid '), Number(err.lines ?? 0), -1));
      return undefined;
    },
  });
  // A line over the maximum is cut here, before csv-parse holds it (its own max_record_size drops the rest of the chunk).
  const source = Readable.from(options.maxLine === undefined ? chunks : limitLines(chunks, options.maxLine), { objectMode: false });
  source.on('error', (err) => parser.destroy(err));
  source.pipe(parser);
  for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    if (skipped.length > 0) yield skipped.splice(0);
    const line = rec.info.lines;
    const cut = tooLongIn(rec.record);
    if (cut !== null) {
      yield [new LineError(tooLong(cut, options.maxLine as number), line, -1)];
      continue;
    }
    if (template === null) {
      template = compileTemplate(options.template, rec.record);
      continue;
    }
    if (rec.record.length !== template.columns.length) {
      yield [new LineError(`expected ${template.columns.length} fields, got ${rec.record.length}`, line, -1)];
      continue;
    }
    const words = apply(template, rec.record);
    yield [{ command: words[0] as string, args: words.slice(1), line, offset: -1 }];
  }
  if (skipped.length > 0) yield skipped.splice(0);
}

/** Put in place of the rest of a line over the maximum: NUL is not CSV text, so no real field holds it. */
const CUT = '\u0000ledis:line-too-long:';

/** The length of the line that was cut, when a field of the record holds the mark, else null. */
function tooLongIn(record: readonly string[]): number | null {
  for (const f of record) {
    const at = f.indexOf(CUT);
    if (at !== -1) return Number(f.slice(at + CUT.length));
  }
  return null;
}

/**
 * The chunks with every line over `max` bytes cut: its first `max` bytes
 * (already passed on) are followed by the mark and its length, the rest is
 * dropped as it arrives. Memory: one chunk.
 */
async function* limitLines(chunks: AsyncIterable<Buffer>, max: number): AsyncGenerator<Buffer, void, undefined> {
  /** Bytes of the current line passed on so far, or (dropping) its whole length so far. */
  let run = 0;
  let dropping = false;
  for await (const c of chunks) {
    const out: Buffer[] = [];
    let pos = 0;
    while (pos < c.length) {
      const nl = c.indexOf(10, pos);
      const end = nl === -1 ? c.length : nl;
      const len = end - pos;
      if (dropping) {
        run += len;
      } else if (run + len > max) {
        out.push(c.subarray(pos, pos + (max - run)));
        run += len;
        dropping = true;
      } else {
        out.push(c.subarray(pos, end));
        run += len;
      }
      if (nl === -1) break;
      if (dropping) out.push(Buffer.from(`${CUT}${run}`, 'latin1'));
      out.push(NEWLINE);
      dropping = false;
      run = 0;
      pos = nl + 1;
    }
    if (out.length > 0) yield out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out);
  }
  if (dropping) yield Buffer.from(`${CUT}${run}`, 'latin1');
}

const NEWLINE = Buffer.from('\n');
