// Shared by the tests: the package under test and the `ratebook` command they compare with.
//
// `cargo xtask test` (and `cargo xtask package`) stage the package in
// target/packages/npm-stage; RATEBOOK_JS_PACKAGE points at it, RATEBOOK_BIN at the command.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const packageDir = process.env.RATEBOOK_JS_PACKAGE || join(root, 'target', 'packages', 'npm-stage');
export const cliPath = process.env.RATEBOOK_BIN || join(root, 'target', 'debug', 'ratebook');

if (!existsSync(join(packageDir, 'package.json'))) {
  throw new Error(`no package in ${packageDir}: run \`cargo xtask package\` (or set RATEBOOK_JS_PACKAGE)`);
}

const require = createRequire(import.meta.url);
/** The package as `require('ratebook')` gives it. */
export const ratebook = require(packageDir);

/** Runs the `ratebook` command and parses its JSON output. */
export function cli(...args) {
  if (!existsSync(cliPath)) {
    throw new Error(`no ratebook command at ${cliPath}: cargo build -p ratebook-cli (or set RATEBOOK_BIN)`);
  }
  return JSON.parse(execFileSync(cliPath, [...args, '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 }));
}

/** A fixture of tests/data/usage. */
export const usage = (name) => join(root, 'tests', 'data', 'usage', name);
