// The Gallery's first screen in the real host: code-server + headless Chromium, the packaged
// extension, a workspace of 1,000 images Pixelwright wrote (the one bench/gallery.mjs makes), for
// the snapshot being measured and a baseline (default: the merge base with main), side by side.
//
//   node bench/gallery.mjs --no-memory --runs 1   # once, to make the images (bench/.tmp/gallery)
//   node bench/galleryHost.mjs [--runs 3] [--baseline REF] [--no-write]
//
// Each snapshot: its own production build and VSIX (scripts/package.mjs in its own stage, as
// bench/studioOpen.mjs does), installed into its own extensions folder, with its own user-data
// folder. A first window lays out the side bar as a user would once (Studio collapsed, Gallery
// expanded) and closes the Pixelwright container again. Then each run opens two fresh windows
// (code-server restarted, Chromium anew, the same user-data):
//  - cold: the extension's workspace storage (kept index, thumbnails) deleted first;
//  - warm: what the window before left (a window after the first).
// Clock: from the click's pointerdown on the Pixelwright icon (in the workbench page) to the moment
// a requestAnimationFrame watcher in the gallery's frame sees every tile on screen showing its
// picture (Date.now(), the machine's clock, in both). It is split where the gallery's document
// starts (its performance.timeOrigin): before it the extension's side (activation, loading the
// features, resolveWebviewView, the webview's creation), after it the page's (its script, the
// host's messages, decoding). CPU time: every process under code-server and under Chromium, from
// /proc, over the same interval. Windows alternate snapshot and state.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  freshDir, installVsix, launchChromium, openWorkbench, sleep, startCodeServer, uiTools, writeUserSettings, writeWorkspace,
} from '../test/ui/harness.mjs';
import { machine, machineLine, makeStage, median, quartiles, root, tmpRoot } from './lib.mjs';

const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : dflt; };
const RUNS = Number(arg('--runs', 3));
const WRITE = !process.argv.includes('--no-write');
const BASELINE = arg('--baseline', execFileSync('git', ['merge-base', 'HEAD', 'main'], { cwd: root, encoding: 'utf8' }).trim().slice(0, 7));
const WORKSPACE = path.join(root, 'bench', '.tmp', 'gallery', 'workspace');
const ICON = '.activitybar .action-item a[aria-label^="Pixelwright"]';
const EXPLORER = '.activitybar .action-item a[aria-label^="Explorer"]';
const VIEWPORT = { width: 1280, height: 800 };
const SETTLE_MS = 2000;
/** After a window's first screen: time for the index to be kept (2 s after the scan) and the thumbnails written. */
const LINGER_MS = 5000;

const TICK_MS = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const hz = Number(r.stdout?.trim());
  return 1000 / (Number.isFinite(hz) && hz > 0 ? hz : 100);
})();

/** CPU time (ms) of every process under this one, and of those under code-server's process. */
function childrenCpuMs(serverPid) {
  const procs = new Map();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      procs.set(Number(d), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch { /* gone meanwhile */ }
  }
  const under = (top) => {
    const got = new Set([top]);
    for (let grew = true; grew;) {
      grew = false;
      for (const [pid, p] of procs) if (!got.has(pid) && got.has(p.ppid)) { got.add(pid); grew = true; }
    }
    got.delete(process.pid);
    return got;
  };
  const sum = (pids) => [...pids].reduce((t, pid) => t + (procs.get(pid)?.ticks ?? 0), 0) * TICK_MS;
  const total = sum(under(process.pid));
  const server = sum(under(serverPid));
  return { total, server, browser: total - server };
}

/**
 * Installed into every frame but the workbench's: notes the time every tile on screen shows its
 * picture (a canvas drawn from the thumbnail: `data-thumb`). Null until then.
 */
function watchFirstScreen() {
  const shown = () => {
    const sc = document.querySelector('.gallery .scroller');
    if (!sc) return false;
    const box = sc.getBoundingClientRect();
    const visible = [...document.querySelectorAll('.tile')].filter((t) => { const r = t.getBoundingClientRect(); return r.bottom > box.top && r.top < box.bottom; });
    return visible.length > 0 && visible.every((t) => t.dataset.thumb) ? visible.length : 0;
  };
  if (!window.__pwWatch) {
    window.__pwWatch = true;
    const tick = () => { const n = shown(); if (n) { window.__pwShown = Date.now(); window.__pwTiles = n; } else requestAnimationFrame(tick); };
    tick();
  }
  return window.__pwShown ? { shownAt: window.__pwShown, pageAt: performance.timeOrigin, tiles: window.__pwTiles } : null;
}

/** One snapshot: its stage, VSIX, extensions folder and user-data folder. */
function prepare(label, ref, tools, env) {
  const stage = makeStage({ ref, name: `stage-galleryHost-${label}`, compile: false });
  if (!stage.built) throw new Error(`${label}: the production build failed:\n${stage.buildError}`);
  const dir = path.join(tmpRoot, 'galleryHost', label);
  freshDir(dir);
  const r = spawnSync(process.execPath, [path.join(stage.dir, 'scripts', 'package.mjs'), '--no-build', '--target', 'linux-x64', '--out', dir], { cwd: stage.dir, encoding: 'utf8', env });
  const m = /^vsix: (.+)$/m.exec(r.stdout ?? '');
  if (r.status !== 0 || !m) throw new Error(`${label}: scripts/package.mjs failed (exit ${r.status}):\n${`${r.stdout}${r.stderr}`.slice(-2000)}`);
  const extensionsDir = path.join(dir, 'extensions');
  installVsix({ codeServerBin: tools.codeServerBin, env, vsix: m[1].trim(), extensionsDir, userDataDir: path.join(dir, 'install-profile') });
  const userDataDir = path.join(dir, 'user-data');
  writeUserSettings(userDataDir, { 'workbench.colorTheme': 'Dark Modern', 'window.commandCenter': false, 'workbench.layoutControl.enabled': false, 'workbench.secondarySideBar.defaultVisibility': 'hidden' });
  return { label, source: stage.source, dir, extensionsDir, userDataDir };
}

/** The extension's workspace storage folders (kept index, thumbnails) of a profile. */
function extensionStorage(userDataDir) {
  const ws = path.join(userDataDir, 'User', 'workspaceStorage');
  if (!fs.existsSync(ws)) return [];
  return fs.readdirSync(ws).map((d) => path.join(ws, d, 'pixelwright.pixelwright')).filter((d) => fs.existsSync(d));
}

/** One window on the snapshot's profile. `setup`: lay out the side bar (Studio collapsed, Gallery open). */
async function window1(snap, { cold, setup = false, i }) {
  if (cold) for (const d of extensionStorage(snap.userDataDir)) fs.rmSync(d, { recursive: true, force: true });
  const { tools, env } = uiTools();
  const dir = path.join(snap.dir, `window-${i}`);
  freshDir(dir);
  let cs;
  let browser;
  try {
    cs = await startCodeServer({ codeServerBin: tools.codeServerBin, env, dir, userDataDir: snap.userDataDir, extensionsDir: snap.extensionsDir });
    const launched = await launchChromium({ chromium: tools.chromium, viewport: VIEWPORT });
    browser = launched.browser;
    const { page } = launched;
    // under load, code-server's first page takes longer than Playwright's 30 s default
    page.setDefaultNavigationTimeout(180_000);
    page.setDefaultTimeout(120_000);
    await openWorkbench(page, { url: cs.url, workspace: WORKSPACE, ready: ICON });
    const icon = page.locator(ICON).first();
    await icon.waitFor({ state: 'visible', timeout: 30_000 });
    if (await page.locator('.activitybar .action-item.checked a[aria-label^="Pixelwright"]').count()) throw new Error('the Pixelwright container was already open');
    await sleep(SETTLE_MS);
    const loadavg = os.loadavg()[0];
    await page.evaluate(() => { window.__pwDown = undefined; window.addEventListener('pointerdown', () => { window.__pwDown ??= Date.now(); }, true); });
    const cpu0 = childrenCpuMs(cs.child.pid);
    await icon.click({ force: true });
    if (setup) {
      const studio = page.locator('.part.sidebar .pane-header[aria-label^="Studio"][aria-expanded="true"]');
      await studio.first().waitFor({ timeout: 30_000 }).catch(() => { });
      if (await studio.count()) await studio.first().click();
      const header = page.locator('.part.sidebar .pane-header[aria-label^="Gallery"]');
      await header.first().waitFor({ timeout: 30_000 });
      if ((await header.first().getAttribute('aria-expanded')) === 'false') await header.first().click();
    }
    let seen;
    const end = Date.now() + 120_000;
    while (!seen && Date.now() < end) {
      for (const f of page.frames()) {
        if (f === page.mainFrame()) continue;
        seen = await f.evaluate(watchFirstScreen).catch(() => null);
        if (seen) break;
      }
      if (!seen) await sleep(20);
    }
    const cpu1 = childrenCpuMs(cs.child.pid);
    if (!seen) {
      // what the window showed, and what each frame held, for the failure's report
      await page.screenshot({ path: path.join(dir, 'failure.png') }).catch(() => { });
      for (const f of page.frames()) {
        const info = await f.evaluate(() => ({ url: location.href.slice(0, 80), tiles: document.querySelectorAll('.tile').length, thumbs: document.querySelectorAll('.tile[data-thumb]').length, text: document.body?.innerText?.slice(0, 200) })).catch((e) => String(e));
        console.log('  frame:', JSON.stringify(info));
      }
      throw new Error(`the gallery's first screen did not show within 120 s of the click (screenshot: ${path.relative(root, path.join(dir, 'failure.png'))})`);
    }
    const downAt = await page.evaluate(() => window.__pwDown);
    // the next window starts with the container closed; the index and thumbnails are kept meanwhile
    await sleep(LINGER_MS);
    await page.locator(EXPLORER).first().click().catch(() => { });
    await sleep(1500);
    return {
      ok: true, openMs: seen.shownAt - downAt, hostMs: seen.pageAt - downAt, pageMs: seen.shownAt - seen.pageAt, tiles: seen.tiles,
      cpuMs: cpu1.total - cpu0.total, serverCpuMs: cpu1.server - cpu0.server, browserCpuMs: cpu1.browser - cpu0.browser, loadavg,
    };
  } catch (e) {
    return { ok: false, error: e.message };
  } finally {
    await browser?.close().catch(() => { });
    await cs?.stop();
  }
}

const fmt = (x) => (Number.isFinite(x) ? `${Math.round(x)} ms` : 'n/a');
const iqr = (xs) => { const q = quartiles(xs); return q ? `IQR ${Math.round(q[0])}–${Math.round(q[1])}` : ''; };

async function main() {
  if (!fs.existsSync(path.join(WORKSPACE, 'images', 'generated'))) {
    console.error(`${path.relative(root, WORKSPACE)} has no images: run \`node bench/gallery.mjs --no-memory --runs 1\` once first.`);
    process.exit(1);
  }
  const images = fs.readdirSync(path.join(WORKSPACE, 'images', 'generated')).length;
  writeWorkspace(WORKSPACE, { 'pixelwright.outputFolder': 'images/generated' });
  const started = Date.now();
  const m0 = machine();
  const { tools, env } = uiTools();
  const snaps = [prepare('current', undefined, tools, env), prepare('baseline', BASELINE, tools, env)];
  console.log(`galleryHost: ${images} images; current = ${snaps[0].source}; baseline = ${snaps[1].source}`);
  for (const s of snaps) {
    const r = await window1(s, { cold: true, setup: true, i: 'setup' });
    console.log(`  ${s.label}: setup window ${r.ok ? `${fmt(r.openMs)} (not counted)` : `failed: ${r.error}`}`);
    if (!r.ok) process.exit(1);
  }
  const results = { current: { cold: [], warm: [] }, baseline: { cold: [], warm: [] } };
  const failures = [];
  for (let r = 0; r < RUNS; r++) {
    const order = r % 2 ? [...snaps].reverse() : snaps;
    for (const s of order) {
      for (const cold of r % 2 ? [false, true] : [true, false]) {
        const w = await window1(s, { cold, i: `${r}-${cold ? 'cold' : 'warm'}` });
        if (!w.ok) { failures.push(`${s.label} ${cold ? 'cold' : 'warm'}: ${w.error}`); console.log(`  run ${r + 1} ${s.label} ${cold ? 'cold' : 'warm'}: failed: ${w.error}`); continue; }
        results[s.label][cold ? 'cold' : 'warm'].push(w);
        console.log(`  run ${r + 1} ${s.label} ${cold ? 'cold' : 'warm'}: ${fmt(w.openMs)} (extension side ${fmt(w.hostMs)}, page ${fmt(w.pageMs)}; CPU ${fmt(w.cpuMs)}: code-server ${fmt(w.serverCpuMs)}, Chromium ${fmt(w.browserCpuMs)}; ${w.tiles} tiles; load ${w.loadavg.toFixed(1)})`);
      }
    }
  }
  const row = (label, state) => {
    const xs = results[label][state];
    const m = (k) => median(xs.map((x) => x[k]));
    return { n: xs.length, open: m('openMs'), host: m('hostMs'), page: m('pageMs'), cpu: m('cpuMs'), server: m('serverCpuMs'), browser: m('browserCpuMs'), iqr: iqr(xs.map((x) => x.openMs)), loads: xs.map((x) => x.loadavg) };
  };
  const rows = [];
  for (const state of ['warm', 'cold']) for (const label of ['current', 'baseline']) rows.push({ label, state, ...row(label, state) });
  const get = (label, state) => rows.find((x) => x.label === label && x.state === state);
  const loads = rows.flatMap((x) => x.loads);
  const lines = [
    '### The first screen in the real host (`node bench/galleryHost.mjs`)',
    '',
    `${new Date().toISOString().replace(/\.\d+Z$/, 'Z')} · ${machineLine(m0)} · load average during the windows ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} · took ${Math.round((Date.now() - started) / 1000)} s`,
    '',
    `code-server + headless Chromium, the packaged extension (each snapshot's own production build and VSIX), the workspace of ${images} images above, a 1280x800 window (the side bar shows about ${get('current', 'warm').n ? results.current.warm[0].tiles : '?'} tiles). From the click on the Pixelwright icon (its pointerdown) to every tile on screen showing its picture; cold: the extension's workspace storage (kept index and thumbnails) deleted before the window; warm: a window after the first. Current: ${snaps[0].source}; baseline: ${snaps[1].source} (main before this work). ${RUNS} windows per snapshot and state, alternating, after one setup window each (not counted).`,
    '',
    '| snapshot | window | click → first screen, median (IQR) | of which: until the page starts | the page | CPU time (code-server + Chromium) |',
    '|---|---|---:|---:|---:|---:|',
    ...rows.map((x) => `| ${x.label} | ${x.state} | ${x.label === 'current' ? '**' : ''}${fmt(x.open)}${x.label === 'current' ? '**' : ''} (${x.iqr}) | ${fmt(x.host)} | ${fmt(x.page)} | ${fmt(x.cpu)} (${fmt(x.server)} + ${fmt(x.browser)}) |`),
    '',
    `**Ratios** (current / baseline, medians): warm ${(get('current', 'warm').open / get('baseline', 'warm').open).toFixed(2)}x, cold ${(get('current', 'cold').open / get('baseline', 'cold').open).toFixed(2)}x; CPU time warm ${(get('current', 'warm').cpu / get('baseline', 'warm').cpu).toFixed(2)}x, cold ${(get('current', 'cold').cpu / get('baseline', 'cold').cpu).toFixed(2)}x.${failures.length ? ` Failed windows: ${failures.length} (${failures.join('; ')}).` : ''}`,
    '',
  ];
  const section = lines.join('\n');
  console.log(`\n${section}`);
  if (WRITE) {
    const file = path.join(root, 'bench', 'results.md');
    const cur = fs.readFileSync(file, 'utf8');
    const head = '### The first screen in the real host';
    const start = cur.indexOf(head);
    let next;
    if (start >= 0) {
      const rest = cur.slice(start + head.length);
      const m = /^#{2,3} /m.exec(rest);
      const end = m ? start + head.length + m.index : cur.length;
      next = `${cur.slice(0, start)}${section}\n${cur.slice(end)}`;
    } else {
      // at the end of the Gallery section
      const g = cur.search(/^## Gallery\s*$/m);
      const after = g < 0 ? -1 : cur.slice(g + 1).search(/^## /m);
      const at = g < 0 || after < 0 ? cur.length : g + 1 + after;
      next = `${cur.slice(0, at).replace(/\s*$/, '\n\n')}${section}\n${cur.slice(at)}`;
    }
    fs.writeFileSync(file, next.replace(/\s*$/, '\n'));
    console.log(`wrote "${head}" into ${path.relative(root, file)}`);
  }
  if (!process.env.BENCH_KEEP) fs.rmSync(tmpRoot, { recursive: true, force: true });
}

await main();
