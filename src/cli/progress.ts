// The progress line of `ledis load` on a terminal, drawn by cli-progress (a
// well-kept progress-bar library: redraw throttling, ETA smoothing and
// terminal handling we would otherwise write ourselves).
import cliProgress from 'cli-progress';
import type { Writable } from 'node:stream';
import type { BulkProgress } from '../bulk/index.js';

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export class Progress {
  private readonly bar: cliProgress.SingleBar;
  private readonly started = Date.now();
  private readonly size: number | null;
  private active = true;

  /** `size`: bytes of the input as stored, when known (then the bar, percentage and ETA are shown). */
  constructor(stream: Writable, size: number | null, dryRun: boolean) {
    this.size = size;
    const counts = `{lines} lines | {acked} ${dryRun ? 'checked' : 'acked'} | {errors} errors | {rate}/s | {bytes}`;
    this.bar = new cliProgress.SingleBar(
      {
        stream: stream as unknown as NodeJS.WritableStream,
        format: size !== null && size > 0 ? `{bar} {percentage}% | ${counts} | ETA {eta_formatted}` : counts,
        hideCursor: true,
        clearOnComplete: false,
        fps: 5,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(size !== null && size > 0 ? size : 1, 0, { lines: 0, acked: 0, errors: 0, rate: 0, bytes: bytes(0) });
  }

  update(p: BulkProgress, lastLine: number, bytesRead: number): void {
    if (!this.active) return;
    const secs = Math.max(0.001, (Date.now() - this.started) / 1000);
    const settled = p.succeeded + p.failed;
    const payload = { lines: lastLine, acked: p.succeeded, errors: p.failed, rate: Math.round(settled / secs), bytes: bytes(bytesRead) };
    this.bar.update(this.size !== null && this.size > 0 ? Math.min(bytesRead, this.size) : 0, payload);
  }

  /** Clears the bar's line before other output goes to the same terminal (redrawn on the next update). */
  clearLine(): void {
    if (!this.active) return;
    const s = (this.bar as unknown as { terminal?: { clearLine(): void; cursorTo(x: number): void } }).terminal;
    if (s !== undefined) {
      s.cursorTo(0);
      s.clearLine();
    }
  }

  stop(): void {
    if (!this.active) return;
    this.active = false;
    this.bar.stop();
  }
}
