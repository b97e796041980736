// Types of the `ratebook` package. Money is always an exact decimal string ("0.0677").

/** A whole count: a number, a BigInt, or a string of digits ("1,000" and "1_000" too). */
export type Count = number | bigint | string;

/** A date to price at: `YYYY-MM-DD` or a `Date` (its UTC day). Default: today in UTC. */
export type DateLike = string | Date;

export type Mode = 'standard' | 'batch' | 'flex' | 'priority';

/** One request to price: the options of `ratebook estimate`. */
export interface EstimateRequest {
  /** Model id, alias or dated snapshot id. */
  model: string;
  /** Default: today in UTC (`new Date()`); pass it to get the same answer tomorrow. */
  date?: DateLike;
  /** Default `standard`. */
  mode?: Mode;
  /** All prompt tokens, including cache reads and cache writes. */
  inputTokens?: Count;
  /** Of the input tokens, those read from cache. */
  cachedTokens?: Count;
  /** Of the input tokens, those written to cache. */
  cacheWriteTokens?: Count;
  /** Time to live of the cache writes; default `5m`. */
  cacheTtl?: '5m' | '1h';
  cacheStorageTokenHours?: Count;
  /** Text output tokens, including reasoning. */
  outputTokens?: Count;
  /** Generated images: `"1@1K"`, `["2@4K"]` or `{ resolution: "1K", count: 1 }`. */
  outputImages?: ImagesSpec | ImagesSpec[];
  /** Input images whose tokens the model's scheme estimates: `"1024x768:high"` or `{ width, height, detail }`. */
  images?: ImageSpec | ImageSpec[];
  inputAudioTokens?: Count;
  inputVideoTokens?: Count;
  outputAudioTokens?: Count;
  /** Of the cached tokens, those that were image input. */
  cachedImageTokens?: Count;
  /** Input audio billed by duration, in seconds. */
  audioSeconds?: Count;
  /** Input billed by characters (speech). */
  inputCharacters?: Count;
  /** Generated video billed as tokens. */
  outputVideoTokens?: Count;
  /** Generated video: `"8@720p"` or `{ resolution: "720p", seconds: 8 }`. */
  outputVideo?: VideoSpec | VideoSpec[];
  /** Search / grounding calls. */
  searchCalls?: Count;
  /** Calls of the card's per-call fees by id: `{ song: 3 }`. */
  calls?: Record<string, Count>;
  /** Apply the data-residency uplift. */
  residency?: boolean;
  /** Price past the model's context window or maximum output instead of throwing. */
  allowOverLimits?: boolean;
}

export type ImagesSpec = string | { resolution: string; count: Count };
export type ImageSpec = string | { width: number; height: number; detail?: string };
export type VideoSpec = string | { resolution: string; seconds: Count };

export interface LineItem {
  /** `input_text`, `cache_read`, `output_image`, `fee:search`, … */
  meter: string;
  label: string;
  quantity: number;
  /** The rate applied, in USD per the meter's unit. */
  rate: string;
  amount: string;
  /** The rule that produced the line. */
  rule: string;
  /** The line in words. */
  sentence: string;
  /** Your own prices that changed this line's rate. */
  overlays: string[];
}

export interface Estimate {
  /** The exact total in USD. The line items' amounts add up to it exactly. */
  total: string;
  /** The total rounded for people (`$0.07`). */
  totalDisplay: string;
  /** The model billed (after resolution and any rerouting). */
  model: string;
  provider: string;
  date: string;
  mode: Mode;
  /** The long-context tier reached, if any. */
  tier: string | null;
  /** How the requested id became the model, in words. */
  resolution: string;
  lifecycle: {
    status: 'active' | 'deprecated' | 'retired';
    model: string;
    deprecated: string | null;
    shutdown: string | null;
    reroutedTo: string | null;
    message: string;
  } | null;
  price: { effective: string; until: string | null; source: string; checked: string };
  /** Estimated tokens of each input image, in order. */
  imageTokens: number[];
  lineItems: LineItem[];
}

export interface CostOptions {
  /** The date for responses that carry none. Default: today in UTC. */
  date?: DateLike;
  /** Read every line as this provider's (`openai`, `anthropic`, `google`, `openrouter`, …). */
  provider?: string;
}

export interface ModelCost {
  model: string;
  provider: string;
  records: number;
  modes: Record<string, number>;
  inputTokens: number;
  cachedTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  total: string;
  meters: { meter: string; quantity: number; amount: string }[];
  overlays: string[];
}

/** A priced log: the fields of `ratebook cost --json`. */
export interface CostSummary {
  /** The exact total in USD: what `ratebook cost --json` reports as `total_usd`. */
  total: string;
  totalDisplay: string;
  date: string;
  lines: number;
  blankLines: number;
  records: number;
  failed: number;
  rejected: number;
  pricedExactly: number;
  assumptions: Record<string, number>;
  failedReasons: Record<string, number>;
  rejectedKinds: Record<string, number>;
  /** The first 100 rejected lines (all are counted in `rejected`). */
  rejectedLines: { line: number; kind: string; reason: string }[];
  incompleteStreams: number;
  incompleteStreamLines: { line: number; shape: string; id: string; reason: string }[];
  /** Dearest first. */
  byModel: ModelCost[];
}

/** Responses: JSON Lines text, or an array of responses (objects or one-line JSON texts). */
export type Lines = string | Iterable<string | object>;

/** A pricing file: its name (used in error messages) and its TOML text. */
export interface TomlFile {
  name: string;
  text: string;
}

/** Pricing files: TOML text, a `{ name, text }`, an array of either, or `{ "name.toml": text }`. */
export type TomlFiles = string | TomlFile | (string | TomlFile)[] | Record<string, string>;

export interface OwnPrices {
  /** Overlay files of your own prices (pricing/README.md, "Your own prices"), applied in order. */
  overlays?: TomlFiles;
  /** Discounts such as `"openai:20%"`, applied after the overlays. */
  discounts?: string[];
}

export interface LoadOptions extends OwnPrices {
  /** Start from the bundled pricing files, then add these. */
  bundled?: boolean;
}

export interface ModelInfo {
  id: string;
  provider: string;
  name: string;
  aliases: string[];
}

export declare class RateBook {
  private constructor(inner: unknown);
  /** The pricing files bundled in this package, with your own prices if given. */
  static bundled(options?: OwnPrices): RateBook;
  /** A book from TOML pricing files; throws every error as `file:line:column: message`. */
  static fromToml(files: TomlFiles, options?: LoadOptions): RateBook;
  /** Prices one request; throws (unknown model, with suggestions; a mode the model lacks; …). */
  estimate(request: EstimateRequest): Estimate;
  /** Prices a log of responses with the rules of `ratebook cost`. */
  costLines(lines: Lines, options?: CostOptions): CostSummary;
  /** Prices one provider response at its own date, or `options.date`. */
  priceResponse(response: string | object, options?: { date?: DateLike }): Estimate;
  models(): ModelInfo[];
  /** Frees the book's memory now instead of when it is collected. */
  free(): void;
}

/** Prices one request with the bundled pricing files. */
export declare function estimate(request: EstimateRequest): Estimate;
/** Prices a log of responses with the bundled pricing files, as `ratebook cost` does. */
export declare function costLines(lines: Lines, options?: CostOptions): CostSummary;
/** Prices one provider response with the bundled pricing files. */
export declare function priceResponse(response: string | object, options?: { date?: DateLike }): Estimate;
/** A book from TOML pricing files (`RateBook.fromToml`). */
export declare function loadBook(files: TomlFiles, options?: LoadOptions): RateBook;
/** The bundled book (shared when no options are given), with your own prices if given. */
export declare function bundledBook(options?: OwnPrices): RateBook;
/** Today's date in UTC, `YYYY-MM-DD`: the default date. */
export declare function today(): string;
