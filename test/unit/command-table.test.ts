// Reads LedisDB's own source (the pinned module in the Go module cache, which
// the test run's server build downloads) and the driver's command table.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientMethods, commandTable } from '../../src/commands/index.js';
import { Ledis } from '../../src/index.js';
import {
  END,
  EXCLUDED,
  START,
  methodsByCommand,
  missingCommands,
  registeredCommands,
  renderTable,
  // @ts-ignore -- plain ESM script
} from '../../tools/command-table.mjs';

type Registered = { command: string; file: string };
const commands: Registered[] = registeredCommands();
const byCommand: Map<string, { method: string; sends: string }[]> = methodsByCommand(commands, commandTable, clientMethods);

describe('the command surface against the LedisDB source', () => {
  it('finds the commands LedisDB registers (sanity: well over a hundred, GET and XSCAN among them)', () => {
    expect(commands.length).toBeGreaterThan(140);
    expect(commands.map((c) => c.command)).toEqual(expect.arrayContaining(['get', 'xscan', 'bitop', 'slaveof', 'quit', 'xselect']));
  });

  it('every command LedisDB accepts has a method, except the listed server-internal ones', () => {
    expect(missingCommands(commands, byCommand)).toEqual([]);
  });

  it('every exclusion names a command LedisDB really has, and none of them has a method', () => {
    const names = new Set(commands.map((c) => c.command));
    for (const excluded of Object.keys(EXCLUDED)) {
      expect(names.has(excluded), excluded).toBe(true);
      expect(byCommand.get(excluded), excluded).toEqual([]);
    }
  });

  it('every table entry sends a command LedisDB knows', () => {
    const known = new Set(commands.map((c) => c.command.toUpperCase()));
    const unknown = Object.entries(commandTable).filter(([, spec]) => !known.has(spec.command));
    expect(unknown).toEqual([]);
  });

  it('the out-of-table methods listed for the README are methods of Ledis', () => {
    for (const method of Object.keys(clientMethods)) {
      expect(typeof (Ledis.prototype as unknown as Record<string, unknown>)[method], method).toBe('function');
    }
  });

  it("README.md's command list is the one tools/command-table.mjs generates now", () => {
    const readme = readFileSync(path.join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start, 'README.md has no generated command list: run `npm run commands`').toBeGreaterThanOrEqual(0);
    expect(readme.slice(start, end + END.length), 'README.md command list is stale: run `npm run commands`').toBe(
      renderTable(commands, byCommand),
    );
  });
});
