// Extension "tests" entry for the activation benchmark (bench/activation.mjs). VS Code's extension
// host loads this file as --extensionTestsPath and calls run(); we activate the extensions named
// in PIXELWRIGHT_BENCH_ORDER one after the other, timing each, and write what we saw as JSON to
// PIXELWRIGHT_BENCH_RESULT. Plain CommonJS on purpose: nothing to compile, nothing from src/.
//
// Per extension:
//   totalMs     await vscode.extensions.getExtension(id).activate()   (what a command waits for)
//   loadMs      the host's require() of the extension's main file     (Module._load, timed here)
//   activateMs  the extension's own activate() call, until its result settles
//   hostMs      the rest: the host's bookkeeping (context, storage, l10n, API object)
//   cpuMs, loadCpuMs  CPU time the host process spent in totalMs / loadMs (all its threads): less
//               sensitive than wall time to other processes competing for the 2 cores
//   newModules  files that entered require.cache during the activation
//   heavy       of those, anything from openai, sharp / @img, or a dist/engine.js (must be empty)
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const { performance } = require('node:perf_hooks');
const vscode = require('vscode');

const HEAVY = /[\\/]node_modules[\\/](openai|sharp|@img)[\\/]|[\\/]dist[\\/]engine\.js$/;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** CPU time of the whole extension-host process (all its threads), in ms. */
const cpuMs = (u) => (u.user + u.system) / 1000;

/** Waits until no extension has started activating for `quietMs` (startup activations done). */
async function settle(quietMs, maxMs) {
  const end = Date.now() + maxMs;
  let last = vscode.extensions.all.filter((e) => e.isActive).length;
  let since = Date.now();
  while (Date.now() < end) {
    await sleep(100);
    const now = vscode.extensions.all.filter((e) => e.isActive).length;
    if (now !== last) { last = now; since = Date.now(); }
    if (Date.now() - since >= quietMs) break;
  }
  return last;
}

/** Event-loop delay over `ms`: how busy the host is just before we measure. */
async function loopLag(ms) {
  const start = performance.now();
  let worst = 0;
  while (performance.now() - start < ms) {
    const t = performance.now();
    await sleep(10);
    worst = Math.max(worst, performance.now() - t - 10);
  }
  return worst;
}

/** Whole-machine CPU use (0..1) over `ms`, from /proc/stat; undefined where there is none. */
async function machineBusy(ms) {
  const read = () => {
    const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { idle: f[3] + (f[4] || 0), total: f.reduce((a, b) => a + b, 0) };
  };
  try {
    const a = read();
    await sleep(ms);
    const b = read();
    return b.total > a.total ? 1 - (b.idle - a.idle) / (b.total - a.total) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Waits (at most maxMs) until the machine is quiet: other people's test runs share the 2 cores and
 * would otherwise land in a 10 ms measurement. Returns the last reading and how long it waited.
 */
async function waitQuiet(threshold, maxMs) {
  const t0 = Date.now();
  let busy;
  do {
    busy = await machineBusy(300);
    if (busy === undefined || busy < threshold) break;
  } while (Date.now() - t0 < maxMs);
  return { busy, waitedMs: Date.now() - t0 };
}

function mainFile(ext) {
  const main = path.resolve(ext.extensionPath, ext.packageJSON.main || 'extension.js');
  return main.endsWith('.js') ? main : main + '.js';
}

async function run() {
  const out = process.env.PIXELWRIGHT_BENCH_RESULT;
  const order = (process.env.PIXELWRIGHT_BENCH_ORDER || '').split(',').filter(Boolean);
  const result = { order, node: process.version, vscode: vscode.version, pid: process.pid, extensions: {}, errors: [] };
  try {
    const exts = order.map((id) => {
      const ext = vscode.extensions.getExtension(id);
      if (!ext) throw new Error(`extension ${id} is not installed in this host`);
      if (ext.isActive) throw new Error(`extension ${id} is already active before the benchmark`);
      return ext;
    });
    const byMain = new Map(exts.map((e) => [mainFile(e), { id: e.id }]));
    for (const e of exts) result.extensions[e.id] = { main: mainFile(e) };

    // Time the host's require() of each main file, and the extension's own activate().
    const load = Module._load;
    Module._load = function benchLoad(request, parent, isMain) {
      // The host requires a main file by its absolute path; nothing else is looked at (cheap).
      const hit = typeof request === 'string' && path.isAbsolute(request) && (byMain.get(request) || byMain.get(request + '.js'));
      if (!hit || result.extensions[hit.id].loadMs !== undefined) return load.apply(this, arguments);
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      const exports = load.apply(this, arguments);
      const r = result.extensions[hit.id];
      r.loadMs = performance.now() - t0;
      r.loadCpuMs = cpuMs(process.cpuUsage(c0));
      // A proxy, because esbuild's CJS exports are getters that cannot be replaced.
      return new Proxy(exports, {
        get(target, prop, receiver) {
          const v = Reflect.get(target, prop, receiver);
          if (prop !== 'activate' || typeof v !== 'function') return v;
          return function timedActivate(...args) {
            const t = performance.now();
            let value;
            try { value = v.apply(this, args); } catch (e) { r.activateMs = performance.now() - t; throw e; }
            r.activateSyncMs = performance.now() - t;
            return Promise.resolve(value).finally(() => { r.activateMs = performance.now() - t; });
          };
        },
      });
    };

    result.activeBefore = await settle(1000, 10_000);
    const quiet = await waitQuiet(Number(process.env.PIXELWRIGHT_BENCH_QUIET || 0.3), 8_000);
    result.busyBefore = quiet.busy;
    result.quietWaitMs = quiet.waitedMs;
    result.lagBeforeMs = await loopLag(300);

    for (const ext of exts) {
      const r = result.extensions[ext.id];
      const before = new Set(Object.keys(require.cache));
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await ext.activate();
      r.totalMs = performance.now() - t0;
      r.cpuMs = cpuMs(process.cpuUsage(c0));
      // Wall-clock start and end, to place the host's own marks (Date.now()-based) in between.
      r.startEpoch = performance.timeOrigin + t0;
      r.endEpoch = r.startEpoch + r.totalMs;
      r.hostMs = r.totalMs - (r.loadMs ?? 0) - (r.activateMs ?? 0);
      r.newModules = Object.keys(require.cache).filter((f) => !before.has(f));
      r.heavy = r.newModules.filter((f) => HEAVY.test(f));
      r.mainBytes = fs.statSync(r.main).size;
      await sleep(200); // let anything the activation queued run before the next one
    }
    Module._load = load;
    // Anything heavy in the cache at all (e.g. loaded after activate() resolved).
    result.heavyAfter = Object.keys(require.cache).filter((f) => HEAVY.test(f));
    // The host's own marks (ms resolution), when it keeps them.
    const marks = globalThis.MonacoPerformanceMarks?.getMarks?.() ?? [];
    result.hostMarks = marks.filter((m) => order.some((id) => m.name.toLowerCase().includes(id.toLowerCase())));
  } catch (e) {
    result.errors.push(String((e && e.stack) || e));
  }
  if (out) fs.writeFileSync(out, JSON.stringify(result, null, 2));
  else console.log(JSON.stringify(result));
  if (result.errors.length) throw new Error(result.errors.join('\n'));
}

module.exports = { run };
