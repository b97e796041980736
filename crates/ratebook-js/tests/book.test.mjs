// Books from TOML text: loadBook / RateBook.fromToml, with every error located.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { packageDir, ratebook, root } from './common.mjs';

const { loadBook, RateBook } = ratebook;
const date = '2026-11-23';

const google = `
[provider]
id = "google"
name = "Google"

[models."gemini-3.1-flash-image"]
name = "Gemini 3.1 Flash Image"
aliases = ["gemini-3.1-flash-image-preview"]

[[models."gemini-3.1-flash-image".prices]]
effective = "2026-02-26"
source = "https://ai.google.dev/gemini-api/docs/pricing"
checked = "2026-11-20"
input = "0.50"
output = "3.00"
output_image = "60.00"
output_image_tokens = { "1K" = 1120 }
batch = { multiplier = "0.5", cache_read = false }
`;

test('a book from one TOML text prices with its rates', () => {
  const book = loadBook({ 'google.toml': google });
  // The same file as { name, text }.
  assert.deepEqual(loadBook({ name: 'google.toml', text: google }).models().map((m) => m.id), ['gemini-3.1-flash-image']);
  // 1,000 × $0.50/M + 1,120 × $60/M.
  assert.equal(book.estimate({ model: 'gemini-3.1-flash-image-preview', inputTokens: 1000, outputImages: '1@1K', date }).total, '0.0677');
  assert.deepEqual(book.models().map((m) => m.id), ['gemini-3.1-flash-image']);
  assert.throws(() => book.estimate({ model: 'gpt-4o', date }), { message: /unknown model `gpt-4o`/ });
  book.free();
});

test('the pricing files of the repository load to the bundled book', () => {
  const dir = join(root, 'pricing');
  const names = ['anthropic.toml', 'google.toml', 'openai.toml'];
  const files = names.map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
  const book = RateBook.fromToml(files);
  const request = { model: 'claude-sonnet-4-5', inputTokens: 120000, cachedTokens: 100000, outputTokens: 2000, date };
  assert.equal(book.estimate(request).total, ratebook.estimate(request).total);
  assert.ok(ratebook.bundledBook().models().length > book.models().length);
});

test('a broken file is reported at file:line:column', () => {
  const broken = google.replace('input = "0.50"', 'input = 0.50');
  assert.throws(() => loadBook({ 'google.toml': broken }), (e) => {
    assert.ok(e instanceof Error);
    assert.match(e.message, /^google\.toml:14:9: bare float 0\.50 is not exact/);
    return true;
  });
  // Not TOML at all.
  assert.throws(() => loadBook([{ name: 'x.toml', text: '[provider\n' }]), { message: /^x\.toml:1:\d+: / });
  // Every problem of every file, one a line.
  assert.throws(() => loadBook(['[provider\n', '[provider]\nid = "a"\n']), (e) => {
    const lines = e.message.split('\n');
    assert.ok(lines.some((l) => l.startsWith('pricing-1.toml:')), e.message);
    assert.ok(lines.some((l) => l.startsWith('pricing-2.toml:')), e.message);
    return true;
  });
  assert.throws(() => loadBook([]), { message: /no pricing files/ });
});

test('your own files on top of the bundled book', () => {
  const extra = `
[provider]
id = "acme"
name = "Acme"

[models."acme-1"]
name = "Acme 1"

[[models."acme-1".prices]]
effective = "2026-01-01"
source = "https://acme.example/pricing"
checked = "2026-11-20"
input = "1.00"
output = "2.00"
`;
  const book = loadBook({ 'acme.toml': extra }, { bundled: true });
  // 1,000,000 × $1/M + 500,000 × $2/M.
  assert.equal(book.estimate({ model: 'acme-1', inputTokens: 1000000, outputTokens: 500000, date }).total, '2');
  assert.equal(book.estimate({ model: 'gpt-4o-mini', inputTokens: 5000, outputTokens: 700, date }).total, '0.00117');
});

test('the package: types, ES module and CommonJS agree', async () => {
  const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
  assert.equal(pkg.name, 'ratebook');
  assert.equal(pkg.types, './index.d.ts');
  const esm = await import(join(packageDir, 'index.mjs'));
  assert.equal(esm.estimate, ratebook.estimate);
  assert.equal(esm.default, ratebook);
  const dts = readFileSync(join(packageDir, 'index.d.ts'), 'utf8');
  for (const name of ['estimate', 'costLines', 'priceResponse', 'loadBook', 'bundledBook', 'today']) {
    assert.match(dts, new RegExp(`export declare function ${name}\\(`));
    assert.equal(typeof ratebook[name], 'function', name);
  }
  assert.throws(() => new RateBook({}), TypeError);
});
