// `ledis load` in every input format against the real server: good lines are
// applied, bad lines are reported with the right line number (and byte
// offset for resp), the command name and the server's text.
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { client, prefix, serverAddress } from '../helpers.js';
import { run, tempDir } from './run.js';

const ledis = client();
const tmp = tempDir('load');
afterAll(async () => {
  await ledis.quit();
  tmp.remove();
});
const url = () => `ledis://${serverAddress().host}:${serverAddress().port}`;

interface Rec {
  line: number;
  offset?: number;
  command?: string;
  kind: string;
  error: string;
  mayHaveRun: boolean;
}
const records = (file: string): Rec[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Rec)
    .sort((a, b) => a.line - b.line);

const resp = (...args: Array<string | Buffer>): Buffer =>
  Buffer.concat([
    Buffer.from(`*${args.length}\r\n`),
    ...args.flatMap((a) => {
      const b = Buffer.isBuffer(a) ? a : Buffer.from(a);
      return [Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n')];
    }),
  ]);

describe('ledis load', () => {
  it('text: redis-cli quoting, per-line errors with line numbers, server errors with their text', async () => {
    const p = prefix('text');
    const file = tmp.file('a.text');
    writeFileSync(
      file,
      [
        `SET ${p}a 1`, // 1
        `SET "${p}b c" "x\\x41\\n\\"y"`, // 2
        `SET '${p}single' 'lit\\x41'`, // 3
        '', // 4: blank, skipped
        `ZADD ${p}z 1.5 ann`, // 5: refused by the driver (fractional score)
        `SET ${p}q "unbalanced`, // 6: does not parse
        `INCR ${p}single`, // 7: server error (not a number)
        `NOSUCHCOMMAND x`, // 8: unknown command
        `SET ${p}bin "\\xff\\x00\\xfe"`, // 9
        `RPUSH ${p}l a b c`, // 10
      ].join('\n') + '\n',
    );
    const errors = tmp.file('a.errors');
    const r = await run(['load', file, '--url', url(), '--errors', errors]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/10 lines, 6 commands, 5 succeeded, 4 failed/);
    const recs = records(errors);
    expect(recs.map((e) => [e.line, e.kind, e.command])).toEqual([
      [5, 'client', 'ZADD'],
      [6, 'parse', undefined],
      [7, 'server', 'INCR'],
      [8, 'client', 'NOSUCHCOMMAND'],
    ]);
    expect(recs[2]?.error).not.toBe('');
    expect(recs[2]?.error).toBe(await ledis.sendCommand('INCR', `${p}single`).catch((e: { serverMessage: string }) => e.serverMessage));
    expect(await ledis.get(`${p}a`)).toBe('1');
    expect(await ledis.get(`${p}b c`)).toBe('xA\n"y');
    expect(await ledis.get(`${p}single`)).toBe('lit\\x41');
    const bin = await client({ decodeResponses: false });
    expect(await bin.get(`${p}bin`)).toEqual(Buffer.from([0xff, 0x00, 0xfe]));
    await bin.quit();
    expect(await ledis.lrange(`${p}l`, 0, -1)).toEqual(['a', 'b', 'c']);
  });

  it('resp: a redis-cli --pipe stream, errors with line and byte offset, resynchronised after a framing error', async () => {
    const p = prefix('resp');
    const parts = [
      resp('SET', `${p}a`, 'v1'), // starts line 1, byte 0
      resp('INCRBY', `${p}a`, '1'), // 'v1' is not a number: server error (a wrong arity is refused client-side now)
      Buffer.from('*2\r\n$3\r\nGET\r\n$x\r\n'), // framing error
      resp('SET', `${p}bin`, Buffer.from([0, 0xff, 13, 10])), // binary value with CRLF inside
      resp('HSET', `${p}h`, 'f', 'v'),
    ];
    const offsets: number[] = [];
    const lines: number[] = [];
    let off = 0;
    let line = 1;
    for (const b of parts) {
      offsets.push(off);
      lines.push(line);
      off += b.length;
      for (const byte of b) if (byte === 10) line++;
    }
    const file = tmp.file('a.resp');
    writeFileSync(file, Buffer.concat(parts));
    const errors = tmp.file('resp.errors');
    const r = await run(['load', file, '--url', url(), '--errors', errors]);
    expect(r.code).toBe(1);
    const recs = records(errors);
    expect(recs.map((e) => [e.line, e.offset, e.kind, e.command])).toEqual([
      [lines[1], offsets[1], 'server', 'INCRBY'],
      [lines[2], offsets[2], 'parse', undefined],
    ]);
    expect(recs[0]?.error).toMatch(/^strconv\.ParseInt: parsing "v1": invalid syntax$/);
    expect(await ledis.get(`${p}a`)).toBe('v1');
    expect(await ledis.hget(`${p}h`, 'f')).toBe('v');
    const bin = await client({ decodeResponses: false });
    expect(await bin.get(`${p}bin`)).toEqual(Buffer.from([0, 0xff, 13, 10]));
    await bin.quit();
  });

  it('resp on stderr: line and byte offset in the message', async () => {
    const p = prefix('resp2');
    const first = resp('SET', `${p}a`, '1');
    const stream = Buffer.concat([first, resp('ZADD', `${p}z`, 'x', 'm')]);
    const r = await run(['load', '-', '--format', 'resp', '--url', url()], { stdin: Readable.from([stream]) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`line 8 (byte ${first.length}): ZADD: `);
  });

  it('ndjson (gzipped): strings, numbers and {"base64"} elements; bad JSON and bad elements by line', async () => {
    const p = prefix('ndjson');
    const text = [
      JSON.stringify(['ZADD', `${p}z`, 42, 'ann']), // 1
      JSON.stringify(['SET', `${p}bin`, { base64: Buffer.from([0xc3, 0x28]).toString('base64') }]), // 2
      '[1,2', // 3
      JSON.stringify({ a: 1 }), // 4
      JSON.stringify(['SET', `${p}x`, null]), // 5
      JSON.stringify(['HSET', `${p}h`, 'f', 'v']), // 6
      JSON.stringify(['ZADD', `${p}z`, 'x', 'bob']), // 7
    ].join('\n');
    const file = tmp.file('a.ndjson.gz');
    writeFileSync(file, gzipSync(text));
    const errors = tmp.file('ndjson.errors');
    const r = await run(['load', file, '--url', url(), '--errors', errors]);
    expect(r.code).toBe(1);
    expect(records(errors).map((e) => [e.line, e.kind])).toEqual([
      [3, 'parse'],
      [4, 'parse'],
      [5, 'parse'],
      [7, 'client'],
    ]);
    expect(await ledis.zscore(`${p}z`, 'ann')).toBe(42);
    expect(await ledis.hget(`${p}h`, 'f')).toBe('v');
    const bin = await client({ decodeResponses: false });
    expect(await bin.get(`${p}bin`)).toEqual(Buffer.from([0xc3, 0x28]));
    await bin.quit();
  });

  it('csv with a header row and a template; quoted fields; short rows and bad quoting by line', async () => {
    const p = prefix('csv');
    const file = tmp.file('board.csv');
    writeFileSync(file, ['name,score', 'ann,42', 'bob,x', '"smith, jo",7', 'short', 'eve,"9"', 'bad,"unterminated'].join('\n') + '\n');
    const errors = tmp.file('csv.errors');
    const r = await run(['load', file, '--url', url(), '--template', `ZADD ${p}board {score} {name}`, '--errors', errors]);
    expect(r.code).toBe(1);
    expect(records(errors).map((e) => [e.line, e.kind])).toEqual([
      [3, 'client'],
      [5, 'parse'],
      [7, 'parse'],
    ]);
    expect(await ledis.zrange(`${p}board`, 0, -1, { withscores: true })).toEqual([
      ['smith, jo', 7],
      ['eve', 9],
      ['ann', 42],
    ]);
  });

  it('tsv with --columns (no header) and a template mixing text and columns', async () => {
    const p = prefix('tsv');
    const file = tmp.file('users.tsv');
    writeFileSync(file, ['ann\t42', 'bob\t43\textra', 'cy\t44'].join('\n') + '\n');
    const r = await run(['load', file, '--url', url(), '--columns', 'name,age', '--template', `HSET ${p}user:{name} age {age}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('line 2: expected 2 fields, got 3');
    expect(await ledis.hget(`${p}user:ann`, 'age')).toBe('42');
    expect(await ledis.hget(`${p}user:cy`, 'age')).toBe('44');
  });

  it('a UTF-8 byte order mark at the start of a text, ndjson, csv or tsv file is not part of the first line', async () => {
    const p = prefix('bom');
    const bom = '\ufeff';
    const inputs: Array<[string, string, string[]]> = [
      ['bom.text', `${bom}SET ${p}text 1\r\n`, []],
      ['bom.ndjson', `${bom}["SET","${p}ndjson","1"]\n`, []],
      ['bom.csv', `${bom}name,score\r\nann,1\r\n`, ['--template', `SET ${p}csv:{name} {score}`]],
      ['bom.tsv', `${bom}ann\t1\n`, ['--columns', 'name,score', '--template', `SET ${p}tsv:{name} {score}`]],
    ];
    for (const [name, body, flags] of inputs) {
      const file = tmp.file(name);
      writeFileSync(file, body);
      const r = await run(['load', file, '--url', url(), ...flags]);
      expect([name, r.code, r.stderr]).toEqual([name, 0, '']);
    }
    const stdin = await run(['load', '-', '--url', url()], { stdin: Readable.from([Buffer.from(`${bom}SET ${p}stdin 1\n`)]) });
    expect([stdin.code, stdin.stderr]).toEqual([0, '']);
    expect(await ledis.mget([`${p}text`, `${p}ndjson`, `${p}csv:ann`, `${p}tsv:ann`, `${p}stdin`])).toEqual(['1', '1', '1', '1', '1']);
  });

  it('a .gz file that is not gzip is reported as a message, not a stack trace', async () => {
    const file = tmp.file('notgzip.text.gz');
    writeFileSync(file, 'SET a 1\n');
    const r = await run(['load', file, '--url', url()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/incorrect header check/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('exit 0 and a summary when every line loads; --skip resumes after a line', async () => {
    const p = prefix('skip');
    const file = tmp.file('skip.text');
    writeFileSync(file, [1, 2, 3, 4, 5].map((i) => `SET ${p}${i} ${i}`).join('\n'));
    const r = await run(['load', file, '--url', url(), '--skip', '3']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/5 lines, 2 commands \(3 skipped\), 2 succeeded, 0 failed/);
    expect(await ledis.mget([1, 2, 3, 4, 5].map((i) => `${p}${i}`))).toEqual([null, null, null, '4', '5']);
  });

  it('--stop-on-error stops reading at the first failure and says where to resume', async () => {
    const p = prefix('stop');
    const lines = [`SET ${p}1 1`, `ZADD ${p}z nope m`, ...Array.from({ length: 5000 }, (_, i) => `SET ${p}r${i} 1`)];
    const r = await run(['load', '-', '--url', url(), '--stop-on-error', '--in-flight', '10'], { stdin: Readable.from([lines.join('\n')]) });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/stopped after line \d+; lines after it were not read: resume with --skip \d+/);
    expect(await ledis.get(`${p}1`)).toBe('1');
    expect(await ledis.get(`${p}r4999`)).toBeNull();
  });

  it('--stop-on-error at a line in the middle of a chunk: the resume point is that line, not the end of the chunk', async () => {
    // The formats hand bulk() a chunk's items at once; what was taken decides the resume point, item by item.
    const p = prefix('stopmid');
    const lines = [`SET ${p}1 1`, `SET ${p}2 "unbalanced`, ...Array.from({ length: 5000 }, (_, i) => `SET ${p}r${i} 1`)];
    const r = await run(['load', '-', '--url', url(), '--stop-on-error'], { stdin: Readable.from([lines.join('\n')]) });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^2 lines, 1 commands, 1 succeeded, 1 failed/);
    expect(r.stdout).toContain('resume with --skip 2 ');
    expect(await ledis.get(`${p}1`)).toBe('1');
    expect(await ledis.get(`${p}r0`)).toBeNull();
  });

  it('a file of only blank lines, or commands followed by blank lines, reports every line read (not "0 lines"); CRLF too', async () => {
    const p = prefix('blank');
    for (const format of ['text', 'resp', 'ndjson']) {
      const r = await run(['load', '-', '--url', url(), '--format', format], { stdin: Readable.from(['\n\r\n\n']) });
      expect(r.code, format).toBe(0);
      expect(r.stdout, format).toMatch(/^3 lines, 0 commands, 0 succeeded, 0 failed/);
    }
    const r = await run(['load', '-', '--url', url()], { stdin: Readable.from([`SET ${p}a 1\r\nSET ${p}b 2\r\n\r\n\n`]) });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^4 lines, 2 commands, 2 succeeded, 0 failed/);
    expect(await ledis.mget([`${p}a`, `${p}b`])).toEqual(['1', '2']);
  });

  it('--dry-run checks every line and connects to nothing', async () => {
    const file = tmp.file('dry.text');
    // 'GETRANGE k 0' is short of an argument: held to the measured minimum of every command (commands/arity.ts).
    writeFileSync(file, ['SET a 1', 'ZADD z 1.5 m', 'SET', 'HSET h f v', 'BLPOP l 0', 'SELECT 2', 'GETRANGE k 0'].join('\n'));
    // A port nothing listens on: a connection attempt would fail the run with exit 2.
    const r = await run(['load', file, '--dry-run', '--port', '1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/dry run: 7 lines, 2 commands, 2 valid, 5 failed/);
    expect(r.stderr.split('\n').filter(Boolean).map((l) => l.replace(/:.*/, ''))).toEqual(['line 2', 'line 3', 'line 5', 'line 6', 'line 7']);
  });

  it('usage errors and an unreachable server exit 2 with a message; the password is never printed', async () => {
    expect((await run(['load', 'x.csv', '--url', url()])).stderr).toMatch(/needs --template/);
    expect((await run(['load', '--format', 'xml'])).code).toBe(2);
    expect((await run(['load', tmp.file('missing.text'), '--url', url()])).code).toBe(2);
    const file = tmp.file('pw.text');
    writeFileSync(file, 'SET a 1\n');
    const r = await run(['load', file, '--port', '1', '--connect-timeout', '300', '--password'], { env: { LEDIS_PASSWORD: 's3cret-pw' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot connect to 127\.0\.0\.1:1/);
    const viaUrl = await run(['load', file, '--url', 'ledis://:hunter2-pw@127.0.0.1:1/0', '--connect-timeout', '300']);
    expect(viaUrl.code).toBe(2);
    expect(r.stderr + r.stdout + viaUrl.stderr + viaUrl.stdout).not.toMatch(/s3cret-pw|hunter2-pw/);
  });

  it('a line longer than --max-line is that line\'s error, in every format; the load goes on and the lines around it load', async () => {
    const p = prefix('long');
    const max = 200_000;
    const big = 'x'.repeat(max + 10);
    const fits = 'y'.repeat(max - 100);
    const cases: Array<[string, string | Buffer]> = [
      ['long.text', `SET ${p}t1 a\nSET ${p}tbig ${big}\nSET ${p}tfit ${fits}\nSET ${p}t2 b\n`],
      ['long.ndjson', [JSON.stringify(['SET', `${p}n1`, 'a']), JSON.stringify(['SET', `${p}nbig`, big]), JSON.stringify(['SET', `${p}nfit`, fits]), JSON.stringify(['SET', `${p}n2`, 'b'])].join('\n') + '\n'],
      // resp: a bulk string over the maximum (dropped by its length), then an inline line over it with no newline until far on.
      ['long.resp', Buffer.concat([resp('SET', `${p}r1`, 'a'), resp('SET', `${p}rbig`, big), resp('SET', `${p}rfit`, fits), Buffer.from(`SET ${p}rinline ${big}\r\n`), resp('SET', `${p}r2`, 'b')])],
      ['long.csv', `k,v\n${p}c1,a\n${p}cbig,${big}\n${p}c2,b\n`],
    ];
    for (const [name, body] of cases) {
      const file = tmp.file(name);
      writeFileSync(file, body);
      const errors = tmp.file(`${name}.errors`);
      const flags = name.endsWith('.csv') ? ['--template', 'SET {k} {v}'] : [];
      const r = await run(['load', file, '--url', url(), '--max-line', String(max), '--errors', errors, ...flags]);
      const recs = records(errors);
      expect([name, r.code, recs.length, recs.every((e) => e.kind === 'parse')]).toEqual([name, 1, name.endsWith('.resp') ? 2 : 1, true]);
      expect(recs[0]?.error).toMatch(/longer than the maximum|max/i);
    }
    expect(await ledis.mget([`${p}t1`, `${p}t2`, `${p}n1`, `${p}n2`, `${p}r1`, `${p}r2`, `${p}c1`, `${p}c2`])).toEqual(['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b']);
    expect(await ledis.mget([`${p}tbig`, `${p}nbig`, `${p}rbig`, `${p}rinline`, `${p}cbig`])).toEqual([null, null, null, null, null]);
    expect(await ledis.mget([`${p}tfit`, `${p}nfit`, `${p}rfit`])).toEqual([fits, fits, fits]);
  });

  it('text lines with long quoted arguments and escapes split exactly (the splitter slices runs, it does not build a byte at a time)', async () => {
    const p = prefix('quoted');
    const long = 'q'.repeat(300_000);
    const file = tmp.file('quoted.text');
    writeFileSync(file, `SET ${p}a "${long}\\x41\\n${long}" \nSET ${p}b '${long}\\'s'\nSET ${p}c ab"c d"\n`);
    const r = await run(['load', file, '--url', url()]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(await ledis.get(`${p}a`)).toBe(`${long}A\n${long}`);
    expect(await ledis.get(`${p}b`)).toBe(`${long}'s`);
    expect(await ledis.get(`${p}c`)).toBe('abc d');
  });

  it('ndjson objects through --template, nested fields by path; an object without --template, or a missing field, is that line\'s error', async () => {
    const p = prefix('objects');
    const file = tmp.file('sessions.ndjson');
    writeFileSync(
      file,
      [
        JSON.stringify({ id: 's1', user: 'ann', ts: 1700000000, meta: { ip: '10.0.0.1', tags: ['a', 'b'] } }),
        JSON.stringify({ id: 's2', user: 'bob', ts: 1700000001, meta: { ip: '10.0.0.2', tags: ['c'] } }),
        JSON.stringify({ id: 's3', ts: 5, meta: { ip: 'x', tags: [] } }), // no user
        JSON.stringify(['SET', `${p}plain`, 'array lines still work']),
      ].join('\n') + '\n',
    );
    const r = await run(['load', file, '--url', url(), '--template', `HMSET ${p}session:{id} user {user} ts {ts} ip {meta.ip} tag0 {meta.tags.0} where ip={meta.ip}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^line 3: field \{user\} is missing$/m);
    expect(await ledis.hgetall(`${p}session:s1`)).toEqual({ user: 'ann', ts: '1700000000', ip: '10.0.0.1', tag0: 'a', where: 'ip=10.0.0.1' });
    expect(await ledis.hget(`${p}session:s2`, 'user')).toBe('bob');
    expect(await ledis.get(`${p}plain`)).toBe('array lines still work');
    const bare = await run(['load', file, '--url', url()]);
    expect(bare.stderr).toMatch(/^line 1: a JSON object needs --template/m);
  });

  it('a SELECT line is told to use -n/--db', async () => {
    const r = await run(['load', '-', '--url', url()], { stdin: Readable.from(['SELECT 2\n']) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/line 1: SELECT: .*-n\/--db/);
  });

  it('ledis --help lists the commands; each command has its own help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/load \[FILE\|-\]/);
    expect(r.stdout).toMatch(/export/);
    expect((await run(['load', '--help'])).stdout).toMatch(/--template/);
    expect((await run(['export', '--help'])).stdout).toMatch(/--type/);
  });
});
