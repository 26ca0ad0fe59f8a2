// How one view of a client (the client, its buffers, withOptions, master(),
// db(n) views) turns a table entry or a raw command into a Command: the
// CommandMaker a Deployment is given with each command.
import { Command, type Transform } from './connection/command.js';
import { coalescePolicy } from './commands/coalesce.js';
import { specByCommand } from './commands/index.js';
import type { ReplyFn } from './commands/types.js';
import type { Reply } from './protocol/parser.js';
import { prefixCommand, type KeyPrefix } from './prefix.js';
import type { CommandMaker } from './routing/deployment.js';
import type { Route } from './routing/route.js';
import type { CallOptions } from './views.js';

/**
 * How one view of a client makes its Commands (a Deployment's CommandMaker):
 * replies as strings or Buffers, the key prefix, the caller's response
 * callbacks (setResponseCallback) and the view's per-call options.
 */
export class CommandMode implements CommandMaker {
  /** setResponseCallback's transforms by command name; null until one is set. */
  callbacks: Map<string, ReplyFn | null> | null = null;

  constructor(
    /** Replies as strings (true) or Buffers (false). */
    readonly decodeResponses: boolean,
    readonly keyPrefix: KeyPrefix | null,
    readonly callOptions: CallOptions | null,
    /** Error replies keep the server's text as their message (the compat faces: ioredis's and node-redis's errors). */
    readonly plainErrors = false,
  ) {}

  /** A Command for a table entry, with this view's reply transform and reply mode. */
  command(route: Route, args: unknown[]): Command {
    let transform = this.callbacks === null ? route.reply : this.callbackFor(route);
    // replyStrings: the reply is read as Buffers and decoded by the command itself (scan cursors stay bytes).
    const own = this.decodeResponses && route.replyStrings !== null && transform === route.reply;
    if (own) transform = route.replyStrings;
    const buffers = own || route.bufferReply || (!this.decodeResponses && !route.stringReply);
    let cmd: Command;
    if (this.keyPrefix !== null) {
      const prefixed = prefixCommand(this.keyPrefix, route.spec, args, transform);
      cmd = new Command(route.name, prefixed.args, prefixed.reply, buffers, route.command, route.coalesce);
    } else cmd = new Command(route.name, args, transform, buffers, route.command, route.coalesce);
    if (this.plainErrors) cmd.plainErrors = true;
    return cmd;
  }

  /** The reply transform `command(route, ...)` gives (the caller's response callback, else the entry's). */
  transformOf(route: Route): Transform | null {
    return this.callbacks === null ? route.reply : this.callbackFor(route);
  }

  /** A Command for a raw `sendCommand(name, ...args)` (name upper case): raw reply; keys prefixed as the table says for that command. */
  raw(name: string, args: unknown[]): Command {
    const spec = this.keyPrefix === null ? undefined : specByCommand.get(name);
    let cmd: Command;
    if (spec !== undefined) {
      const prefixed = prefixCommand(this.keyPrefix as KeyPrefix, spec, args, null);
      cmd = new Command(name, prefixed.args, prefixed.reply, !this.decodeResponses, name, coalescePolicy(name));
    } else cmd = new Command(name, args, null, !this.decodeResponses, name, coalescePolicy(name));
    if (this.plainErrors) cmd.plainErrors = true;
    return cmd;
  }

  /** The caller's response callback for the command the method stands for (INCR for `incr`), else for the one it sends (INCRBY, as ledis-py's incr). */
  private callbackFor(route: Route): Transform | null {
    const map = this.callbacks as Map<string, ReplyFn | null>;
    const emulated = route.spec.emulatedReply;
    if (emulated !== undefined) {
      // strlen reads GET: a STRLEN callback gets STRLEN's integer; a GET callback is not STRLEN's.
      if (!map.has(route.name)) return route.reply;
      const callback = map.get(route.name) ?? null;
      return callback === null ? emulated : (reply, args) => callback(emulated(reply, args) as Reply, args);
    }
    if (map.has(route.name)) return map.get(route.name) ?? null;
    return map.has(route.command) ? (map.get(route.command) ?? null) : route.reply;
  }
}
