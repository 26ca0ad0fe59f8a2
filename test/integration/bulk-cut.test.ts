// A connection cut through Toxiproxy in the middle of `ledis load`: the
// commands written and unanswered are reported as "may have run" with their
// line numbers, nothing is sent twice, and the rest of the file still loads.
// Every line is an INCR of its own key, so a key at 2 would be a line applied twice.
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { client, prefix } from '../helpers.js';
import { proxyFixture } from '../faults/fixture.js';
import { run, tempDir } from '../cli/run.js';

const ledis = client();
const tmp = tempDir('cut');
afterAll(async () => {
  await ledis.quit();
  tmp.remove();
});
const { freshProxy, through } = proxyFixture('bulkcut');

const N = 20000;
const IN_FLIGHT = 2000;

describe('ledis load through a cut', () => {
  it('reports the lines that may have run, applies nothing twice, and loads the rest', async () => {
    const p = prefix('cut');
    const proxy = await freshProxy();
    let cutting: Promise<void> | null = null;
    async function* input(): AsyncGenerator<string> {
      for (let chunk = 0; chunk < N / 100; chunk++) {
        if (chunk === 40 && cutting === null) {
          // Replies stop coming back (the toxic drops them): the load fills its in-flight bound and waits.
          const toxic = await proxy.addToxic({ type: 'timeout', stream: 'downstream', attributes: { timeout: 0 } });
          cutting = (async () => {
            await new Promise((r) => setTimeout(r, 400));
            await toxic.remove();
            await proxy.cut();
          })();
        }
        let text = '';
        for (let i = chunk * 100; i < chunk * 100 + 100; i++) text += `INCR ${p}${i}\n`;
        yield text;
      }
    }
    const errors = tmp.file('cut.errors');
    const r = await run(['load', '-', '--url', `ledis://${proxy.host}:${proxy.port}`, '--in-flight', String(IN_FLIGHT), '--errors', errors], {
      stdin: Readable.from(input()),
    });
    await cutting;
    expect(r.code).toBe(1);
    const recs = readFileSync(errors, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { line: number; mayHaveRun: boolean; kind: string });
    const mayHaveRun = new Set(recs.filter((e) => e.mayHaveRun).map((e) => e.line));
    const failed = new Set(recs.map((e) => e.line));
    // The cut caught commands in flight, and said so, by line.
    expect(mayHaveRun.size).toBeGreaterThan(0);
    // At most the in-flight window per loss; removing the toxic can close the link too (a second loss).
    expect(mayHaveRun.size).toBeLessThanOrEqual(2 * IN_FLIGHT);
    expect(r.stdout).toMatch(new RegExp(`${mayHaveRun.size} commands may have run .*lines \\d+`));
    expect(r.stdout).toMatch(new RegExp(`${N} lines, ${N} commands, ${N - failed.size} succeeded, ${failed.size} failed`));
    const counts = { one: 0, none: 0 };
    for (let from = 0; from < N; from += 1000) {
      const keys = Array.from({ length: 1000 }, (_, j) => `${p}${from + j}`);
      const values = await ledis.mget(keys);
      values.forEach((v, j) => {
        const line = from + j + 1;
        // Nothing applied twice, ever.
        expect(v === null || v === '1').toBe(true);
        if (v === '1') counts.one++;
        else counts.none++;
        // A line not reported as failed ran exactly once; a line that did not run was reported.
        if (!failed.has(line)) expect(v).toBe('1');
        if (v === null) expect(failed.has(line)).toBe(true);
      });
    }
    // The rest of the file went through after the reconnect.
    expect(counts.one).toBeGreaterThan(N - IN_FLIGHT - 1000);
  }, 60000);

  it('stops reading when a whole in-flight window is lost to connection errors (server unreachable), instead of failing the rest one by one', async () => {
    const p = prefix('gone');
    const proxy = await freshProxy();
    const ledis = through(proxy, { retryStrategy: () => null });
    await ledis.connect();
    let read = 0;
    const summary = await ledis.bulk(
      (async function* () {
        for (let i = 0; i < 1_000_000; i++) {
          read++;
          if (i === 5000) await proxy.setEnabled(false);
          yield ['SET', `${p}${i % 10}`, i];
        }
      })(),
      { inFlight: 500 },
    );
    expect(summary.stopped).toBe(true);
    expect(read).toBeLessThan(5000 + 3 * 500 + 256);
    expect(summary.lines).toBe(read);
    expect(summary.succeeded + summary.failed).toBe(summary.lines);
    expect(summary.succeeded).toBeGreaterThanOrEqual(4000);
  }, 30000);
});
