'use strict';
// ratebook for Node.js: exact, explained cost estimates for LLM APIs.
//
// A thin layer over the WebAssembly core (ratebook_js.js, made by wasm-bindgen): it turns
// JavaScript values into the core's JSON requests and its JSON answers back into objects. All
// pricing happens in the core; money is always an exact decimal string ("0.0677").

const { WasmBook } = require('./ratebook_js.js');

/** Today's date in UTC, `YYYY-MM-DD` (what the `ratebook` command prices at by default). */
function today() {
  return new Date().toISOString().slice(0, 10);
}

function dateOf(d) {
  if (d === undefined || d === null) return today();
  if (d instanceof Date) {
    if (Number.isNaN(d.getTime())) throw new Error('date: an invalid Date');
    return d.toISOString().slice(0, 10);
  }
  return String(d);
}

// BigInt counts travel as strings of digits (the core reads both).
function json(value) {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v));
}

function files(list, prefix) {
  if (list === undefined || list === null) return [];
  if (typeof list === 'string') return [{ name: `${prefix}.toml`, text: list }];
  if (Array.isArray(list)) {
    return list.map((f, i) =>
      typeof f === 'string' ? { name: `${prefix}-${i + 1}.toml`, text: f } : { name: String(f.name), text: String(f.text) },
    );
  }
  if (typeof list === 'object' && typeof list.name === 'string' && typeof list.text === 'string') {
    return [{ name: list.name, text: list.text }];
  }
  if (typeof list === 'object') {
    return Object.entries(list).map(([name, text]) => ({ name, text: String(text) }));
  }
  throw new TypeError(`${prefix}: expected TOML text, an array of texts or { name, text }, or an object of name → text`);
}

function ownPrices(options) {
  const o = options || {};
  return {
    overlays: files(o.overlays, 'overlay'),
    discounts: (o.discounts || []).map(String),
  };
}

/** A rate book: pricing files, checked and ready to price with. */
class RateBook {
  /** @param {unknown} inner use `RateBook.bundled()` or `RateBook.fromToml()`. */
  constructor(inner) {
    if (!(inner instanceof WasmBook)) {
      throw new TypeError('use RateBook.bundled() or RateBook.fromToml(files)');
    }
    this._book = inner;
  }

  /** The pricing files bundled in this package, with your own prices if given. */
  static bundled(options) {
    const own = ownPrices(options);
    if (own.overlays.length === 0 && own.discounts.length === 0) {
      return new RateBook(WasmBook.bundled());
    }
    return new RateBook(WasmBook.load(json({ bundled: true, ...own })));
  }

  /** A book from TOML pricing files; throws every error as `file:line:column: message`. */
  static fromToml(tomlFiles, options) {
    const o = options || {};
    const spec = { files: files(tomlFiles, 'pricing'), bundled: Boolean(o.bundled), ...ownPrices(o) };
    return new RateBook(WasmBook.load(json(spec)));
  }

  /** Prices one request. */
  estimate(request) {
    if (request === null || typeof request !== 'object') {
      throw new TypeError('estimate: expected a request object like { model, inputTokens, outputTokens }');
    }
    return JSON.parse(this._book.estimate(json({ ...request, date: dateOf(request.date) })));
  }

  /** Prices a log of provider responses with the rules of `ratebook cost`. */
  costLines(lines, options) {
    const o = { ...(options || {}) };
    o.date = dateOf(o.date);
    const opts = json(o);
    if (typeof lines === 'string') return JSON.parse(this._book.costText(lines, opts));
    if (lines === null || lines === undefined) throw new TypeError('costLines: expected JSON Lines text or an array of responses');
    const list = Array.isArray(lines) ? lines : typeof lines[Symbol.iterator] === 'function' ? Array.from(lines) : [lines];
    const texts = list.map((l) => (typeof l === 'string' ? l : JSON.stringify(l)));
    return JSON.parse(this._book.costArray(JSON.stringify(texts), opts));
  }

  /** Prices one provider response (an object or its JSON text) at its own date or `options.date`. */
  priceResponse(response, options) {
    const text = typeof response === 'string' ? response : JSON.stringify(response);
    return JSON.parse(this._book.priceResponse(text, dateOf((options || {}).date)));
  }

  /** The book's models: `{ id, provider, name, aliases }`. */
  models() {
    return JSON.parse(this._book.models());
  }

  /** Frees the book's memory now instead of when it is collected. */
  free() {
    this._book.free();
  }
}

let bundledBook;
function defaultBook() {
  if (bundledBook === undefined) bundledBook = RateBook.bundled();
  return bundledBook;
}

module.exports = {
  RateBook,
  /** Prices one request with the bundled pricing files. */
  estimate: (request) => defaultBook().estimate(request),
  /** Prices a log of responses with the bundled pricing files. */
  costLines: (lines, options) => defaultBook().costLines(lines, options),
  /** Prices one response with the bundled pricing files. */
  priceResponse: (response, options) => defaultBook().priceResponse(response, options),
  /** A book from TOML pricing files (see `RateBook.fromToml`). */
  loadBook: (tomlFiles, options) => RateBook.fromToml(tomlFiles, options),
  /** The bundled book, with your own prices if given (see `RateBook.bundled`). */
  bundledBook: (options) => (options ? RateBook.bundled(options) : defaultBook()),
  today,
};
