#!/usr/bin/env node
// The hot paths profiled by `npm run flame` (bench/flame.mjs), run in a
// process of their own so the profile holds the driver and nothing else:
//   get-c1000      1000 callers each awaiting GET in a loop, one connection
//   zadd-pipeline  100,000 ZADD through ledis.pipeline().zadd().exec(), repeated
// Usage: LEDIS_URL=ledis://127.0.0.1:PORT node bench/flame-target.mjs NAME [seconds]
import { Ledis } from '../dist/index.js';

const [name, secondsArg] = process.argv.slice(2);
const seconds = Math.min(60, Number(secondsArg ?? 8));
const url = process.env.LEDIS_URL;
if (!url) throw new Error('LEDIS_URL is not set (bench/flame.mjs sets it)');
const ledis = Ledis.fromUrl(url, { maxPending: 1_000_000, connections: 1 });
const end = Date.now() + seconds * 1000;
let ops = 0;

if (name === 'get-c1000') {
  const value = 'v'.repeat(64);
  await Promise.all(Array.from({ length: 1000 }, (_, i) => ledis.set(`flame:${String(i).padStart(10, '0')}`, value)));
  await Promise.all(
    Array.from({ length: 1000 }, async (_, i) => {
      const key = `flame:${String(i).padStart(10, '0')}`;
      while (Date.now() < end && ops < 100_000_000) {
        await ledis.get(key);
        ops++;
      }
    }),
  );
} else if (name === 'zadd-pipeline') {
  for (let round = 0; round < 50 && Date.now() < end; round++) {
    const key = `flame:zset:${round}`;
    const p = ledis.pipeline();
    for (let i = 0; i < 100_000; i++) p.zadd(key, i, `m${i}`);
    await p.exec();
    await ledis.sendCommand('ZCLEAR', key);
    ops += 100_000;
  }
} else {
  throw new Error(`unknown profile ${name} (get-c1000, zadd-pipeline)`);
}
await ledis.quit();
console.error(`${name}: ${ops} commands in ${seconds} s or less`);
