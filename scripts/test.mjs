#!/usr/bin/env node
// `npm test`: every check, in order, each stage's output streamed as it runs:
//   typecheck      npm run typecheck            (tsc --noEmit)
//   build          npm run build                (esbuild -> dist/)
//   compile-tests  npm run compile-tests        (tsc -> out/, cleaned first)
//   unit           mocha --config .mocharc.json (out/test/unit, plain Node)
//   host           node scripts/run-host-tests.mjs  (out/test/host in a real VS Code)
//   package        node scripts/package.mjs --target linux-x64  (production build, verified VSIX)
//   ui:<name>      node test/ui/<name>.test.mjs, for each file there (that VSIX, in Chromium)
// Counts: a test stage adds its tests; a stage with no tests of its own (typecheck, build,
// compile-tests, package) adds 1 passed or 1 failed; a test stage that dies without a report adds
// 1 failed. When the build fails, host, package and ui are not run (they would test a stale
// dist/); when packaging fails, the ui stages are not run. Stages not run add nothing (their
// cause already failed).
// The last line is exactly `N passed, N failed`; exit code 1 when anything failed.
//
//   node scripts/test.mjs [--only unit,host] [--skip ui]   (ui = every ui:* stage)
// Host, package and ui stages need scripts/setup-test-host.sh to have run (the tools dir).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const node = process.execPath;

function list(flag) {
  const i = process.argv.indexOf(flag);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1].split(',').map((s) => s.trim()) : undefined;
}
const only = list('--only');
const skip = list('--skip') ?? [];

// eslint-disable-next-line no-control-regex
const plain = (s) => s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
const lastInt = (text, re) => { let n; for (const m of plain(text).matchAll(re)) n = Number(m[1]); return n; };

/**
 * mocha's epilogue ("N passing" / "N failing" / "N pending" lines), or with a prefix our runners'
 * one-line report ("host: N passing, N failing" / "ui: N passing, N failing, N skipped").
 */
function mochaCounts(text, prefix) {
  if (!prefix) {
    return {
      passing: lastInt(text, /^\s*(\d+) passing\b/gm),
      failing: lastInt(text, /^\s*(\d+) failing\b/gm),
      skipped: lastInt(text, /^\s*(\d+) pending\b/gm),
    };
  }
  const line = plain(text).split('\n').filter((l) => l.startsWith(`${prefix}: `) && /\d+ passing/.test(l)).pop() ?? '';
  const n = (word) => { const m = new RegExp(`(\\d+) ${word}\\b`).exec(line); return m ? Number(m[1]) : undefined; };
  return { passing: n('passing'), failing: n('failing'), skipped: n('skipped') };
}

const state = { buildOk: true, packageFailed: false, vsix: undefined };
const uiFiles = fs.existsSync(path.join(root, 'test', 'ui'))
  ? fs.readdirSync(path.join(root, 'test', 'ui')).filter((f) => f.endsWith('.test.mjs')).sort()
  : [];

const STAGES = [
  { name: 'typecheck', cmd: npm, args: ['run', '--silent', 'typecheck'], timeout: 300 },
  { name: 'build', cmd: npm, args: ['run', '--silent', 'build'], timeout: 300 },
  {
    name: 'compile-tests', cmd: npm, args: ['run', '--silent', 'compile-tests'], timeout: 300,
    // stale JS of deleted or renamed tests must not run
    before: () => fs.rmSync(path.join(root, 'out'), { recursive: true, force: true }),
  },
  {
    name: 'unit', cmd: node, args: [path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--config', '.mocharc.json', '--no-color'],
    timeout: 600, counts: (o) => mochaCounts(o),
  },
  {
    name: 'host', cmd: node, args: [path.join(root, 'scripts', 'run-host-tests.mjs')],
    timeout: 900, needsBuild: true, counts: (o) => mochaCounts(o, 'host'),
  },
  {
    name: 'package', cmd: node,
    args: [path.join(root, 'scripts', 'package.mjs'), '--target', 'linux-x64', '--out', path.join(root, '.vscode-test', 'vsix')],
    timeout: 300, needsBuild: true,
    after: (ok, out) => {
      const m = /^vsix: (.+)$/m.exec(out);
      if (ok && m) state.vsix = m[1].trim();
      else state.packageFailed = true;
    },
  },
  ...uiFiles.map((f) => ({
    name: `ui:${f.replace(/\.test\.mjs$/, '')}`, cmd: node, args: [path.join(root, 'test', 'ui', f)],
    timeout: 900, needsBuild: true, needsVsix: true, counts: (o) => mochaCounts(o, 'ui'),
  })),
];

let killCurrent;
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { killCurrent?.('SIGTERM'); process.exit(130); });

function run(stage) {
  return new Promise((resolve) => {
    const env = { ...process.env, FORCE_COLOR: '0' };
    if (stage.needsVsix && state.vsix) env.PIXELWRIGHT_VSIX = state.vsix;
    const child = spawn(stage.cmd, stage.args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
    let out = '';
    child.stdout.on('data', (d) => { out += d; process.stdout.write(d); });
    child.stderr.on('data', (d) => { out += d; process.stderr.write(d); });
    const kill = (sig) => { try { process.kill(-child.pid, sig); } catch { try { child.kill(sig); } catch { /* gone */ } } };
    killCurrent = kill;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      console.error(`test: ${stage.name} timed out after ${stage.timeout}s`);
      kill('SIGTERM');
      setTimeout(() => kill('SIGKILL'), 5000).unref();
    }, stage.timeout * 1000);
    child.on('error', (e) => { out += String(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      killCurrent = undefined;
      resolve({ code: timedOut ? 124 : code ?? (signal ? 128 : 1), out });
    });
  });
}

const results = [];
const t0 = Date.now();
for (const stage of STAGES) {
  const group = stage.name.split(':')[0];
  const selected = (!only || only.includes(stage.name) || only.includes(group)) && !skip.includes(stage.name) && !skip.includes(group);
  if (!selected) continue;
  if (stage.needsBuild && !state.buildOk) {
    results.push({ name: stage.name, passed: 0, failed: 0, secs: 0, note: 'not run: the build failed' });
    continue;
  }
  if (stage.needsVsix && state.packageFailed) {
    results.push({ name: stage.name, passed: 0, failed: 0, secs: 0, note: 'not run: packaging failed' });
    continue;
  }
  console.log(`\n===== ${stage.name} =====`);
  const ts = Date.now();
  stage.before?.();
  const { code, out } = await run(stage);
  const secs = (Date.now() - ts) / 1000;
  let passed;
  let failed;
  let note;
  if (stage.counts) {
    const c = stage.counts(out);
    passed = c.passing ?? 0;
    failed = c.failing ?? 0;
    if (code !== 0 && failed === 0) { failed = 1; note = `exit ${code} without a failing test: counted as 1 failure`; }
    if (c.skipped) note = [note, `${c.skipped} skipped`].filter(Boolean).join('; ');
  } else {
    passed = code === 0 ? 1 : 0;
    failed = code === 0 ? 0 : 1;
    if (code !== 0) note = `exit ${code}`;
  }
  if (stage.name === 'build' && code !== 0) state.buildOk = false;
  stage.after?.(code === 0, out);
  results.push({ name: stage.name, passed, failed, secs, note });
}

console.log('\n===== summary =====');
for (const r of results) {
  console.log(`  ${r.name.padEnd(16)} ${String(r.passed).padStart(4)} ok ${String(r.failed).padStart(4)} not ok ${r.secs.toFixed(1).padStart(7)}s${r.note ? `  (${r.note})` : ''}`);
}
const passed = results.reduce((a, r) => a + r.passed, 0);
const failed = results.reduce((a, r) => a + r.failed, 0);
console.log(`  total time ${((Date.now() - t0) / 1000).toFixed(1)}s`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
