// Finds (or installs with apt-get) twemproxy's `nutcracker` for the sharding
// tests; where it cannot be had, the tests that need it are skipped with the reason.
// @ts-ignore -- plain ESM script, typed through JSDoc
import { ensureNutcracker, startShards } from '../../tools/shards.mjs';

const found: { bin: string | null; reason: string | null } = ensureNutcracker();
if (found.bin === null) console.warn(`skipping the twemproxy tests: ${found.reason}`);

/** True when nutcracker is missing (the reason was printed). */
export const noNutcracker: boolean = found.bin === null;

export interface Member {
  host: string;
  port: number;
  weight: number;
  name?: string;
}
export interface RunningServer {
  host: string;
  port: number;
  url: string;
  pid: number;
  stop(): Promise<void>;
  kill(): Promise<void>;
}
export interface Shards {
  servers: RunningServer[];
  members: Member[];
  lines: string[];
  proxy: { host: string; port: number; url: string; pid: number; stop(): Promise<void> } | null;
  stop(): Promise<void>;
}

export const start = startShards as (opts?: {
  count?: number;
  weights?: number[];
  names?: string[] | boolean;
  hashTag?: string | null;
  proxy?: boolean;
  timeout?: number;
}) => Promise<Shards>;
