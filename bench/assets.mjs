// Asset manifest benchmarks (issue 11), each side by side with its baseline:
//
//   npm run compile-tests && node bench/assets.mjs [--entries 1000] [--runs 7] [--sources 10] [--no-write]
//
// 1. Planning: a manifest of 1,000 entries against 1,000 images already written (1024x1024 PNGs of
//    about 1.4 MB, as the API returns them, each with its record and recipe hash; plus 1,000 more
//    planned renditions), planned by core/assetPlan.ts with the disk I/O the host uses for local
//    folders (heads read with small reads, core/scan.ts). Baseline: the same plan with each file
//    read whole and its record read by readRecord. Targets: <= 1 s, <= 0.2x the baseline.
// 2. Renditions: 100 renditions (10 per source: 16-512 px, PNG, WebP, JPEG, AVIF; cover, contain,
//    pad, scale) from 10 sources, made by core/renditions.ts (sharp, the record embedded) and
//    written atomically (temporary name, then renamed). Baseline: a bare sharp loop doing the same
//    resizes and encodes straight to files. Target: <= 1.2x.
// Runs are interleaved (ours, baseline, ours, ...) and the figures are medians. Writes its section
// ("## Assets") into bench/results.md, replacing only its own earlier section.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSection } from './lib.mjs';

const require = createRequire(import.meta.url);
const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const ENTRIES = arg('--entries', 1000);
const RUNS = arg('--runs', 7);
const SOURCES = arg('--sources', 10);
const WRITE = !process.argv.includes('--no-write');

for (const f of ['out/src/core/assetPlan.js', 'out/src/core/renditions.js']) {
  if (!fs.existsSync(path.join(ROOT, f))) {
    console.error(`${f} is missing: run \`npm run compile-tests\` first.`);
    process.exit(1);
  }
}
const sharp = require('sharp');
const { embedRecord, readRecord } = require(path.join(ROOT, 'out/src/core/metadata.js'));
const { readManifest, recipeHash } = require(path.join(ROOT, 'out/src/core/manifest.js'));
const { ModelTable } = require(path.join(ROOT, 'out/src/core/models.js'));
const { planAssets, diskPlanIO } = require(path.join(ROOT, 'out/src/core/assetPlan.js'));
const { decodeSource, makeRendition, renditionBox } = require(path.join(ROOT, 'out/src/core/renditions.js'));
const { tempName } = require(path.join(ROOT, 'out/src/core/naming.js'));

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const ms = (x) => `${x.toFixed(1)} ms`;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-bench-assets-'));
const lines = [];
const say = (s) => { console.log(s); lines.push(s); };

try {
  // ---------------------------------------------------------------------------------------------
  // 1. Planning
  const root = path.join(tmp, 'ws');
  fs.mkdirSync(path.join(root, 'art', 'items'), { recursive: true });
  // A picture that compresses like a real one: smooth gradients with noise, about 1.4 MB as PNG.
  const W = 1024;
  const raw = Buffer.alloc(W * W * 3);
  for (let y = 0; y < W; y++) for (let x = 0; x < W; x++) {
    const o = (y * W + x) * 3;
    const n = (Math.sin(x * 0.05) * Math.cos(y * 0.03) + 1) * 100;
    raw[o] = (n + Math.random() * 40) & 255; raw[o + 1] = (x / 4 + Math.random() * 30) & 255; raw[o + 2] = (y / 4 + Math.random() * 30) & 255;
  }
  const picture = await sharp(raw, { raw: { width: W, height: W, channels: 3 } }).png().toBuffer();
  const assets = Array.from({ length: ENTRIES }, (_, i) => ({ path: `art/items/item-${String(i).padStart(4, '0')}.png`, prompt: `game item number ${i}, a distinct object`, renditions: [{ path: `art/items/item-${String(i).padStart(4, '0')}@64.webp`, size: '64x64' }] }));
  const text = JSON.stringify({ defaults: { model: 'gpt-image-1-mini', size: '1024x1024', quality: 'low', style: 'flat vector game icon' }, assets }, null, 1);
  const manifest = readManifest(text, { manifestDir: '', models: new ModelTable(), defaultModel: 'gpt-image-1.5' });
  if (manifest.problems.length) throw new Error(JSON.stringify(manifest.problems.slice(0, 3)));
  let total = 0;
  for (const e of manifest.entries) {
    const rec = { v: 1, operation: 'generate', prompt: e.request.prompt, model: e.request.model, options: { size: '1024x1024', quality: 'low', n: 1 }, provider: { kind: 'openai' }, createdAt: new Date().toISOString(), tool: 'bench', asset: { recipe: recipeHash(e) } };
    const bytes = embedRecord(picture, rec);
    total += bytes.length;
    fs.writeFileSync(path.join(root, ...e.path.split('/')), bytes);
  }
  const wholeIO = () => {
    const disk = diskPlanIO(root);
    return {
      ...disk,
      head: async (p) => {
        try {
          const bytes = await fs.promises.readFile(path.join(root, ...p.split('/')));
          return { record: readRecord(bytes), bytesRead: bytes.length };
        } catch (err) {
          if (err.code === 'ENOENT') return undefined;
          throw err;
        }
      },
    };
  };
  const ours = [];
  const base = [];
  let plan;
  let basePlan;
  // One warm-up of each (the page cache holds the files for both after it).
  await planAssets(manifest.entries, diskPlanIO(root));
  await planAssets(manifest.entries, wholeIO());
  for (let r = 0; r < RUNS; r++) {
    let t = performance.now();
    plan = await planAssets(manifest.entries, diskPlanIO(root));
    ours.push(performance.now() - t);
    t = performance.now();
    basePlan = await planAssets(manifest.entries, wholeIO());
    base.push(performance.now() - t);
  }
  const upToDate = plan.items.filter((i) => i.state === 'up-to-date').length;
  if (upToDate !== ENTRIES || basePlan.items.filter((i) => i.state === 'up-to-date').length !== ENTRIES) throw new Error(`expected ${ENTRIES} up to date, got ${upToDate}`);
  const planRatio = median(ours) / median(base);
  say(`### Planning ${ENTRIES} entries against ${ENTRIES} images (${(total / ENTRIES / 1e6).toFixed(2)} MB each, ${(total / 1e9).toFixed(2)} GB in all) plus ${ENTRIES} planned renditions`);
  say('');
  say('| | median | runs | bytes read |');
  say('|---|---|---|---|');
  say(`| plan, heads only (core/assetPlan.ts + core/scan.ts) | ${ms(median(ours))} | ${ours.map((x) => x.toFixed(0)).join(', ')} | ${(plan.bytesRead / 1e6).toFixed(1)} MB |`);
  say(`| baseline: each file read whole + readRecord | ${ms(median(base))} | ${base.map((x) => x.toFixed(0)).join(', ')} | ${(basePlan.bytesRead / 1e6).toFixed(1)} MB |`);
  say('');
  say(`Ratio ${planRatio.toFixed(3)}x (target <= 0.2x); ${ms(median(ours))} (target <= 1 s): ${planRatio <= 0.2 && median(ours) <= 1000 ? 'met' : 'NOT met'}. Files in the page cache (warm) for both.`);
  say('');
  fs.rmSync(root, { recursive: true, force: true });

  // ---------------------------------------------------------------------------------------------
  // 2. Renditions
  const src = path.join(tmp, 'src');
  fs.mkdirSync(src, { recursive: true });
  const sources = [];
  for (let i = 0; i < SOURCES; i++) {
    const bytes = embedRecord(await sharp(raw, { raw: { width: W, height: W, channels: 3 } }).modulate({ hue: i * 30 }).ensureAlpha().png().toBuffer(), { v: 1, operation: 'generate', prompt: `source ${i}`, model: 'gpt-image-1-mini', options: {}, provider: { kind: 'openai' }, createdAt: new Date().toISOString(), tool: 'bench', asset: { recipe: `r${i}` } });
    sources.push({ bytes, record: readRecord(bytes), path: `src/s${i}.png` });
  }
  const specs = [
    { format: 'png', width: 16, height: 16, fit: 'cover' },
    { format: 'png', width: 32, height: 32, fit: 'cover' },
    { format: 'png', width: 64, height: 64, fit: 'contain' },
    { format: 'webp', width: 128, height: 128, fit: 'cover', quality: 85 },
    { format: 'webp', width: 256, height: 128, fit: 'pad', background: '#00000000', quality: 85 },
    { format: 'png', scale: 0.5, fit: 'cover' },
    { format: 'jpeg', width: 512, height: 288, fit: 'cover', quality: 85 },
    { format: 'webp', width: 512, fit: 'cover', quality: 85 },
    { format: 'avif', width: 256, fit: 'cover', quality: 60 },
    { format: 'png', width: 180, height: 180, fit: 'pad', background: '#ffffff' },
  ].map((s, k) => ({ ...s, path: `out/r${k}.${s.format === 'jpeg' ? 'jpg' : s.format}`, offset: 0, length: 0 }));
  const ext = (f) => (f === 'jpeg' ? '.jpg' : `.${f}`);
  const oursOnce = async (dir) => {
    for (const [i, s] of sources.entries()) {
      // as the host does: each source decoded once for all of its renditions
      const pixels = await decodeSource(s.bytes);
      for (const [k, r] of specs.entries()) {
        const bytes = await makeRendition(pixels, s.record, r, `h${i}-${k}`, s.path);
        const final = path.join(dir, `s${i}-r${k}${ext(r.format)}`);
        const temp = path.join(dir, tempName(path.basename(final)));
        await fs.promises.writeFile(temp, bytes, { flag: 'wx' });
        await fs.promises.rename(temp, final);
      }
    }
  };
  const bareOnce = async (dir) => {
    for (const [i, s] of sources.entries()) {
      for (const [k, r] of specs.entries()) {
        const box = renditionBox(r, W, W);
        let img = sharp(s.bytes);
        const both = box.width !== undefined && box.height !== undefined;
        const fit = r.scale !== undefined ? 'fill' : !both ? 'inside' : r.fit === 'cover' ? 'cover' : r.fit === 'pad' ? 'contain' : 'inside';
        const bg = r.background === '#ffffff' ? { r: 255, g: 255, b: 255, alpha: 1 } : { r: 0, g: 0, b: 0, alpha: 0 };
        img = img.resize({ width: box.width, height: box.height, fit, background: bg, kernel: 'lanczos3' });
        if (r.format === 'png') img = img.png({ compressionLevel: 9, adaptiveFiltering: true });
        if (r.format === 'jpeg') img = img.flatten({ background: { r: 255, g: 255, b: 255 } }).jpeg({ quality: r.quality ?? 85, mozjpeg: true });
        if (r.format === 'webp') img = img.webp({ quality: r.quality ?? 85 });
        if (r.format === 'avif') img = img.avif({ quality: r.quality ?? 60 });
        await img.toFile(path.join(dir, `s${i}-r${k}${ext(r.format)}`));
      }
    }
  };
  const rOurs = [];
  const rBase = [];
  const rRuns = Math.max(3, Math.min(RUNS, 5));
  for (let r = -1; r < rRuns; r++) {
    for (const [fn, into] of [[oursOnce, rOurs], [bareOnce, rBase]]) {
      const dir = fs.mkdtempSync(path.join(tmp, 'r-'));
      const t = performance.now();
      await fn(dir);
      if (r >= 0) into.push(performance.now() - t);
      const n = fs.readdirSync(dir).length;
      if (n !== SOURCES * specs.length) throw new Error(`${n} files written, expected ${SOURCES * specs.length}`);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const rRatio = median(rOurs) / median(rBase);
  say(`### ${SOURCES * specs.length} renditions from ${SOURCES} sources (1024x1024 PNG; 16-512 px; PNG, WebP, JPEG, AVIF; cover, contain, pad, scale)`);
  say('');
  say('| | median | runs |');
  say('|---|---|---|');
  say(`| decodeSource once per source, makeRendition (sharp, record embedded) + atomic write per rendition | ${ms(median(rOurs))} | ${rOurs.map((x) => x.toFixed(0)).join(', ')} |`);
  say(`| baseline: bare sharp loop to files (sharp(file bytes) per rendition) | ${ms(median(rBase))} | ${rBase.map((x) => x.toFixed(0)).join(', ')} |`);
  say('');
  say(`Ratio ${rRatio.toFixed(3)}x (target <= 1.2x): ${rRatio <= 1.2 ? 'met' : 'NOT met'}. After one warm-up round each.`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

if (WRITE) {
  const head = `## Assets\n\n<!-- written by bench/assets.mjs; ${new Date().toISOString().slice(0, 16)}Z, ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} -->\n\n`;
  writeSection(path.join(ROOT, 'bench', 'results.md'), 'Assets', head + lines.join('\n') + '\n');
}
