// Gallery benchmark: 1,000 images Pixelwright wrote (1024x1024, 70% PNG, 15% JPEG, 15% WebP, each
// with its record), the way the gallery view meets them.
//
//   npm run build && npm run compile-tests && node bench/gallery.mjs [--images 1000] [--runs 5] [--no-write]
//     [--baseline REF] [--no-memory]
//
// The first screen is measured side by side with the gallery as it was before its first-screen
// work (--baseline, a git ref; default below): that tree is extracted into bench/.tmp, built there,
// and its own host modules and webview bundle are driven the way its host drove them.
//
// 1. Index: every file's record read from its head (src/core/headScan.ts) and the list sorted,
//    against the baseline of reading each file whole and calling readRecord.
// 2. First screen: the real webview bundle (dist/webview/gallery.js + media/gallery.css) in
//    headless Chromium, in a side-bar-sized page (300x800), whose acquireVsCodeApi is wired to the
//    host's own modules running here in Node (index scan, ThumbnailCache with sharp). Timed from the
//    moment the view opens (page load and index scan start together, as in resolveWebviewView) to
//    every tile on the first screen showing its decoded thumbnail. Cold: an empty thumbnail cache
//    (sharp makes them); warm: the cache a previous window left on disk. Baseline: the same webview
//    fed the original files instead of thumbnails (what "send the full images" would cost).
// 3. The webview's memory after scrolling the whole list from top to bottom: renderer RSS, JS heap
//    and DOM nodes, virtualized (ours) against every tile in the DOM at once (baseline).
//
// What it does not include: VS Code's own postMessage hop (host -> workbench -> iframe), which the
// UI test exercises but cannot time finely. Runs are interleaved (cold, warm, full) so drift in
// machine load hits all three; figures are medians. Writes its section ("## Gallery", the last one)
// into bench/results.md, replacing only its own earlier section.
import { createRequire } from 'node:module';
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const COUNT = arg('--images', 1000);
const RUNS = arg('--runs', 5);
const WRITE = !process.argv.includes('--no-write');
const MEMORY = !process.argv.includes('--no-memory');
/** The gallery before the first-screen work (index kept between windows, thumbnails sent with the list). */
const DEFAULT_BASELINE = '6f843e7';
const BASELINE = (() => { const i = process.argv.indexOf('--baseline'); return i > 0 ? process.argv[i + 1] : DEFAULT_BASELINE; })();
const VIEW = { width: 300, height: 800 };

for (const f of ['out/src/core/headScan.js', 'out/src/host/gallery/thumbnails.js', 'out/src/core/thumbnails.js', 'dist/webview/gallery.js']) {
  if (!fs.existsSync(path.join(ROOT, f))) {
    console.error(`${f} is missing: run \`npm run build && npm run compile-tests\` first.`);
    process.exit(1);
  }
}
const sharp = require('sharp');
const { embedRecord, readRecord } = require(path.join(ROOT, 'out/src/core/metadata.js'));
const { scanFile } = require(path.join(ROOT, 'out/src/core/headScan.js'));
const { ThumbnailCache } = require(path.join(ROOT, 'out/src/host/gallery/thumbnails.js'));
const { compareNewestFirst, parseTime } = require(path.join(ROOT, 'out/src/host/gallery/model.js'));
const { makeThumbnail } = require(path.join(ROOT, 'out/src/core/thumbnails.js'));
const { GalleryFeed } = require(path.join(ROOT, 'out/src/host/gallery/feed.js'));
const { loadIndexCache, saveIndexCache, entryMatches } = require(path.join(ROOT, 'out/src/host/gallery/indexCache.js'));
const { resolveTools } = await import(path.join(ROOT, 'scripts/run-host-tests.mjs'));

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const quart = (xs) => { const s = [...xs].sort((a, b) => a - b); const q = (p) => s[Math.min(s.length - 1, Math.max(0, Math.round(p * (s.length - 1))))]; return [q(0.25), q(0.75)]; };
const ms = (x) => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`;
const mb = (b) => `${(b / 1024 / 1024).toFixed(b < 10 * 1024 * 1024 ? 1 : 0)} MB`;
const iqr = (xs) => { const [a, b] = quart(xs); return `IQR ${ms(a).replace(' ms', '')}–${ms(b)}`; };

// ---- the images ----------------------------------------------------------------------------------

const work = path.join(ROOT, 'bench', '.tmp', 'gallery');
const wsDir = path.join(work, 'workspace', 'images', 'generated');
const stamp = path.join(work, `images-${COUNT}.ok`);

/** A photo-like 1024x1024 picture (gradients, blobs, fine noise), so encoders give real-world sizes. */
function picture(seed) {
  const W = 1024;
  const px = Buffer.alloc(W * W * 3);
  let s = seed * 7919 + 1;
  const cx = 0.2 + ((seed * 37) % 60) / 100;
  const cy = 0.2 + ((seed * 53) % 60) / 100;
  for (let y = 0; y < W; y++) {
    for (let x = 0; x < W; x++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const u = x / W;
      const v = y / W;
      const k = Math.exp(-((u - cx) ** 2 + (v - cy) ** 2) / 0.03);
      const n = ((s >>> 26) - 32) / 3;
      const i = (y * W + x) * 3;
      px[i] = Math.max(0, Math.min(255, 40 + 150 * u + 60 * k + n + ((seed * 29) % 80)));
      px[i + 1] = Math.max(0, Math.min(255, 60 + 120 * v + 90 * k + n));
      px[i + 2] = Math.max(0, Math.min(255, 170 - 90 * u * v + 30 * k + n + ((seed * 13) % 60)));
    }
  }
  return sharp(px, { raw: { width: W, height: W, channels: 3 } });
}

async function makeImages() {
  if (fs.existsSync(stamp)) return;
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(wsDir, { recursive: true });
  const bases = [];
  for (let b = 0; b < 24; b++) {
    const format = b % 20 < 14 ? 'png' : b % 20 < 17 ? 'jpeg' : 'webp';
    const img = picture(b);
    const bytes = format === 'png' ? await img.png().toBuffer() : format === 'jpeg' ? await img.jpeg({ quality: 90 }).toBuffer() : await img.webp({ quality: 90 }).toBuffer();
    bases.push({ format, bytes });
  }
  const t0 = Date.UTC(2026, 10, 1);
  for (let i = 0; i < COUNT; i++) {
    const base = bases[i % bases.length];
    const record = {
      v: 1, operation: 'generate', prompt: `test image ${i}: a lighthouse, a fox or an otter, in a style of its own`,
      model: 'gpt-image-1.5', options: { size: '1024x1024', quality: 'medium', output_format: base.format, n: 1 },
      provider: { kind: 'openai' }, createdAt: new Date(t0 + ((i * 7919) % COUNT) * 60_000).toISOString(), index: 0, count: 1, tool: 'Pixelwright bench',
    };
    const ext = base.format === 'jpeg' ? 'jpg' : base.format;
    fs.writeFileSync(path.join(wsDir, `image-${String(i).padStart(4, '0')}.${ext}`), embedRecord(base.bytes, record));
  }
  fs.writeFileSync(stamp, '');
}

// ---- 1. the index --------------------------------------------------------------------------------

const files = () => fs.readdirSync(wsDir).map((n) => path.join(wsDir, n));

/** As GalleryIndex.rescan: 16 files at a time, then newest first. */
async function scanAll(read) {
  const list = files();
  const found = [];
  let bytes = 0;
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const p = list[next++];
      const r = await read(p);
      bytes += r.bytesRead;
      if (r.record) found.push({ id: path.relative(path.dirname(wsDir), p), rev: `${Math.round(r.mtime).toString(36)}-${r.size.toString(36)}`, path: p, time: parseTime(r.record.createdAt), mtime: r.mtime, record: r.record });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  found.sort(compareNewestFirst);
  return { found, bytes };
}

const heads = (p) => scanFile(p);
const whole = async (p) => {
  const b = await fs.promises.readFile(p);
  const st = await fs.promises.stat(p);
  return { record: readRecord(b), bytesRead: b.length, size: st.size, mtime: st.mtimeMs };
};

// ---- 2. the webview -------------------------------------------------------------------------------

/** Serves the workspace's images over HTTP, for the full-image baseline. */
async function fileServer() {
  const http = await import('node:http');
  const server = http.createServer((req, res) => {
    const p = path.join(wsDir, path.basename(decodeURIComponent(req.url ?? '')));
    fs.readFile(p, (err, data) => {
      if (err) { res.writeHead(404); res.end(); return; }
      res.writeHead(200, { 'access-control-allow-origin': '*', 'content-type': 'application/octet-stream' });
      res.end(data);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(() => r())) };
}

/** The baseline tree: `ref` extracted into bench/.tmp and built there (once per commit). */
function baselineTree(ref) {
  const sha = execSync(`git rev-parse --short ${ref}`, { cwd: ROOT, encoding: 'utf8' }).trim();
  const dir = path.join(ROOT, 'bench', '.tmp', `gallery-baseline-${sha}`);
  if (!fs.existsSync(path.join(dir, 'built.ok'))) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    execSync(`git archive ${sha} | tar -x -C "${dir}"`, { cwd: ROOT, shell: '/bin/bash' });
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    execSync('node scripts/build.mjs', { cwd: dir, stdio: 'ignore' });
    try { execSync('npx tsc -p tsconfig.test.json', { cwd: dir, stdio: 'ignore' }); } catch { /* test files may not compile; the sources did */ }
    fs.writeFileSync(path.join(dir, 'built.ok'), '');
  }
  const req = (f) => require(path.join(dir, 'out', f));
  return {
    sha,
    dir,
    ThumbnailCache: req('src/host/galleryThumbnails.js').ThumbnailCache,
    makeThumbnail: req('src/core/thumbnails.js').makeThumbnail,
    js: fs.readFileSync(path.join(dir, 'dist', 'webview', 'gallery.js'), 'utf8'),
    css: fs.readFileSync(path.join(dir, 'media', 'gallery.css'), 'utf8'),
  };
}

const OURS = { js: fs.readFileSync(path.join(ROOT, 'dist', 'webview', 'gallery.js'), 'utf8'), css: fs.readFileSync(path.join(ROOT, 'media', 'gallery.css'), 'utf8') };

function pageHtml(tree = OURS) {
  const { css, js } = tree;
  const theme = '--vscode-font-family: sans-serif; --vscode-font-size: 13px; --vscode-foreground: #ccc; --vscode-sideBar-background: #181818; --vscode-editorWidget-background: #202020; --vscode-editor-background: #1f1f1f; --vscode-focusBorder: #0078d4;';
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><style>:root{${theme}}</style><style>${css}</style></head>
<body><div id="app"></div>
<script>
  const state = {};
  window.__marks = [];
  window.__mark = (name) => window.__marks.push([name, performance.timeOrigin + performance.now()]);
  const decode = window.createImageBitmap.bind(window);
  let decoding = 0;
  window.createImageBitmap = (...args) => { const n = ++decoding; window.__mark('decode ' + n); return decode(...args).then((b) => (window.__mark('decoded ' + n), b)); };
  window.acquireVsCodeApi = () => ({ postMessage: (m) => (window.__mark('post ' + m.type), window.__host(m)), getState: () => state.s, setState: (s) => { state.s = s; } });
  window.__deliver = (m) => {
    window.__mark('arrive ' + m.type + (m.items ? ' x' + m.items.length : ''));
    if (m.url) { return fetch(m.url).then((r) => r.arrayBuffer()).then((b) => { m.bytes = new Uint8Array(b); delete m.url; window.dispatchEvent(new MessageEvent('message', { data: m })); }); }
    const bytesOf = (b64) => { const bin = atob(b64); const u = new Uint8Array(bin.length); for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i); return u; };
    const unb64 = (x) => { if (x.b64) { x.bytes = bytesOf(x.b64); delete x.b64; } };
    // ours: every Uint8Array came as { __b64 } (see toWire); the baseline's thumbnails as b64 fields
    const revive = (v) => { if (!v || typeof v !== 'object') return v; if (typeof v.__b64 === 'string') return bytesOf(v.__b64); for (const k of Object.keys(v)) v[k] = revive(v[k]); return v; };
    m = revive(m);
    unb64(m);
    if (Array.isArray(m.items) && m.type === 'thumbs') {
      m.items.forEach(unb64);
      if (m.items.some((x) => x.url)) {
        return Promise.all(m.items.map((x) => (x.url ? fetch(x.url).then((r) => r.arrayBuffer()).then((b) => { x.bytes = new Uint8Array(b); delete x.url; }) : undefined)))
          .then(() => window.dispatchEvent(new MessageEvent('message', { data: m })));
      }
    }
    window.dispatchEvent(new MessageEvent('message', { data: m }));
    window.__mark('handled ' + m.type);
  };
  // the first screen is done when every tile that intersects the viewport shows a decoded image
  const shownNow = () => {
    const sc = document.querySelector('.scroller');
    const tiles = sc ? [...document.querySelectorAll('.tile')] : [];
    const box = sc && sc.getBoundingClientRect();
    const visible = tiles.filter((t) => { const r = t.getBoundingClientRect(); return r.bottom > box.top && r.top < box.bottom; });
    return visible.length && visible.every((t) => t.dataset.thumb) ? visible.length : 0;
  };
  window.__firstScreen = () => new Promise((resolve) => {
    const check = () => { const n = shownNow(); if (n) resolve(n); else requestAnimationFrame(check); };
    check();
  });
  // watched from the page's start, every frame, so that the time does not depend on when the
  // bench's own call reaches the page (its calls queue behind the messages it posted before)
  window.__firstScreenAt = new Promise((resolve) => {
    const check = () => { if (shownNow()) { window.__mark('first screen'); resolve(performance.timeOrigin + performance.now()); } else requestAnimationFrame(check); };
    requestAnimationFrame(check);
  });
</script>
<script>window.__mark('bundle start')</script><script>${js}</script><script>window.__mark('bundle end')</script></body></html>`;
}

/**
 * One opening of the view with today's host code: src/host/gallery/feed.ts (what is posted, and
 * when) and thumbnails.ts, fed with a list built as GalleryIndex builds it (index.ts needs
 * `vscode`, so its steps are repeated here): the list from the file the last window kept (when
 * there is one: warm), its check (a stat per file) started once the first screen is sent, else a
 * scan of every file head. The first screen's thumbnails are read (or made) while the page loads.
 * `mode`: 'thumbs' or 'full' (the originals instead of thumbnails, fetched by the page).
 */
async function openView(browser, { cacheDir, indexFile, mode, server }) {
  const context = await browser.newContext({ viewport: VIEW });
  const page = await context.newPage();
  if (process.env.BENCH_DEBUG) { page.on('console', (m) => console.log('page:', m.text())); page.on('pageerror', (e) => console.log('pageerror:', e.message)); page.on('crash', () => console.log('page crashed')); }
  const onHost = await channel(page);
  const cpu0 = await cpuNow(browser);
  const t0 = performance.now();
  const cache = new ThumbnailCache(cacheDir, async () => makeThumbnail, { concurrency: 2, memoryEntries: 400 });
  void cache.warm();
  const at = () => `${Math.round(performance.now() - t0)} ms`;
  // as postMessage: in order, without waiting for the page to take each; bytes travel as base64 here,
  // the message as one JSON string (Playwright's own argument walk cost the page more than the parse)
  const send = (m) => page.evaluate((json) => window.__deliver(JSON.parse(json)), JSON.stringify(toWire(m))).catch(() => { });
  let ready = false;
  let found = [];
  let scanning = true;
  const byId = () => new Map(found.map((f) => [f.id, f]));
  const feed = new GalleryFeed(cache, {
    items: () => found,
    get: (id) => byId().get(id),
    get scanning() { return scanning; },
    noWorkspace: () => false,
    name: (f) => path.basename(f.path),
    job: (f) => ({ id: f.id, rev: f.rev, source: f.path }),
  }, {
    locale: 'en',
    strings: () => ({}),
    isReady: () => ready,
    post: (m) => {
      if (process.env.BENCH_DEBUG) console.log(`  ${m.type}${m.first ? ` (first screen: ${m.first.items.length} of ${m.first.total}, ${m.first.thumbs.length} thumbnails)` : m.items ? ` x${m.items.length}` : ''} posted at ${at()}`);
      void send(m);
    },
  });
  setTimeout(() => feed.dates.warm(), 0);
  const listed = (list) => {
    found = list;
    if (ready) feed.listChanged();
    else if (mode === 'thumbs') feed.prefetch();
  };
  // as GalleryIndex.start: the kept index at once; its check after the first screen; else the scan
  const firstOut = new Promise((resolve) => { const t = setTimeout(resolve, 3000); void feed.firstScreenSent.then(() => { clearTimeout(t); resolve(); }); });
  const scan = (indexFile ? loadIndexCache(indexFile) : Promise.resolve(new Map())).then(async (kept) => {
    if (kept.size) {
      listed(fromEntries(kept));
      await firstOut;
      if (process.env.BENCH_DEBUG) console.log(`  check of the kept list starts at ${at()}`);
    }
    const started = performance.now();
    const r = await scanKept(kept);
    if (process.env.BENCH_DEBUG) console.log(`  scan of the file heads (${kept.size ? 'kept list checked' : 'nothing kept'}): ${at()}, ${Math.round(performance.now() - started)} ms`);
    return r;
  }).then(async (r) => {
    scanning = false;
    listed(r.found);
    if (indexFile) await saveIndexCache(indexFile, r.entries);
    if (process.env.BENCH_DEBUG) console.log(`  scan done at ${at()}`);
    return r;
  });
  onHost.to = async (m) => {
    if (m.type === 'ready') {
      if (process.env.BENCH_DEBUG) console.log(`  ready at ${at()}; list ${found.length ? 'known' : 'not yet'}; view ${JSON.stringify(m.view)}`);
      ready = true;
      // full images: the page asks for what it shows (no thumbnails sent unasked)
      feed.onReady(mode === 'full' ? { type: 'ready' } : m);
    } else if (m.type === 'shown') {
      if (process.env.BENCH_DEBUG) console.log(`  shown at ${at()}`);
      feed.onShown();
    } else if (m.type === 'thumbs') {
      if (mode === 'full') {
        const items = byId();
        const jobs = m.items.map((w) => items.get(w.id)).filter(Boolean);
        void send({ type: 'thumbs', items: jobs.map((j) => ({ id: j.id, rev: j.rev, url: `${server.url}/${path.basename(j.path)}`, mime: mimeOf(j.path) })) });
      } else feed.request(m.items);
    }
  };
  let cdp;
  if (process.env.BENCH_PROFILE) {
    cdp = await context.newCDPSession(page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
    await cdp.send('Profiler.start');
  }
  await page.setContent(pageHtml());
  if (process.env.BENCH_DEBUG) console.log(`  page set at ${at()}`);
  const tiles = await page.evaluate(() => window.__firstScreen());
  const elapsed = (await page.evaluate(() => window.__firstScreenAt)) - (performance.timeOrigin + t0);
  const cpu = cpuSince(cpu0, await cpuNow(page.context().browser()));
  if (cdp) await printProfile(cdp);
  if (process.env.BENCH_DEBUG) {
    console.log(`  first screen at ${Math.round(elapsed)} ms; CPU ${Math.round(cpu.total)} ms (bench/host ${Math.round(cpu.node)}, Chromium ${Math.round(cpu.chromium)})`);
    const origin = performance.timeOrigin + t0;
    for (const [name, when] of await page.evaluate(() => window.__marks)) console.log(`    page ${String(Math.round(when - origin)).padStart(5)} ms  ${name}`);
  }
  return { page, context, cache, elapsed, cpu, tiles, scanned: await scan };
}

/**
 * The page's way to the host (its acquireVsCodeApi().postMessage), set up before the view's clock
 * starts: it stands for VS Code's message channel, which exists before a view opens (Playwright's
 * exposeFunction cost 55 to 170 ms of round trips here on a loaded machine, none of which a real webview pays).
 * Set `.to` to the handler.
 */
async function channel(page) {
  const onHost = { to: async () => { } };
  await page.exposeFunction('__host', (m) => onHost.to(m));
  return onHost;
}

/**
 * CPU time so far (ms) of this process (the host's part, and the bench's driving) and of every
 * Chromium process (browser, renderers, GPU): with other work on the 2 cores, wall time stretches,
 * the CPU time an opening costs much less.
 */
async function cpuNow(browser) {
  const u = process.cpuUsage();
  let chromium = 0;
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { processInfo } = await cdp.send('SystemInfo.getProcessInfo');
    const pids = new Set([...processInfo.map((p) => p.id), browser.process?.()?.pid].filter(Boolean));
    for (const pid of pids) {
      try {
        const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').slice(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').lastIndexOf(')') + 2).split(' ');
        chromium += ((Number(f[11]) + Number(f[12])) * 1000) / TICKS;
      } catch { /* gone */ }
    }
  } finally {
    await cdp.detach().catch(() => { });
  }
  return { node: (u.user + u.system) / 1000, chromium };
}
const TICKS = (() => { try { return Number(execSync('getconf CLK_TCK', { encoding: 'utf8' }).trim()) || 100; } catch { return 100; } })();
const cpuSince = (a, b) => ({ node: b.node - a.node, chromium: b.chromium - a.chromium, total: b.node - a.node + b.chromium - a.chromium });

/** Bytes as base64 for page.evaluate (which does not carry typed arrays); the page turns them back. */
function toWire(v) {
  if (v instanceof Uint8Array) return { __b64: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
  if (Array.isArray(v)) return v.map(toWire);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, toWire(x)]));
  return v;
}

/** The page's CPU profile (BENCH_PROFILE=1): self time by function. */
async function printProfile(cdp) {
  const { profile } = await cdp.send('Profiler.stop');
  const self = new Map();
  const dt = profile.timeDeltas;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  profile.samples.forEach((id, i) => {
    const n = byId.get(id);
    const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url ? path.basename(n.callFrame.url) : ''}:${n.callFrame.lineNumber}`;
    self.set(k, (self.get(k) ?? 0) + (dt[i + 1] ?? 0) / 1000);
  });
  console.log('  page CPU profile, self time:');
  for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(`    ${v.toFixed(1).padStart(7)} ms  ${k}`);
}

const mimeOf = (p) => (p.endsWith('.png') ? 'image/png' : p.endsWith('.jpg') ? 'image/jpeg' : 'image/webp');

/** The list from index entries (path -> entry), newest first. */
function fromEntries(entries) {
  const found = [];
  for (const [p, e] of entries) if (e.record) found.push({ id: path.relative(path.dirname(wsDir), p), rev: `${Math.round(e.mtime).toString(36)}-${e.size.toString(36)}`, path: p, time: parseTime(e.record.createdAt), mtime: e.mtime, record: e.record });
  return found.sort(compareNewestFirst);
}

/** As GalleryIndex.rescan: a stat per file; the head read only when mtime or size changed. */
async function scanKept(kept) {
  const list = files();
  const entries = new Map();
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const p = list[next++];
      const prior = kept.get(p);
      if (prior) {
        const st = await fs.promises.stat(p);
        if (entryMatches(prior, st.mtimeMs, st.size)) { entries.set(p, prior); continue; }
      }
      const r = await scanFile(p);
      entries.set(p, { mtime: r.mtime, size: r.size, record: r.record, width: r.width, height: r.height });
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return { found: fromEntries(entries), entries };
}

/**
 * One opening of the view as the baseline's host did it (its own modules and webview bundle):
 * the whole workspace scanned from file heads, the list sent, and each thumbnail the page then
 * asks for sent in a message of its own.
 */
async function openBaseline(browser, base, { cacheDir }) {
  const context = await browser.newContext({ viewport: VIEW });
  const page = await context.newPage();
  const onHost = await channel(page);
  const cpu0 = await cpuNow(browser);
  const t0 = performance.now();
  const scan = scanAll(heads);
  const cache = new base.ThumbnailCache(cacheDir, async () => base.makeThumbnail, { concurrency: 2, memoryEntries: 400 });
  const send = (m) => page.evaluate((json) => window.__deliver(JSON.parse(json)), JSON.stringify(m)).catch(() => { });
  let items;
  onHost.to = async (m) => {
    if (m.type === 'ready') {
      const { found } = await scan;
      items = new Map(found.map((f) => [f.id, f]));
      await send({ type: 'init', strings: {}, locale: 'en' });
      await send({ type: 'items', scanning: false, items: found.map((f) => ({ id: f.id, rev: f.rev, name: path.basename(f.path), prompt: f.record.prompt, model: f.record.model, operation: 'generate', createdAt: f.record.createdAt })) });
    } else if (m.type === 'thumbs') {
      const jobs = m.items.map((w) => items.get(w.id)).filter(Boolean).map((f) => ({ id: f.id, rev: f.rev, source: f.path }));
      cache.request(jobs, (job, t) => void send({ type: 'thumb', id: job.id, rev: job.rev, b64: t ? Buffer.from(t.bytes).toString('base64') : undefined, mime: t?.mime }));
    }
  };
  await page.setContent(pageHtml(base));
  const tiles = await page.evaluate(() => window.__firstScreen());
  const elapsed = (await page.evaluate(() => window.__firstScreenAt)) - (performance.timeOrigin + t0);
  const cpu = cpuSince(cpu0, await cpuNow(page.context().browser()));
  await scan;
  return { page, context, cache, elapsed, cpu, tiles };
}

/** Renderer RSS (bytes) of the browser's renderer processes, JS heap and DOM nodes of `page`. */
async function memory(browser, page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  await new Promise((r) => setTimeout(r, 300));
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (n) => metrics.find((m) => m.name === n)?.value ?? 0;
  const b = await browser.newBrowserCDPSession();
  const { processInfo } = await b.send('SystemInfo.getProcessInfo');
  // proportional set size: the renderer's own pages plus its share of the shared ones
  let rss = 0;
  for (const p of processInfo.filter((p) => p.type === 'renderer')) {
    try { rss += Number(/^Pss:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${p.id}/smaps_rollup`, 'utf8'))[1]) * 1024; } catch { /* gone */ }
  }
  return { rss, heap: metric('JSHeapUsedSize'), nodes: metric('Nodes'), images: await page.evaluate(() => document.querySelectorAll('img, canvas').length) };
}

/** Scrolls the list from top to bottom a screen at a time, each screen's thumbnails shown. */
async function scrollThrough(page) {
  const total = await page.evaluate(() => document.querySelector('.scroller').scrollHeight);
  for (let y = 0; y < total; y += VIEW.height) {
    await page.evaluate((top) => { document.querySelector('.scroller').scrollTop = top; }, y);
    await page.evaluate(() => window.__firstScreen());
  }
}

/** Baseline for memory: every tile in the DOM at once (no virtualization), same thumbnails. */
async function allTilesPage(browser, cacheDir, found) {
  const context = await browser.newContext({ viewport: VIEW });
  const page = await context.newPage();
  const cache = new ThumbnailCache(cacheDir, async () => makeThumbnail);
  // the same thumbnails as ours: the size our page asked for (kept beside them)
  await cache.warm();
  const thumbs = [];
  for (const f of found) thumbs.push(Buffer.from((await cache.get({ id: f.id, rev: f.rev, source: f.path })).bytes).toString('base64'));
  const css = fs.readFileSync(path.join(ROOT, 'media', 'gallery.css'), 'utf8');
  await page.setContent(`<!DOCTYPE html><html><head><style>${css}</style></head><body><div class="gallery"><div class="scroller"><div class="all"></div></div></div></body></html>`);
  await page.evaluate(({ thumbs, found }) => {
    const host = document.querySelector('.all');
    host.style.cssText = 'display:flex;flex-wrap:wrap;gap:8px;padding:8px;--tile:138px';
    thumbs.forEach((b64, i) => {
      const bin = atob(b64); const u = new Uint8Array(bin.length); for (let k = 0; k < bin.length; k++) u[k] = bin.charCodeAt(k);
      const tile = document.createElement('div'); tile.className = 'tile'; tile.setAttribute('role', 'gridcell'); tile.setAttribute('aria-label', found[i].prompt);
      const box = document.createElement('div'); box.className = 'thumb';
      const img = document.createElement('img'); img.src = URL.createObjectURL(new Blob([u], { type: 'image/webp' })); img.alt = '';
      box.append(img);
      const cap = document.createElement('div'); cap.className = 'caption'; cap.textContent = found[i].prompt;
      tile.append(box, cap); host.append(tile);
    });
  }, { thumbs, found: found.map((f) => ({ prompt: f.record.prompt })) });
  const sc = await page.evaluate(() => document.querySelector('.scroller').scrollHeight);
  for (let y = 0; y < sc; y += VIEW.height) {
    await page.evaluate((top) => { document.querySelector('.scroller').scrollTop = top; }, y);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  }
  await page.evaluate(() => Promise.all([...document.images].map((i) => i.decode().catch(() => { }))));
  return { page, context };
}

// ---- run -------------------------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  console.log(`gallery bench: ${COUNT} images, ${RUNS} runs`);
  await makeImages();
  const list = files();
  const sizes = list.map((p) => fs.statSync(p).size);
  const totalBytes = sizes.reduce((a, b) => a + b, 0);
  const byExt = (e) => list.filter((p) => p.endsWith(e)).length;
  console.log(`  ${list.length} files, ${mb(totalBytes)} (${byExt('.png')} PNG, ${byExt('.jpg')} JPEG, ${byExt('.webp')} WebP)`);

  // 1. index, interleaved
  const scanH = [];
  const scanW = [];
  let headBytes = 0;
  let images = 0;
  await scanAll(heads); // warm the page cache for both
  for (let r = 0; r < RUNS + 2; r++) {
    const order = r % 2 ? [['w', whole], ['h', heads]] : [['h', heads], ['w', whole]];
    for (const [k, fn] of order) {
      const t = performance.now();
      const res = await scanAll(fn);
      const dt = performance.now() - t;
      if (r < 2) continue;
      (k === 'h' ? scanH : scanW).push(dt);
      if (k === 'h') { headBytes = res.bytes; images = res.found.length; }
    }
  }
  console.log(`  index: heads ${ms(median(scanH))}, whole files ${ms(median(scanW))}`);

  // 2. first screen, 3. memory
  const { chromium: chromiumPath } = resolveTools();
  if (!chromiumPath) throw new Error('no Chromium: run bash scripts/setup-test-host.sh');
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  const server = await fileServer();
  const warmDir = path.join(work, 'cache-warm');
  const warmIndex = path.join(work, 'index-warm.json');
  const baseWarmDir = path.join(work, 'cache-warm-baseline');
  for (const d of [warmDir, warmIndex, baseWarmDir]) fs.rmSync(d, { recursive: true, force: true });
  const base = baselineTree(BASELINE);
  console.log(`  baseline: ${BASELINE} (${base.sha}), built in ${path.relative(ROOT, base.dir)}`);
  const times = { cold: [], warm: [], full: [], baseCold: [], baseWarm: [] };
  const cpus = { cold: [], warm: [], full: [], baseCold: [], baseWarm: [] };
  const loads = [];
  let tilesOnScreen = 0;
  let coldMade = 0;
  try {
    // a first opening of each fills its warm caches (and loads sharp, the bundles, Chromium's caches)
    await (await openView(browser, { cacheDir: warmDir, indexFile: warmIndex, mode: 'thumbs' })).context.close();
    await (await openBaseline(browser, base, { cacheDir: baseWarmDir })).context.close();
    for (let r = 0; r < RUNS; r++) {
      const coldDir = path.join(work, `cache-cold-${r}`);
      const coldIndex = path.join(work, `index-cold-${r}.json`);
      const baseColdDir = path.join(work, `cache-cold-baseline-${r}`);
      for (const d of [coldDir, coldIndex, baseColdDir]) fs.rmSync(d, { recursive: true, force: true });
      const kinds = [
        ['cold', () => openView(browser, { cacheDir: coldDir, indexFile: coldIndex, mode: 'thumbs' })],
        ['baseCold', () => openBaseline(browser, base, { cacheDir: baseColdDir })],
        ['warm', () => openView(browser, { cacheDir: warmDir, indexFile: warmIndex, mode: 'thumbs' })],
        ['baseWarm', () => openBaseline(browser, base, { cacheDir: baseWarmDir })],
        ['full', () => openView(browser, { cacheDir: undefined, mode: 'full', server })],
      ];
      for (let k = 0; k < kinds.length; k++) {
        const [name, open] = kinds[(k + r) % kinds.length];
        if (process.env.BENCH_ONLY && !process.env.BENCH_ONLY.split(',').includes(name)) { times[name].push(NaN); cpus[name].push(NaN); continue; }
        if (process.env.BENCH_DEBUG) console.log("open", name);
        const v = await open();
        times[name].push(v.elapsed);
        cpus[name].push(v.cpu.total);
        if (name === 'warm') tilesOnScreen = v.tiles;
        if (name === 'cold') coldMade = v.cache.stats.made;
        await v.context.close();
      }
      for (const d of [coldDir, coldIndex, baseColdDir]) fs.rmSync(d, { recursive: true, force: true });
      loads.push(os.loadavg()[0]);
      process.stdout.write(`  run ${r + 1}/${RUNS} (load ${os.loadavg()[0].toFixed(1)}): cold ${ms(times.cold.at(-1))} [cpu ${ms(cpus.cold.at(-1))}] (baseline ${ms(times.baseCold.at(-1))} [cpu ${ms(cpus.baseCold.at(-1))}]), warm ${ms(times.warm.at(-1))} [cpu ${ms(cpus.warm.at(-1))}] (baseline ${ms(times.baseWarm.at(-1))} [cpu ${ms(cpus.baseWarm.at(-1))}]), full images ${ms(times.full.at(-1))}\n`);
    }
  } finally {
    await browser.close();
  }

  // memory: a fresh browser per variant, so renderers do not mix
  const mem = {};
  for (const variant of MEMORY ? ['blank', 'ours', 'all', 'full'] : []) {
    const b = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
    try {
      if (variant === 'blank') {
        const page = await (await b.newContext({ viewport: VIEW })).newPage();
        await page.setContent('<!DOCTYPE html><html><body></body></html>');
        mem.blank = await memory(b, page);
      } else if (variant === 'all') {
        const { found } = await scanAll(heads);
        const { page } = await allTilesPage(b, warmDir, found);
        mem.all = await memory(b, page);
      } else {
        const v = await openView(b, { cacheDir: warmDir, mode: variant === 'full' ? 'full' : 'thumbs', server });
        mem[`${variant}First`] = await memory(b, v.page);
        await scrollThrough(v.page);
        mem[variant] = await memory(b, v.page);
      }
    } finally {
      await b.close();
    }
    console.log(`  memory ${variant}: ${JSON.stringify(mem[variant])}`);
  }

  await server.close();

  // ---- report -----------------------------------------------------------------------------------
  const cpu = os.cpus()[0]?.model?.replace(/\s+/g, ' ').trim() ?? '?';
  const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  let git = '';
  try { git = execSync('git rev-parse --short HEAD', { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { /* no git */ }
  const thumbFiles = fs.readdirSync(warmDir).filter((f) => f.endsWith('.webp'));
  const cacheFiles = thumbFiles.length;
  const cacheBytes = thumbFiles.reduce((n, f) => n + fs.statSync(path.join(warmDir, f)).size, 0);
  // the size the page asked for (the cache keeps it beside the thumbnails)
  const thumbSize = fs.existsSync(path.join(warmDir, 'size.txt')) ? fs.readFileSync(path.join(warmDir, 'size.txt'), 'utf8').trim() : '256';
  const [c, w, f, bc, bw] = [median(times.cold), median(times.warm), median(times.full), median(times.baseCold), median(times.baseWarm)];
  const lines = [
    '## Gallery',
    '<!-- bench:gallery (bench/gallery.mjs) -->',
    '',
    `\`node bench/gallery.mjs\` (${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}; ${os.cpus().length} x ${cpu}, Node ${process.version}, sharp ${sharp.versions.sharp}; load average at end ${load}; working tree at ${git}; took ${Math.round((Date.now() - started) / 1000)} s).`,
    `Input: ${list.length} images Pixelwright wrote, 1024x1024, each with its record: ${byExt('.png')} PNG, ${byExt('.jpg')} JPEG, ${byExt('.webp')} WebP, ${mb(totalBytes)} in all (median file ${Math.round(median(sizes) / 1024)} KB). View: ${VIEW.width}x${VIEW.height} px (a side bar), ${tilesOnScreen} tiles on the first screen. Medians of ${RUNS} interleaved runs.`,
    '',
    '### Index (every record, sorted newest first)',
    '',
    '| | ours: file heads | baseline: whole files + readRecord | ratio |',
    '|---|---:|---:|---:|',
    `| ${images} records from ${list.length} files | ${ms(median(scanH))} (${iqr(scanH)}) | ${ms(median(scanW))} (${iqr(scanW)}) | **${(median(scanH) / median(scanW)).toFixed(2)}x** |`,
    `| bytes read | ${mb(headBytes)} | ${mb(totalBytes)} | ${(headBytes / totalBytes).toFixed(4)}x |`,
    '',
    'Both from the OS page cache (the files were just read): on a cold disk or a remote file system the whole-file column grows with the bytes, ours with the number of files.',
    '',
    '### Time to the first screen of thumbnails',
    '',
    `From opening the view (page load and index start together) to every tile on the first screen showing its decoded picture (seen by a requestAnimationFrame watcher in the page, from its start); the real webview bundle in headless Chromium, its messages answered by the host's own code in Node (src/host/gallery/feed.ts and thumbnails.ts; the index's steps as GalleryIndex takes them). Side by side with the gallery before the first-screen work (baseline: ${BASELINE}, its own host modules and webview bundle, driven as its host drove them), interleaved run by run. CPU time: this process (the host's part and the bench's driving) and every Chromium process, over the same interval; less stretched than wall time when other work shares the 2 cores. Load average during the runs: ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}.`,
    '',
    '| | ours, median (IQR) | baseline, median (IQR) | ours / baseline | target | CPU time, ours / baseline |',
    '|---|---:|---:|---:|---:|---:|',
    `| **warm**: a window after the first (the index and thumbnails a previous window kept) | **${ms(w)}** (${iqr(times.warm)}) | ${ms(bw)} (${iqr(times.baseWarm)}) | **${(w / bw).toFixed(2)}x** | ≤ 300 ms | ${ms(median(cpus.warm))} / ${ms(median(cpus.baseWarm))} |`,
    `| **cold**: nothing kept (ours: every file head read, sharp makes ${coldMade} thumbnails) | **${ms(c)}** (${iqr(times.cold)}) | ${ms(bc)} (${iqr(times.baseCold)}) | **${(c / bc).toFixed(2)}x** | ≤ 800 ms | ${ms(median(cpus.cold))} / ${ms(median(cpus.baseCold))} |`,
    `| the original files instead of thumbnails (fetched by the webview from a local server, as \`asWebviewUri\` resources load), decoded and scaled there | ${ms(f)} (${iqr(times.full)}) | | | |`,
    '',
    'What changed against the baseline: the index is kept between windows (mtime and size per file), so the list is known before the page is ready; the page says its size, and one `init` message carries the first screen: its images (not the 1000), the whole list\'s length and the thumbnails read (or made) while the page loaded; the whole list follows, the missing thumbnails as they are ready. The kept list\'s check (findFiles, a stat of every file) starts once the first screen is sent. Dates are written by the host (a fresh page\'s first Intl.DateTimeFormat cost it 110 to 340 ms here; the host pays it once per process, while the page loads; in this bench once per process, not per window). The page keeps rows whose tiles did not change when the whole list arrives, and hands decoded bitmaps to a bitmaprenderer canvas (no draw). File heads are 4 KB instead of 16 KB. Thumbnails are made at the size the tiles need in device pixels (the page says it in `ready`; 192 px for this side bar at 1x, where the baseline makes 256 px).',
    '',
    `Disk cache after ${list.length} images: ${cacheFiles} thumbnails, ${mb(cacheBytes)} (${(cacheBytes / cacheFiles / 1024).toFixed(1)} KB each, ${thumbSize} px WebP: the size a ${VIEW.width} px side bar's tiles need at 1x).`,
    '',
    ...(MEMORY ? [
    '### The webview\'s memory',
    '',
    'Renderer process memory (PSS: its own pages plus its share of shared ones), JS heap (after a forced GC) and DOM nodes, after the first screen and after scrolling the whole list from top to bottom a screen at a time (each screen\'s thumbnails shown). One fresh Chromium per row.',
    '',
    '| | renderer PSS | JS heap | DOM nodes | pictures in the DOM |',
    '|---|---:|---:|---:|---:|',
    `| an empty page (the floor of this Chromium) | ${mb(mem.blank.rss)} | ${mb(mem.blank.heap)} | ${mem.blank.nodes} | 0 |`,
    `| ours, first screen | ${mb(mem.oursFirst.rss)} | ${mb(mem.oursFirst.heap)} | ${mem.oursFirst.nodes} | ${mem.oursFirst.images} |`,
    `| **ours, after scrolling all ${list.length}** (virtualized; decoded pixels only in the tiles on screen) | **${mb(mem.ours.rss)}** | ${mb(mem.ours.heap)} | ${mem.ours.nodes} | ${mem.ours.images} |`,
    `| baseline: every tile in the DOM, same thumbnails as \`<img>\`, after scrolling all | ${mb(mem.all.rss)} | ${mb(mem.all.heap)} | ${mem.all.nodes} | ${mem.all.images} |`,
    `| baseline: virtualized, but full images instead of thumbnails, after scrolling all | ${mb(mem.full.rss)} | ${mb(mem.full.heap)} | ${mem.full.nodes} | ${mem.full.images} |`,
    '',
    `**Ratios**: first screen warm ${ms(w)} (${(w / bw).toFixed(2)}x the baseline), cold ${ms(c)} (${(c / bc).toFixed(2)}x), full images ${(f / w).toFixed(2)}x ours warm. Renderer memory after scrolling ${list.length} images, above the empty page: ours ${mb(mem.ours.rss - mem.blank.rss)}, ${((mem.ours.rss - mem.blank.rss) / (mem.all.rss - mem.blank.rss)).toFixed(2)}x the all-tiles page and ${((mem.ours.rss - mem.blank.rss) / (mem.full.rss - mem.blank.rss)).toFixed(2)}x full images. Index ${(median(scanH) / median(scanW)).toFixed(2)}x the whole-file read.`,
    '',
    ] : [`**Ratios**: first screen warm ${ms(w)} (${(w / bw).toFixed(2)}x the baseline), cold ${ms(c)} (${(c / bc).toFixed(2)}x). Memory not measured in this run (--no-memory).`, '']),
    'How to read it: the cold row is paid once per workspace (thumbnails and index entries are kept per path, mtime and size); every later window opens at the warm figure. VS Code\'s own postMessage hop (host, workbench, iframe) and the webview\'s creation are not in these numbers: see the real-host figures below when measured.',
    '',
  ];
  const section = lines.join('\n');
  console.log(`\n${section}`);
  if (WRITE) {
    const resultsPath = path.join(ROOT, 'bench', 'results.md');
    const current = fs.readFileSync(resultsPath, 'utf8'); // re-read right before writing: others write their sections too
    const start = current.search(/^## Gallery\s*$/m);
    let next;
    if (start < 0) next = `${current.replace(/\s*$/, '')}\n\n${section}`;
    else {
      const after = current.slice(start + 1).search(/^## /m);
      const end = after < 0 ? current.length : start + 1 + after;
      // the real-host figures (bench/galleryHost.mjs) stay, at the end of the section
      const old = current.slice(start, end);
      const host = old.indexOf('### The first screen in the real host');
      const kept = host < 0 ? '' : `\n${old.slice(host).replace(/\s*$/, '\n')}`;
      next = `${current.slice(0, start)}${section}${kept}${after < 0 ? '' : `\n${current.slice(end)}`}`;
    }
    fs.writeFileSync(resultsPath, next.replace(/\s*$/, '\n'));
    console.log(`wrote the "## Gallery" section of ${path.relative(ROOT, resultsPath)}`);
  }
}

await main();
