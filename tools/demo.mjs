#!/usr/bin/env node
// Starts a local LedisDB, connects with the built driver, runs a few commands
// and prints what happened.
import { startLedisServer } from './server.mjs';
import { Ledis } from '../dist/index.js';

const server = await startLedisServer({ quiet: true });
console.log(`LedisDB started on ${server.address}`);
const ledis = new Ledis({ host: server.host, port: server.port });
try {
  const show = async (label, promise) => console.log(`${label.padEnd(42)} -> ${JSON.stringify(await promise)}`);
  await show('ping()', ledis.ping());
  await show("set('greeting', 'hello')", ledis.set('greeting', 'hello'));
  await show("get('greeting')", ledis.get('greeting'));
  await show("incr('counter', 5)", ledis.incr('counter', 5));
  await show("ttl('greeting')  (LedisDB: -1, no expiry)", ledis.ttl('greeting'));
  await show("pipeline().set().get().incr().exec()", ledis.pipeline().set('a', '1').get('a').incr('counter').exec());
  const n = 10000;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: n }, (_, i) => ledis.set(`k${i}`, `v${i}`)));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`${n} concurrent SETs on one connection: ${ms.toFixed(1)} ms (${Math.round((n / ms) * 1000)} ops/s)`);
} finally {
  await ledis.quit();
  await server.stop();
}
