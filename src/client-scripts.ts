// How a Ledis client runs scripts through reply keys (scriptReplies
// 'via-key'): the table's eval/evalsha/scriptLoad/scriptExists, a raw
// EVAL/EVALSHA/SCRIPT, and defineCommand's calls. The rewrite itself (the
// Lua wrapper, SHA1s, the reply key) is src/commands/script-stash.ts.
import { SCRIPT_COMMANDS, ScriptReplies, type ScriptPlan } from './commands/script-stash.js';
import { asLedisError, UnexpectedReplyError } from './errors.js';
import type { CommandMode } from './mode.js';
import { runTogether, type CommandSource } from './pipeline.js';
import type { Reply } from './protocol/parser.js';
import type { Deployment } from './routing/deployment.js';
import type { Route } from './routing/route.js';

/** One client's (or view's) scripts: its deployment, its reply mode, its key prefix. */
export class ClientScripts {
  private source: CommandSource | null = null;
  private readonly replies: ScriptReplies;

  constructor(
    private readonly deployment: Deployment,
    private readonly mode: CommandMode,
    keyPrefix: string,
  ) {
    this.replies = new ScriptReplies(keyPrefix);
  }

  /** A table command with `route.script`: through a reply key, then the entry's reply shape (or the caller's response callback). */
  async run(route: Route, args: unknown[]): Promise<unknown> {
    const plan = this.replies.rewrite({ commands: [{ name: route.command, args }] });
    if (plan === null) return this.deployment.run(route, args, this.mode);
    let value = await this.together(plan, this.mode.decodeResponses || route.stringReply);
    if (route.stringReply && Buffer.isBuffer(value)) value = value.toString();
    const transform = this.mode.transformOf(route);
    if (transform === null) return value;
    try {
      return transform(value as Reply, args);
    } catch (err) {
      throw asLedisError(err, UnexpectedReplyError);
    }
  }

  /** A raw command (`name` upper case) through a reply key; null when it is not one to rewrite (send it as it is). */
  raw(name: string, args: unknown[]): Promise<Reply> | null {
    if (!SCRIPT_COMMANDS.has(name)) return null;
    const plan = this.replies.rewrite({ commands: [{ name, args }] });
    return plan === null ? null : (this.together(plan, this.mode.decodeResponses) as Promise<Reply>);
  }

  /** Remembers a script's source (defineCommand): its first EVALSHA then names the wrapped script. */
  know(source: string): void {
    this.replies.know(source);
  }

  /** A rewritten plan as one batch on one connection (a reply key is read right after its script ran). */
  private async together(plan: ScriptPlan, strings: boolean): Promise<unknown> {
    const source = (this.source ??= this.deployment.pipelineSource(this.mode));
    return plan.run((commands) => runTogether(source, commands), strings);
  }
}
