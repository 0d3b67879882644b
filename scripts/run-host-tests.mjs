#!/usr/bin/env node
// Runs the extension-host suite (out/test/host/**/*.test.js, see .vscode-test.mjs) in a real
// VS Code: @vscode/test-cli -> @vscode/test-electron -> scripts/vscode-shim.cjs -> code-server +
// headless Chromium. Expects `npm run build` and `npm run compile-tests` to have run
// (`npm run test:host` does both).
//
// Tools come from scripts/setup-test-host.sh: CODE_SERVER_BIN / NODE24_DIR from the environment,
// else from ${PIXELWRIGHT_TOOLS:-~/.cache/pixelwright/tools}. test-cli runs under Node 24
// (it declares node >= 22).
// Last line: `host: N passing, N failing` (a run that dies before mocha reports counts 1 failing).
// Extra args go to vscode-test (e.g. --grep smoke).
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where setup-test-host.sh put code-server, Node 24 and Chromium; undefined fields when missing. */
export function resolveTools(env = process.env) {
  const tools = env.PIXELWRIGHT_TOOLS || join(homedir(), '.cache', 'pixelwright', 'tools');
  let node24Dir = env.NODE24_DIR;
  if (!node24Dir) {
    const base = join(tools, 'node24', 'node_modules', 'node', 'node_modules');
    const pkg = existsSync(base) && readdirSync(base).find((d) => /^node-(linux|darwin|win)-/.test(d));
    if (pkg) node24Dir = join(base, pkg, 'bin');
  }
  const codeServerBin = env.CODE_SERVER_BIN || join(tools, 'code-server', 'node_modules', '.bin', 'code-server');
  const chromium = env.CHROMIUM || ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
  return {
    tools,
    node24Dir: node24Dir && existsSync(join(node24Dir, 'node')) ? node24Dir : undefined,
    codeServerBin: existsSync(codeServerBin) ? codeServerBin : undefined,
    chromium,
  };
}

/** Environment for anything that runs code-server: Node 24 first on PATH. */
export function toolsEnv(t, extra = {}) {
  return {
    ...process.env,
    CODE_SERVER_BIN: t.codeServerBin,
    NODE24_DIR: t.node24Dir,
    ...(t.chromium ? { CHROMIUM: t.chromium } : {}),
    PATH: `${t.node24Dir}:${process.env.PATH}`,
    ...extra,
  };
}

/** Counts from mocha's spec/epilogue output ("N passing", "N failing", "N pending"). */
export function parseMochaCounts(text) {
  // eslint-disable-next-line no-control-regex
  const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
  const last = (re) => { let n; for (const m of plain.matchAll(re)) n = Number(m[1]); return n; };
  return {
    passing: last(/^\s*(\d+) passing\b/gm),
    failing: last(/^\s*(\d+) failing\b/gm),
    pending: last(/^\s*(\d+) pending\b/gm),
  };
}

/** Tests reported so far by mocha's spec reporter ("✔ title" / "N) title"). */
export function partialCounts(text) {
  // eslint-disable-next-line no-control-regex
  const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
  return {
    passing: (plain.match(/^\s*(✔|✓) /gm) ?? []).length,
    failing: (plain.match(/^\s{2,}\d+\) /gm) ?? []).length,
  };
}

async function main() {
  const t = resolveTools();
  if (!t.node24Dir || !t.codeServerBin) {
    console.error(`run-host-tests: tools missing under ${t.tools} (node24: ${t.node24Dir ?? 'missing'}, code-server: ${t.codeServerBin ?? 'missing'}); run: bash scripts/setup-test-host.sh`);
    console.log('host: 0 passing, 1 failing');
    return 1;
  }
  const cli = join(root, 'node_modules', '@vscode', 'test-cli', 'out', 'bin.mjs');
  const env = toolsEnv(t, {
    PIXELWRIGHT_HOST_TEST: '1',
    PIXELWRIGHT_HOST_SCREENSHOT: process.env.PIXELWRIGHT_HOST_SCREENSHOT || join(root, '.vscode-test', 'screenshots', 'host.png'),
  });
  const timeoutS = Number(process.env.PIXELWRIGHT_HOST_TIMEOUT || 480);
  env.PIXELWRIGHT_HOST_TIMEOUT = String(timeoutS);
  const t0 = Date.now();
  const child = spawn(join(t.node24Dir, 'node'), [cli, '--config', join(root, '.vscode-test.mjs'), ...process.argv.slice(2)],
    { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout.on('data', (d) => { out += d; process.stdout.write(d); });
  child.stderr.on('data', (d) => { out += d; process.stderr.write(d); });
  // The shim has its own timeout; this one catches a hang anywhere else.
  const watchdog = setTimeout(() => {
    console.error(`run-host-tests: no result after ${timeoutS + 60}s, killing`);
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
  }, (timeoutS + 60) * 1000);
  const stop = () => { try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ } };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const code = await new Promise((r) => child.on('close', (c, s) => r(c ?? (s ? 128 : 1))));
  clearTimeout(watchdog);
  const c = parseMochaCounts(out);
  let passing = c.passing ?? 0;
  let failing = c.failing ?? 0;
  if (c.passing === undefined && c.failing === undefined) {
    // no epilogue (timed out or crashed mid-run): count the spec reporter's lines so far,
    // plus one failure for the run that did not finish
    const p = partialCounts(out);
    passing = p.passing;
    failing = p.failing + (code !== 0 ? 1 : 0);
    if (p.passing || p.failing) console.log(`run-host-tests: no mocha summary; counted ${p.passing} passed and ${p.failing} failed test lines before the run ended`);
  }
  if (code !== 0 && failing === 0) failing = 1; // died before or outside mocha's report
  console.log(`run-host-tests: exit ${code} in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  console.log(`host: ${passing} passing, ${failing} failing`);
  return code === 0 && failing === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main();
}
