// ratebook for Node.js as an ES module: the same API as index.js.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ratebook = require('./index.js');

export const { RateBook, estimate, costLines, priceResponse, loadBook, bundledBook, today } = ratebook;
export default ratebook;
