// Estimates per second in Node: `node bench/estimate.mjs [seconds]` prints `N estimates/s`.
// The package is RATEBOOK_JS_PACKAGE (a directory, as `cargo xtask package` stages it) or the
// installed `ratebook`. Each estimate is a whole call: the request object in, the result
// object (line items, sentences, exact decimal strings) out.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { estimate } = require(process.env.RATEBOOK_JS_PACKAGE || 'ratebook');

const requests = [
  { model: 'gpt-4o-mini', inputTokens: 5000, outputTokens: 700, date: '2026-11-23' },
  { model: 'claude-sonnet-4-5', inputTokens: 120000, cachedTokens: 100000, outputTokens: 2000, date: '2026-11-23' },
  { model: 'gemini-3.1-flash-image', inputTokens: 1000, outputImages: '1@1K', date: '2026-11-23' },
  { model: 'gemini-2.5-pro', inputTokens: 250000, outputTokens: 4000, mode: 'batch', date: '2026-11-23' },
];

const seconds = Number(process.argv[2] || 1);
for (let i = 0; i < 2000; i++) estimate(requests[i % requests.length]);
let n = 0;
const start = process.hrtime.bigint();
const end = start + BigInt(Math.round(seconds * 1e9));
let now = start;
while (now < end) {
  for (let i = 0; i < 200; i++) estimate(requests[(n + i) % requests.length]);
  n += 200;
  now = process.hrtime.bigint();
}
const rate = n / (Number(now - start) / 1e9);
console.log(`${rate.toFixed(0)} estimates/s`);
