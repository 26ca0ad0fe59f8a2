/**
 * A connection's one deadline timer. When it fires, the check is deferred
 * with setImmediate: timers run before the event loop's poll phase, so a
 * check made right away would judge commands whose replies are already in
 * the socket's buffer, unread. After the poll phase has read them, those
 * commands are answered and only the rest time out.
 */
export class DeadlineTimer {
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private at = 0;
  private readonly check: () => void;

  /** `check` runs after the I/O that was ready when the earliest armed deadline passed. */
  constructor(check: () => void) {
    this.check = check;
  }

  /** Makes sure a check runs at `at` (Date.now() ms) or earlier; 0 and Infinity mean never. */
  arm(at: number): void {
    if (at <= 0 || at === Infinity) return;
    // A check is about to run: it arms the next deadline itself.
    if (this.immediate !== null) return;
    if (this.timer !== null) {
      if (this.at <= at) return;
      clearTimeout(this.timer);
    }
    this.at = at;
    this.timer = setTimeout(fire, Math.max(0, at - Date.now()) + 1, this);
  }

  get armed(): boolean {
    return this.timer !== null || this.immediate !== null;
  }

  clear(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }

  /** @internal */
  fired(): void {
    this.timer = null;
    this.immediate = setImmediate(runCheck, this);
  }

  /** @internal */
  run(): void {
    this.immediate = null;
    this.check();
  }
}

function fire(t: DeadlineTimer): void {
  t.fired();
}

function runCheck(t: DeadlineTimer): void {
  t.run();
}
