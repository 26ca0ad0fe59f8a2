// The progress display on stderr: one updating line on a terminal, one line
// per finished unit otherwise (CI logs).

function clock(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export class Progress {
  /** @param {number} total units planned */
  constructor(total) {
    this.total = Math.max(1, total);
    this.doneCount = 0;
    this.started = Date.now();
    this.label = '';
    this.tty = process.stderr.isTTY === true;
  }

  prefix() {
    const elapsed = Date.now() - this.started;
    const eta = this.doneCount > 0 ? (elapsed / this.doneCount) * (this.total - this.doneCount) : NaN;
    const n = String(this.total).length;
    return `[${String(this.doneCount + 1).padStart(n)}/${this.total}] ${clock(elapsed)}${Number.isFinite(eta) ? ` eta ${clock(eta)}` : ''}`;
  }

  /** @param {string} label */
  start(label) {
    this.label = label;
    if (this.tty) process.stderr.write(`\r\x1b[K${this.prefix()} ${label} ...`);
  }

  /** @param {string} outcome */
  done(outcome) {
    const line = `${this.prefix()} ${this.label}: ${outcome}`;
    this.doneCount = Math.min(this.total - 1, this.doneCount + 1);
    process.stderr.write(this.tty ? `\r\x1b[K${line}` : `${line}\n`);
  }

  /** A message that stays on screen. */
  note(text) {
    process.stderr.write(this.tty ? `\r\x1b[K${text}\n` : `${text}\n`);
  }

  finish() {
    if (this.tty) process.stderr.write('\n');
    process.stderr.write(`finished in ${clock(Date.now() - this.started)}\n`);
  }
}
