// A table entry as the routing floor reads it: one fixed shape per command.
import { specByCommand } from '../commands/index.js';
import { coalescePolicy } from '../commands/coalesce.js';
import { SCRIPT_COMMANDS } from '../commands/script-stash.js';
import type { CommandSpec, ReplyFn } from '../commands/types.js';
import type { CoalescePolicy } from '../connection/command.js';

/**
 * A table entry read once into one fixed shape: the per-command path reads
 * these fields (one hidden class) instead of the table's object literals (one
 * hidden class per shape of entry).
 */
export class Route {
  /** The command as sent. */
  readonly command: string;
  /** The command as errors name it (CommandSpec.name): INCR for `incr`, which sends INCRBY. */
  readonly name: string;
  readonly readonly: boolean;
  /** Blocking, or may crash its handler: never the plain shared path. */
  readonly special: boolean;
  readonly reply: ReplyFn | null;
  /** The transform for string-mode clients of a command that reads Buffers and decodes itself (CommandSpec.replyStrings). */
  readonly replyStrings: ReplyFn | null;
  readonly bufferReply: boolean;
  readonly stringReply: boolean;
  /** How the command sent joins others of its kind (src/commands/coalesce.ts); null for none. */
  readonly coalesce: CoalescePolicy | null;
  /** EVAL, EVALSHA or SCRIPT: a client may run it through a reply key (src/commands/script-stash.ts). */
  readonly script: boolean;

  constructor(readonly spec: CommandSpec) {
    this.command = spec.command;
    this.name = spec.name ?? spec.command;
    this.readonly = spec.readonly === true;
    this.special = spec.blocking === true || spec.isolate !== undefined;
    this.reply = spec.reply ?? null;
    this.replyStrings = spec.replyStrings ?? null;
    this.bufferReply = spec.bufferReply === true;
    this.stringReply = spec.stringReply === true;
    this.coalesce = coalescePolicy(spec.command);
    this.script = SCRIPT_COMMANDS.has(spec.command);
  }
}

const routes = new WeakMap<CommandSpec, Route>();

/** The Route of a table entry (made once per entry). */
export function routeOf(spec: CommandSpec): Route {
  let route = routes.get(spec);
  if (route === undefined) {
    route = new Route(spec);
    routes.set(spec, route);
  }
  return route;
}

/** The spec of a raw command (sendCommand, a pipeline's sendCommand): the table's entry for that name, if any. */
export function specForName(name: string): CommandSpec {
  return specByCommand.get(name) ?? { command: name };
}

/** The Route of a raw command by name: the table entry's, or a keyless one (not cached: names are the caller's). */
export function routeForName(name: string): Route {
  const spec = specByCommand.get(name);
  return spec === undefined ? new Route({ command: name }) : routeOf(spec);
}
