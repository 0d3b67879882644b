#!/usr/bin/env node
// `npm run mutation`: mutation testing of src/core with StrykerJS (stryker.config.mjs). Not part
// of `npm test` or CI: a full run takes about an hour on 2 cores. Reports go to reports/mutation/
// (git-ignored): index.html to browse, mutation.json for tools.
//
// Stryker 10 needs Node >= 22 while the project runs on Node 20, so this runs Stryker with the
// Node 24 that scripts/setup-test-host.sh installs (found as scripts/run-host-tests.mjs finds it:
// NODE24_DIR, else ${PIXELWRIGHT_TOOLS:-~/.cache/pixelwright/tools}), or with the current Node
// when it is new enough. Node 24 goes first on PATH, so the build step and the tests run on it too.
//
// Extra arguments go to `stryker run`, e.g. one file at a time while writing tests:
//   npm run mutation -- --mutate src/core/request.ts
//   npm run mutation -- --mutate src/core/models.ts:180-192 --concurrency 1
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveTools } from './run-host-tests.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The directory of a `node` binary of version >= 22, or undefined. */
export function strykerNodeDir(env = process.env, version = process.versions.node, execPath = process.execPath) {
  if (Number(version.split('.')[0]) >= 22) return dirname(execPath);
  return resolveTools(env).node24Dir;
}

async function main() {
  const nodeDir = strykerNodeDir();
  if (!nodeDir) {
    console.error('mutation: Stryker 10 needs Node >= 22. Run `bash scripts/setup-test-host.sh` (it installs Node 24 under ~/.cache/pixelwright/tools), or set NODE24_DIR to a folder with a Node >= 22 `node` binary.');
    return 1;
  }
  const stryker = join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js');
  const args = [stryker, 'run', join(root, 'stryker.config.mjs'), ...process.argv.slice(2)];
  const env = { ...process.env, PATH: `${nodeDir}:${process.env.PATH}` };
  const t0 = Date.now();
  const child = spawn(join(nodeDir, 'node'), args, { cwd: root, env, stdio: 'inherit' });
  const stop = () => child.kill('SIGINT');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const code = await new Promise((r) => child.on('close', (c, s) => r(c ?? (s ? 128 : 1))));
  console.log(`mutation: exit ${code} after ${((Date.now() - t0) / 60000).toFixed(1)} min; report: reports/mutation/index.html`);
  return code;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = await main();
}
