// How the compat faces run scripts without filling LedisDB's Lua stack (see
// src/commands/script-stash.ts for the server's limit and the wrapper).
//
// A plan's EVAL becomes: EVAL <wrapped source> (the one-off key appended to
// ARGV), GET <key>, DEL <key>, written together on one connection; its reply
// is the stored one. SHA1s stay the caller's: SCRIPT LOAD loads the wrapped
// source and answers the SHA1 of the caller's source, EVALSHA and SCRIPT
// EXISTS of a SHA1 seen here name the wrapped script. An EVALSHA of a script
// this engine has not seen goes as it is (the server may answer NOSCRIPT;
// ioredis's defineCommand and rate-limit-redis then send EVAL, which is
// wrapped from then on).
import { randomBytes } from 'node:crypto';
import { decodeStash, scriptSha, wrapScript } from '../commands/script-stash.js';
import type { Plan, WireCommand } from '../commands/translate.js';
import { asLedisError, UnexpectedReplyError } from '../errors.js';
import type { Reply } from '../protocol/parser.js';

/** The command names a plan must contain for `rewrite` to change it. */
export const SCRIPT_COMMANDS: ReadonlySet<string> = new Set(['EVAL', 'EVALSHA', 'SCRIPT']);

/** Most SHA1s remembered (each a pair of 40-character strings); past it the table starts again. */
const MAX_SCRIPTS = 4096;

type Segment =
  | { kind: 'same'; at: number }
  | { kind: 'run'; at: number; command: string }
  | { kind: 'load'; at: number; sha: string };

function wordOf(v: unknown): string {
  return typeof v === 'string' ? v.toUpperCase() : Buffer.isBuffer(v) ? v.toString('latin1').toUpperCase() : '';
}

function shaArg(v: unknown): string | null {
  const s = typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('latin1') : null;
  return s === null ? null : s.toLowerCase();
}

function isSource(v: unknown): v is string | Buffer {
  return typeof v === 'string' || Buffer.isBuffer(v);
}

/** A command's outcome in a batch, as Pipeline#execSettled gives it. */
export type Outcome = { ok: true; value: unknown } | { ok: false; error: Error };

/**
 * A rewritten plan: its commands go out as one batch, and `settle` takes
 * every command's outcome, failures included: a script's EVAL can fail on a
 * stack other clients' scripts left dirty (LedisDB reads the reply with
 * `l.Get(-1)`) while its stored reply is right. Throws what the caller gets.
 */
export interface ScriptPlan {
  readonly commands: readonly WireCommand[];
  settle(outcomes: readonly Outcome[], strings: boolean): unknown;
}

/** One engine's scripts: the wrapped SHA1 of each source seen, and the one-off reply keys. */
export class ScriptReplies {
  private readonly wrappedSha = new Map<string, string>();
  private readonly id = randomBytes(6).toString('base64url');
  private next = 0;

  /** `keyPrefix`: the face's key prefix, which GET/DEL of a reply key get and the script's own SETEX must use too. */
  constructor(private readonly keyPrefix: string) {}

  /** Remembers `source` (defineCommand knows it before the first EVALSHA): EVALSHA of its SHA1 then names the wrapped script. */
  know(source: string | Buffer): void {
    this.wrapped(source);
  }

  /**
   * `plan` with its EVAL, EVALSHA (of a known script), SCRIPT LOAD and
   * SCRIPT EXISTS rewritten; null when it has none. The plan's commands must
   * go out together on one connection (a Pipeline), in order.
   */
  rewrite(plan: Plan): ScriptPlan | null {
    const source = plan.commands;
    let changed = false;
    const commands: WireCommand[] = [];
    const segments: Segment[] = [];
    for (const c of source) {
      const at = commands.length;
      const args = c.args;
      if ((c.name === 'EVAL' && isSource(args[0])) || (c.name === 'EVALSHA' && this.wrappedSha.has(shaArg(args[0]) ?? ''))) {
        const first = c.name === 'EVAL' ? this.wrapped(args[0] as string | Buffer).body : (this.wrappedSha.get(shaArg(args[0]) as string) as string);
        const key = `ledis:script-reply:${this.id}:${(this.next = (this.next + 1) % Number.MAX_SAFE_INTEGER)}`;
        const rest = args.slice(1);
        rest.push(this.keyPrefix + key);
        commands.push({ name: c.name, args: [first, ...rest], buffers: c.buffers }, { name: 'GET', args: [key], buffers: true }, { name: 'DEL', args: [key] });
        segments.push({ kind: 'run', at, command: c.name });
        changed = true;
      } else if (c.name === 'SCRIPT' && wordOf(args[0]) === 'LOAD' && args.length === 2 && isSource(args[1])) {
        const w = this.wrapped(args[1]);
        commands.push({ name: 'SCRIPT', args: [args[0], w.body], buffers: c.buffers });
        segments.push({ kind: 'load', at, sha: w.sha });
        changed = true;
      } else if (c.name === 'SCRIPT' && wordOf(args[0]) === 'EXISTS') {
        const mapped = args.map((a, i) => (i === 0 ? a : (this.wrappedSha.get(shaArg(a) ?? '') ?? a)));
        commands.push({ name: 'SCRIPT', args: mapped, buffers: c.buffers });
        segments.push({ kind: 'same', at });
        changed = true;
      } else {
        commands.push(c);
        segments.push({ kind: 'same', at });
      }
    }
    if (!changed) return null;
    const reply = plan.reply;
    return {
      commands,
      settle: (outcomes, strings) => {
        const original: Reply[] = new Array(segments.length);
        for (let i = 0; i < segments.length; i++) original[i] = collapse(segments[i] as Segment, outcomes, strings);
        if (reply === undefined) return original[0];
        try {
          return reply(original, strings);
        } catch (err) {
          throw asLedisError(err, UnexpectedReplyError);
        }
      },
    };
  }

  private wrapped(source: string | Buffer): { body: string | Buffer; sha: string } {
    const sha = scriptSha(source);
    const body = wrapScript(source);
    if (!this.wrappedSha.has(sha)) {
      if (this.wrappedSha.size >= MAX_SCRIPTS) this.wrappedSha.clear();
      this.wrappedSha.set(sha, scriptSha(body));
    }
    return { body, sha };
  }
}

/** A rewritten command's reply as the caller's command would have had it; throws its failure. */
function collapse(s: Segment, outcomes: readonly Outcome[], strings: boolean): Reply {
  const own = outcomes[s.at] as Outcome;
  if (s.kind === 'run') {
    const stored = outcomes[s.at + 1] as Outcome;
    if (stored.ok && Buffer.isBuffer(stored.value)) return decodeStash(stored.value, strings, s.command);
    // Not stored (the server refused the wrapper's SETEX): the script returned its value as LedisDB does.
    if (!own.ok) throw own.error;
    if (!stored.ok) throw stored.error;
    return own.value as Reply;
  }
  if (!own.ok) throw own.error;
  return s.kind === 'load' ? (strings ? s.sha : Buffer.from(s.sha)) : (own.value as Reply);
}
