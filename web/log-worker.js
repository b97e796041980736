// Prices a log of provider responses off the page's thread, with the scenario/log module
// (ratebook_web_extra: the core's ingest, the same code as `ratebook cost`). The page sends
// { names, texts, file, whatIf }: the pricing files it loaded and the File the person chose;
// the file is read here in pieces, so nothing leaves the machine and a large file never sits
// in memory whole. Replies: { progress } per piece (bytes read), then { report, ms } or
// { error }.
import init, { LogPricer } from "./ratebook_web_extra.js";

const ready = init();
const PIECE = 4 * 1024 * 1024;

self.onmessage = async (event) => {
  const { names, texts, file, whatIf } = event.data;
  try {
    await ready;
    const start = performance.now();
    const pricer = new LogPricer(names, texts, whatIf || "");
    const decoder = new TextDecoder();
    let at = 0;
    while (at < file.size) {
      const buffer = await file.slice(at, at + PIECE).arrayBuffer();
      if (buffer.byteLength === 0) break;
      at += buffer.byteLength;
      pricer.add_chunk(decoder.decode(buffer, { stream: at < file.size }));
      self.postMessage({ progress: at });
    }
    const report = pricer.finish();
    pricer.free();
    self.postMessage({ report, ms: performance.now() - start });
  } catch (e) {
    self.postMessage({ error: "The log could not be priced: " + e });
  }
};
