// The command table's methods on the client: `ledis.get(key)` and every
// other table entry, shaped and checked here, then run by the client.
import { minArgsOf, tooFewArguments } from './commands/arity.js';
import { commandTable } from './commands/index.js';
import { asLedisError, DataError } from './errors.js';
import { routeOf, type Route } from './routing/route.js';

/** The client as the command methods below see it: `run` is private to the class, not to this module. */
interface Runner {
  run(route: Route, args: unknown[]): Promise<unknown>;
}

/**
 * Defines one method per command table entry on `proto` (Ledis.prototype):
 * arguments shaped by the entry (a DataError on bad ones), arity checked,
 * then `run` with the entry's Route. Called once, when client.ts loads;
 * nothing of it runs per command but the method itself.
 */
export function installCommandMethods(proto: object): void {
  const classAuth = Object.getOwnPropertyDescriptor(proto, 'auth')?.value as unknown;
  for (const [method, spec] of Object.entries(commandTable)) {
    const shape = spec.args;
    const route = routeOf(spec);
    const minArgs = minArgsOf(spec);
    const fn =
      shape === undefined
        ? function (this: Runner, ...a: unknown[]): Promise<unknown> {
            if (a.length < minArgs) return Promise.reject(tooFewArguments(method, spec, a.length));
            return this.run(route, a);
          }
        : function (this: Runner, ...a: unknown[]): Promise<unknown> {
            let args: unknown[];
            try {
              args = shape(...a);
            } catch (err) {
              return Promise.reject(asLedisError(err, DataError));
            }
            if (args.length < minArgs) return Promise.reject(tooFewArguments(method, spec, args.length));
            return this.run(route, args);
          };
    Object.defineProperty(fn, 'name', { value: method });
    Object.defineProperty(proto, method, { value: fn, writable: true, configurable: true });
  }
  // AUTH is not sent as a table command on a shared connection: see Ledis#auth (auth.ts).
  Object.defineProperty(proto, 'auth', { value: classAuth, writable: true, configurable: true });
}
