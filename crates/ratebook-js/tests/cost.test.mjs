// costLines(): the same ledger as `ratebook cost`, so the same totals to the last digit on
// the response logs of tests/data/usage, given as text, as objects, or one line at a time.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { cli, ratebook, usage } from './common.mjs';

const { costLines, priceResponse, bundledBook } = ratebook;
const date = '2026-11-23';

const fixtures = [
  'openai_chat.jsonl',
  'openai_responses.jsonl',
  'openai_batch.jsonl',
  'anthropic.jsonl',
  'anthropic_batch.jsonl',
  'anthropic_stream.jsonl',
  'gemini.jsonl',
  'gemini_batch.jsonl',
  'gemini_stream.jsonl',
  'openai_chat_stream.jsonl',
  'openai_responses_stream.jsonl',
  'openrouter.jsonl',
  'streams_mixed.jsonl',
  'long_context.jsonl',
  'mixed.jsonl',
  'regions.jsonl',
  'assumptions.jsonl',
  'bad_lines.jsonl',
  'empty.jsonl',
];

for (const name of fixtures) {
  test(`${name}: the totals of \`ratebook cost --json\``, () => {
    const rs = cli('cost', usage(name), '--date', date);
    const js = costLines(readFileSync(usage(name), 'utf8'), { date });
    assert.equal(js.total, rs.total_usd);
    assert.equal(js.totalDisplay, rs.total_display);
    assert.deepEqual(
      [js.lines, js.blankLines, js.records, js.failed, js.rejected, js.pricedExactly, js.incompleteStreams],
      [rs.lines, rs.blank_lines, rs.records, rs.failed, rs.rejected, rs.priced_exactly, rs.incomplete_streams],
    );
    assert.deepEqual(js.assumptions, rs.assumptions);
    assert.deepEqual(js.rejectedKinds, rs.rejected_kinds);
    assert.deepEqual(
      // The command lists the first 20, the package the first 100.
      js.rejectedLines.slice(0, rs.rejected_lines.length).map((r) => [r.line, r.kind, r.reason]),
      rs.rejected_lines.map((r) => [r.line, r.kind, r.reason]),
    );
    // The command's models are keyed by id; the package's are dearest first.
    const models = Object.entries(rs.by_model);
    const byId = [...js.byModel].sort((a, b) => (a.model < b.model ? -1 : a.model > b.model ? 1 : 0));
    assert.equal(js.byModel.length, models.length);
    assert.deepEqual(
      byId.map((m) => [m.model, m.provider, m.records, m.total, m.meters.map((t) => [t.meter, t.amount])]),
      models.map(([id, m]) => [id, m.provider, m.records, m.total_usd, m.meters.map((t) => [t.meter, t.amount_usd])]),
    );
  });
}

test('an array of response objects prices as the same log', () => {
  const text = readFileSync(usage('mixed.jsonl'), 'utf8');
  const objects = text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
  assert.equal(costLines(objects, { date }).total, costLines(text, { date }).total);
  assert.equal(costLines(objects, { date }).total, cli('cost', usage('mixed.jsonl'), '--date', date).total_usd);
});

test('one response: priceResponse at its own date', () => {
  // gpt-4o-mini (pricing/openai.toml): 1,000 × $0.15/M + 100 × $0.60/M, at the response's
  // own date (created 1763800000 = 2025-11-22).
  const response = {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1763800000,
    model: 'gpt-4o-mini',
    choices: [],
    usage: { prompt_tokens: 1000, completion_tokens: 100, total_tokens: 1100 },
  };
  const e = priceResponse(response, { date });
  assert.equal(e.total, '0.00021');
  assert.equal(e.date, '2025-11-22');
  assert.equal(costLines([response], { date }).total, '0.00021');
  assert.throws(() => priceResponse('{"not":"a response"}', { date }), Error);
});

test('a discount applies to a log as `ratebook cost --discount` applies it', () => {
  const book = bundledBook({ discounts: ['openai:20%'] });
  const js = book.costLines(readFileSync(usage('openai_chat.jsonl'), 'utf8'), { date });
  const rs = cli('cost', usage('openai_chat.jsonl'), '--date', date, '--discount', 'openai:20%');
  assert.equal(js.total, rs.total_usd);
  assert.notEqual(js.total, costLines(readFileSync(usage('openai_chat.jsonl'), 'utf8'), { date }).total);
});

test('bad options are errors', () => {
  assert.throws(() => costLines('', { date: 'yesterday' }), { message: /yesterday/ });
  assert.throws(() => costLines('', { date, provider: 'nobody' }), { message: /nobody/ });
  assert.throws(() => costLines('', { date, dryRun: true }), { message: /unknown field `dryRun`/ });
  assert.throws(() => costLines(null), TypeError);
});
