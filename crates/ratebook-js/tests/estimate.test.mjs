// estimate(): exact totals hand-computed from the rates of pricing/*.toml (the date is fixed,
// so a later price entry does not change them), and the errors the core reports.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { cli, ratebook } from './common.mjs';

const { estimate, today, bundledBook } = ratebook;
const date = '2026-11-23';

test('an image model: input plus generated images at the card tokens per image', () => {
  // pricing/google.toml, gemini-3.1-flash-image: input $0.50/M, image output $60/M, 1,120
  // tokens per 1K image: 1,000 × 0.50/M + 1,120 × 60/M = 0.0005 + 0.0672.
  const e = estimate({ model: 'gemini-3.1-flash-image', inputTokens: 1000, outputImages: '1@1K', mode: 'standard', date });
  assert.equal(e.total, '0.0677');
  assert.equal(e.totalDisplay, '$0.0677');
  assert.equal(e.model, 'gemini-3.1-flash-image');
  assert.equal(e.provider, 'google');
  assert.equal(e.date, date);
  assert.equal(e.mode, 'standard');
  assert.deepEqual(
    e.lineItems.map((l) => [l.meter, l.quantity, l.rate, l.amount]),
    [
      ['input_text', 1000, '0.5', '0.0005'],
      ['output_image', 1120, '60', '0.0672'],
    ],
  );
  assert.equal(
    e.lineItems[1].sentence,
    'image output: 1 image at 1K: 1 × 1,120 tokens = 1,120 tokens × $60.00/M = $0.0672',
  );
  assert.equal(e.price.source, 'https://ai.google.dev/gemini-api/docs/pricing');
  // Batch halves both (batch multiplier 0.5).
  assert.equal(estimate({ model: 'gemini-3.1-flash-image-preview', inputTokens: 1000, outputImages: ['1@1K'], mode: 'batch', date }).total, '0.03385');
  // The same images as an object.
  assert.equal(estimate({ model: 'gemini-3.1-flash-image', inputTokens: 1000, outputImages: { resolution: '1K', count: 1 }, date }).total, '0.0677');
});

test('cache reads are billed apart from the rest of the prompt', () => {
  // pricing/anthropic.toml, claude-sonnet-4-5: input $3/M, cache read $0.30/M, output $15/M:
  // 20,000 × 3/M + 100,000 × 0.30/M + 2,000 × 15/M = 0.06 + 0.03 + 0.03.
  const e = estimate({ model: 'claude-sonnet-4-5', inputTokens: 120000, cachedTokens: 100000, outputTokens: 2000, date });
  assert.equal(e.total, '0.12');
  assert.deepEqual(e.lineItems.map((l) => l.amount), ['0.06', '0.03', '0.03']);
});

test('a deprecated model is priced and says so', () => {
  // pricing/openai.toml, gpt-4o-mini: input $0.15/M, output $0.60/M, deprecated 2026-10-14:
  // 5,000 × 0.15/M + 700 × 0.60/M = 0.00075 + 0.00042; batch halves both.
  const e = estimate({ model: 'gpt-4o-mini', inputTokens: 5000, outputTokens: 700, date });
  assert.equal(e.total, '0.00117');
  assert.equal(e.lifecycle.status, 'deprecated');
  assert.equal(estimate({ model: 'gpt-4o-mini', inputTokens: 5000, outputTokens: 700, mode: 'batch', date }).total, '0.000585');
});

test('a prompt over 200K bills the whole request at the long-context rates', () => {
  // pricing/google.toml, gemini-2.5-pro over 200,000 prompt tokens: input $2.50/M, output
  // $15/M: 250,000 × 2.50/M + 4,000 × 15/M = 0.625 + 0.06.
  const e = estimate({ model: 'gemini-2.5-pro', inputTokens: 250000, outputTokens: 4000, date });
  assert.equal(e.total, '0.685');
  assert.notEqual(e.tier, null);
});

test('the same totals as `ratebook estimate --json`', () => {
  const cases = [
    [{ model: 'gpt-5', inputTokens: 12345, cachedTokens: 4000, outputTokens: 6789, mode: 'flex', date }, ['--model', 'gpt-5', '--input-tokens', '12345', '--cached-tokens', '4000', '--output-tokens', '6789', '--mode', 'flex']],
    [{ model: 'claude-sonnet-4-5', inputTokens: 50000, cacheWriteTokens: 30000, cacheTtl: '1h', outputTokens: 900, date }, ['--model', 'claude-sonnet-4-5', '--input-tokens', '50000', '--cache-write-tokens', '30000', '--cache-ttl', '1h', '--output-tokens', '900']],
    [{ model: 'gpt-4o', inputTokens: 100, images: ['1024x768:high', { width: 512, height: 512, detail: 'low' }], outputTokens: 50, date }, ['--model', 'gpt-4o', '--input-tokens', '100', '--image', '1024x768:high', '--image', '512x512:low', '--output-tokens', '50']],
    [{ model: 'gemini-2.5-pro', inputTokens: 1000, searchCalls: 3, date }, ['--model', 'gemini-2.5-pro', '--input-tokens', '1000', '--search-calls', '3']],
  ];
  for (const [request, args] of cases) {
    const js = estimate(request);
    const rs = cli('estimate', ...args, '--date', date);
    assert.equal(js.total, rs.total_usd, request.model);
    assert.deepEqual(
      js.lineItems.map((l) => [l.meter, l.quantity, l.rate, l.amount, l.sentence]),
      rs.line_items.map((l) => [l.meter, l.quantity, l.rate_usd, l.amount_usd, l.sentence]),
    );
  }
});

test('counts may be BigInts or strings of digits; money never becomes a number', () => {
  const a = estimate({ model: 'gpt-4o-mini', inputTokens: 5000n, outputTokens: '700', date });
  assert.equal(a.total, '0.00117');
  assert.equal(typeof a.lineItems[0].amount, 'string');
});

test('the date defaults to today in UTC', () => {
  assert.match(today(), /^\d{4}-\d{2}-\d{2}$/);
  assert.equal(today(), new Date().toISOString().slice(0, 10));
  const e = estimate({ model: 'gpt-4o', inputTokens: 1000 });
  assert.equal(e.date, today());
  assert.equal(estimate({ model: 'gpt-4o', inputTokens: 1000, date: new Date(Date.UTC(2026, 10, 23, 12)) }).date, '2026-11-23');
});

test('errors are thrown as Error with the core message', () => {
  assert.throws(() => estimate({ model: 'gpt-4oo', inputTokens: 1, date }), (e) => {
    assert.ok(e instanceof Error);
    assert.match(e.message, /unknown model `gpt-4oo`/);
    assert.match(e.message, /did you mean .*gpt-4o/);
    return true;
  });
  assert.throws(() => estimate({ model: 'gpt-4o', inputTokenz: 1, date }), { message: /unknown field `inputTokenz`/ });
  assert.throws(() => estimate({ model: 'gpt-4o', inputTokens: 1.5, date }), { message: /whole number/ });
  assert.throws(() => estimate({ model: 'gpt-4o', inputTokens: -1, date }), { message: /whole number/ });
  assert.throws(() => estimate({ model: 'gpt-4o', date: '2026-13-01' }), { message: /2026-13-01/ });
  assert.throws(() => estimate({ model: 'gpt-4o', mode: 'turbo', date }), { message: /turbo/ });
  assert.throws(() => estimate({ model: 'gpt-4o', outputImages: '1@', date }), { message: /outputImages/ });
  assert.throws(() => estimate('gpt-4o'), TypeError);
  // The context window: over it is an error unless allowed.
  assert.throws(() => estimate({ model: 'gpt-4o-mini', inputTokens: 200000, date }), Error);
  assert.equal(estimate({ model: 'gpt-4o-mini', inputTokens: 200000, allowOverLimits: true, date }).total, '0.03');
});

test('your own prices: a discount and an overlay file', () => {
  // 20% off openai: 0.00117 × 0.8.
  const book = bundledBook({ discounts: ['openai:20%'] });
  const e = book.estimate({ model: 'gpt-4o-mini', inputTokens: 5000, outputTokens: 700, date });
  assert.equal(e.total, '0.000936');
  assert.ok(e.lineItems[0].overlays.length > 0);
  // The bundled book itself is unchanged.
  assert.equal(estimate({ model: 'gpt-4o-mini', inputTokens: 5000, outputTokens: 700, date }).total, '0.00117');
  // A five-minute cache write at the overlay's $3.00/M instead of the list $3.75/M:
  // 10,000 × 3.00/M = 0.03.
  const overlay = 'name = "Acme"\n[[replace]]\nmodel = "claude-sonnet-4-5"\ncache_write_5m = "3.00"\n';
  const acme = bundledBook({ overlays: [overlay] });
  const w = acme.estimate({ model: 'claude-sonnet-4-5', inputTokens: 10000, cacheWriteTokens: 10000, date });
  assert.equal(w.total, '0.03');
  assert.throws(() => bundledBook({ discounts: ['nobody:20%'] }), { message: /nobody/ });
  // Every problem of the overlay, each at file:line:column.
  assert.throws(() => bundledBook({ overlays: { 'bad.toml': 'name = "x"\n[[adjust]]\nprovider = "openai"\ndiscont = "5%"\n' } }), {
    message: 'bad.toml:2:1: adjust[0]: missing `discount` or `markup`\nbad.toml:4:1: unknown key `discont`; did you mean `discount`? (key `adjust[0].discont`)',
  });
});
