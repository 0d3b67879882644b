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
const { ThumbnailFeed } = require(path.join(ROOT, 'out/src/host/gallery/thumbnails.js'));
const { loadIndexCache, saveIndexCache, entryMatches } = require(path.join(ROOT, 'out/src/host/gallery/indexCache.js'));
const { firstScreenCount } = require(path.join(ROOT, 'out/src/shared/galleryProtocol.js'));
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
  window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__host(m), getState: () => state.s, setState: (s) => { state.s = s; } });
  window.__deliver = (m) => {
    if (m.url) { return fetch(m.url).then((r) => r.arrayBuffer()).then((b) => { m.bytes = new Uint8Array(b); delete m.url; window.dispatchEvent(new MessageEvent('message', { data: m })); }); }
    const unb64 = (x) => { if (x.b64) { const bin = atob(x.b64); const u = new Uint8Array(bin.length); for (let i = 0; i < bin.length; i++) u[i] = bin.charCodeAt(i); x.bytes = u; delete x.b64; } };
    unb64(m);
    if (Array.isArray(m.items) && m.type === 'thumbs') {
      m.items.forEach(unb64);
      if (m.items.some((x) => x.url)) {
        return Promise.all(m.items.map((x) => (x.url ? fetch(x.url).then((r) => r.arrayBuffer()).then((b) => { x.bytes = new Uint8Array(b); delete x.url; }) : undefined)))
          .then(() => window.dispatchEvent(new MessageEvent('message', { data: m })));
      }
    }
    window.dispatchEvent(new MessageEvent('message', { data: m }));
  };
  // the first screen is done when every tile that intersects the viewport shows a decoded image
  window.__firstScreen = () => new Promise((resolve) => {
    const check = () => {
      const sc = document.querySelector('.scroller');
      const tiles = sc ? [...document.querySelectorAll('.tile')] : [];
      const box = sc && sc.getBoundingClientRect();
      const visible = tiles.filter((t) => { const r = t.getBoundingClientRect(); return r.bottom > box.top && r.top < box.bottom; });
      if (visible.length && visible.every((t) => t.dataset.thumb)) resolve(visible.length);
      else requestAnimationFrame(check);
    };
    check();
  });
</script>
<script>${js}</script></body></html>`;
}

/**
 * One opening of the view with today's host: the index from the file the last window kept (when
 * there is one: warm), checked with a stat per file, else scanned; the first screen's thumbnails
 * prefetched while the page loads and sent with the list, several per message; the rest asked for.
 * `mode`: 'thumbs' or 'full' (the originals instead of thumbnails).
 */
async function openView(browser, { cacheDir, indexFile, mode, server }) {
  const context = await browser.newContext({ viewport: VIEW });
  const page = await context.newPage();
  if (process.env.BENCH_DEBUG) { page.on('console', (m) => console.log('page:', m.text())); page.on('pageerror', (e) => console.log('pageerror:', e.message)); page.on('crash', () => console.log('page crashed')); page.on('close', () => console.log('page closed')); }
  const t0 = performance.now();
  const cache = new ThumbnailCache(cacheDir, async () => makeThumbnail, { concurrency: 2, memoryEntries: 400 });
  void cache.warm();
  const send = (m) => page.evaluate((msg) => window.__deliver(msg), m).catch(() => { });
  const feed = new ThumbnailFeed(cache, (items) => (process.env.BENCH_DEBUG && console.log(`  ${items.length} thumbs posted at ${Math.round(performance.now() - t0)} ms`), void send({ type: 'thumbs', items: items.map((t) => ({ id: t.id, rev: t.rev, mime: t.mime, b64: t.bytes ? Buffer.from(t.bytes).toString('base64') : undefined })) })));
  let ready = false;
  let firstScreen = 0;
  let found;
  const jobsFor = (list) => list.map((f) => ({ id: f.id, rev: f.rev, source: f.path }));
  // as the host: messages are posted without waiting for the page to take each (they arrive in order)
  const sendItems = async (scanning) => {
    void send({ type: 'items', scanning, items: found.map((f) => ({ id: f.id, rev: f.rev, name: path.basename(f.path), prompt: f.record.prompt, model: f.record.model, operation: 'generate', createdAt: f.record.createdAt })) });
    if (firstScreen && mode === 'thumbs') feed.push(jobsFor(found.slice(0, firstScreen)));
  };
  const listed = (list) => {
    found = list;
    if (!ready && mode === 'thumbs') feed.prefetch(jobsFor(found.slice(0, 16)));
  };
  // as GalleryIndex.start: the kept index at once, then the scan (reading only what changed)
  let scanned = false;
  const scan = (indexFile ? loadIndexCache(indexFile) : Promise.resolve(new Map())).then((kept) => {
    if (kept.size) listed(fromEntries(kept));
    return scanKept(kept);
  }).then(async (r) => {
    scanned = true;
    const firstList = found;
    listed(r.found);
    if (indexFile) await saveIndexCache(indexFile, r.entries);
    if (ready && (!firstList || firstList.length !== r.found.length)) await sendItems(false);
    return r;
  });
  const byId = () => new Map(found.map((f) => [f.id, f]));
  await page.exposeFunction('__host', async (m) => {
    if (m.type === 'ready') {
      if (process.env.BENCH_DEBUG) console.log(`  ready at ${Math.round(performance.now() - t0)} ms; list ${found ? 'known' : 'not yet'}; view ${JSON.stringify(m.view)}`);
      ready = true;
      feed.reset();
      firstScreen = m.view ? firstScreenCount(m.view.width, m.view.height) : 0;
      void send({ type: 'init', strings: {}, locale: 'en' });
      if (!found) await scan;
      await sendItems(!scanned);
    } else if (m.type === 'thumbs') {
      const items = byId();
      const jobs = jobsFor(m.items.map((w) => items.get(w.id)).filter(Boolean));
      if (mode === 'full') {
        void send({ type: 'thumbs', items: jobs.map((j) => ({ id: j.id, rev: j.rev, url: `${server.url}/${path.basename(j.source)}`, mime: mimeOf(j.source) })) });
      } else feed.request(jobs);
    }
  });
  await page.setContent(pageHtml());
  if (process.env.BENCH_DEBUG) console.log(`  page set at ${Math.round(performance.now() - t0)} ms`);
  const tiles = await page.evaluate(() => window.__firstScreen());
  const elapsed = performance.now() - t0;
  if (process.env.BENCH_DEBUG) console.log(`  first screen at ${Math.round(elapsed)} ms`);
  return { page, context, cache, elapsed, tiles, scanned: await scan };
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
  const t0 = performance.now();
  const scan = scanAll(heads);
  const cache = new base.ThumbnailCache(cacheDir, async () => base.makeThumbnail, { concurrency: 2, memoryEntries: 400 });
  const send = (m) => page.evaluate((msg) => window.__deliver(msg), m).catch(() => { });
  let items;
  await page.exposeFunction('__host', async (m) => {
    if (m.type === 'ready') {
      const { found } = await scan;
      items = new Map(found.map((f) => [f.id, f]));
      await send({ type: 'init', strings: {}, locale: 'en' });
      await send({ type: 'items', scanning: false, items: found.map((f) => ({ id: f.id, rev: f.rev, name: path.basename(f.path), prompt: f.record.prompt, model: f.record.model, operation: 'generate', createdAt: f.record.createdAt })) });
    } else if (m.type === 'thumbs') {
      const jobs = m.items.map((w) => items.get(w.id)).filter(Boolean).map((f) => ({ id: f.id, rev: f.rev, source: f.path }));
      cache.request(jobs, (job, t) => void send({ type: 'thumb', id: job.id, rev: job.rev, b64: t ? Buffer.from(t.bytes).toString('base64') : undefined, mime: t?.mime }));
    }
  });
  await page.setContent(pageHtml(base));
  const tiles = await page.evaluate(() => window.__firstScreen());
  const elapsed = performance.now() - t0;
  await scan;
  return { page, context, cache, elapsed, tiles };
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
        if (process.env.BENCH_DEBUG) console.log("open", name);
        const v = await open();
        times[name].push(v.elapsed);
        if (name === 'warm') tilesOnScreen = v.tiles;
        if (name === 'cold') coldMade = v.cache.stats.made;
        await v.context.close();
      }
      for (const d of [coldDir, coldIndex, baseColdDir]) fs.rmSync(d, { recursive: true, force: true });
      process.stdout.write(`  run ${r + 1}/${RUNS}: cold ${ms(times.cold.at(-1))} (baseline ${ms(times.baseCold.at(-1))}), warm ${ms(times.warm.at(-1))} (baseline ${ms(times.baseWarm.at(-1))}), full images ${ms(times.full.at(-1))}\n`);
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
  const cacheFiles = fs.readdirSync(warmDir).length;
  const cacheBytes = fs.readdirSync(warmDir).reduce((n, f) => n + fs.statSync(path.join(warmDir, f)).size, 0);
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
    `From opening the view (page load and index start together) to every tile on the first screen showing its decoded picture; the real webview bundle in headless Chromium, its messages answered by the host modules in Node. Side by side with the gallery before this work (baseline: ${BASELINE}, its own host modules and webview bundle, driven as its host drove them), interleaved run by run.`,
    '',
    '| | ours, median (IQR) | baseline, median (IQR) | ours / baseline | target |',
    '|---|---:|---:|---:|---:|',
    `| **warm**: a window after the first (the index and thumbnails a previous window kept) | **${ms(w)}** (${iqr(times.warm)}) | ${ms(bw)} (${iqr(times.baseWarm)}) | **${(w / bw).toFixed(2)}x** | ≤ 300 ms |`,
    `| **cold**: nothing kept (ours: every file head read, sharp makes ${coldMade} thumbnails) | **${ms(c)}** (${iqr(times.cold)}) | ${ms(bc)} (${iqr(times.baseCold)}) | **${(c / bc).toFixed(2)}x** | ≤ 800 ms |`,
    `| the original files instead of thumbnails (fetched by the webview from a local server, as \`asWebviewUri\` resources load), decoded and scaled there | ${ms(f)} (${iqr(times.full)}) | | | |`,
    '',
    'What changed: the index is kept between windows (mtime and size per file; a stat per file, heads read only when changed), so the list is sent as soon as the page says it is ready; the page says its size, and the host sends the first screen\'s thumbnails with the list, unasked, several per message, read (or made) while the page was still loading; thumbnails already on disk are read at once instead of queueing behind the ones sharp makes.',
    '',
    `Disk cache after ${list.length} images: ${cacheFiles} thumbnails, ${mb(cacheBytes)} (${(cacheBytes / cacheFiles / 1024).toFixed(1)} KB each, 256 px WebP).`,
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
      next = `${current.slice(0, start)}${section}${after < 0 ? '' : `\n${current.slice(end)}`}`;
    }
    fs.writeFileSync(resultsPath, next.replace(/\s*$/, '\n'));
    console.log(`wrote the "## Gallery" section of ${path.relative(ROOT, resultsPath)}`);
  }
}

await main();
