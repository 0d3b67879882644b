// Asset batch benchmarks (issue 11), each side by side with its baseline, against the fake Batch
// API (test/fake-openai, run in its own process so its memory is not ours):
//
//   npm run compile-tests && node bench/batch.mjs [--entries 500] [--runs 3] [--no-write]
//
// 1. Upload: a 500-entry batch of edits (each line carries its source image as a data URL, about
//    0.37 MB; about 190 MB of JSONL in all, under the API's 200 MB), its lines made by core/batch.ts
//    from the source files on disk and uploaded through core/batchClient.ts (the openai SDK,
//    toStreamingFile) as they are made. Each run is a fresh child process; its RSS is sampled
//    every 5 ms and the peak growth over the RSS before the upload is reported. Baseline: the same
//    lines joined into one string first, then uploaded. Target: growth <= 150 MB.
// 2. Results: a 500-entry generation batch run by the fake (1024x1024 PNGs), its output file
//    downloaded line by line to disk; then writing the 500 images as the extension does (each line
//    parsed, the image decoded from base64, its recipe with the entry's hash embedded, written to a
//    temporary name and renamed into place, never over a file), against the same lines parsed and
//    decoded and each image written with bare fs.writeFile. Target: <= 1.3x.
// Runs are interleaved (ours, baseline, ours, ...); figures are medians. Writes its section
// ("## Asset batch") into bench/results.md, replacing only its own earlier section.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSection } from './lib.mjs';

const require = createRequire(import.meta.url);
const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const arg = (name, dflt) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : dflt; };
const ENTRIES = arg('--entries', 500);
const RUNS = arg('--runs', 3);
const WRITE = !process.argv.includes('--no-write');
const CHILD = process.argv[process.argv.indexOf('--child') + 1];
const out = (f) => path.join(ROOT, 'out', f);

for (const f of ['src/core/batch.js', 'src/core/batchClient.js', 'test/fake-openai/server.js']) {
  if (!fs.existsSync(out(f))) {
    console.error(`out/${f} is missing: run \`npm run compile-tests\` first.`);
    process.exit(1);
  }
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const ms = (x) => `${x.toFixed(0)} ms`;
const mb = (x) => `${(x / 2 ** 20).toFixed(1)} MB`;

/** A request as core/manifest.ts makes it for an entry. */
const request = (i, operation) => ({ operation, model: operation === 'edit' ? 'gpt-image-1.5' : 'gpt-image-1-mini', prompt: `game item number ${i}, a distinct object\n\nflat vector game icon`, n: 1, size: '1024x1024', quality: 'low', outputFormat: 'png' });

// ---- children ---------------------------------------------------------------------------------

if (CHILD === 'fake') {
  // The fake in its own process: one line per ms, no latency.
  const { startFakeOpenAI } = require(out('test/fake-openai/server.js'));
  const fake = await startFakeOpenAI({ latencyMs: 0 });
  fake.setBatchBehaviour({ stepMs: 1 });
  process.stdout.write(JSON.stringify({ url: fake.url, apiKey: fake.apiKey }) + '\n');
  process.on('SIGTERM', () => fake.close().then(() => process.exit(0)));
} else if (CHILD === 'upload') {
  // One upload of ENTRIES edit lines, streamed (`stream`) or joined first (`whole`).
  const [mode, url, key, srcDir] = process.argv.slice(process.argv.indexOf('--child') + 2);
  const { batchLine, lineBody } = require(out('src/core/batch.js'));
  const { createBatchClient } = require(out('src/core/batchClient.js'));
  const client = createBatchClient({ kind: 'compatible', apiKey: key, baseUrl: url, timeoutMs: 600_000 });
  const sources = fs.readdirSync(srcDir).sort();
  async function* lines() {
    for (let i = 0; i < ENTRIES; i++) {
      const bytes = await fs.promises.readFile(path.join(srcDir, sources[i % sources.length]));
      yield batchLine(`a${i + 1}`, '/v1/images/edits', lineBody(request(i, 'edit'), 'gpt-image-1.5', [{ name: 'source.png', bytes, format: 'png' }]));
    }
  }
  global.gc?.();
  await new Promise((r) => setTimeout(r, 50));
  const before = process.memoryUsage().rss;
  let peak = before;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const t = performance.now();
  let bytes = 0;
  let fileId;
  if (mode === 'stream') {
    async function* counted() {
      for await (const l of lines()) {
        bytes += l.length;
        peak = Math.max(peak, process.memoryUsage().rss);
        yield l;
      }
    }
    fileId = await client.upload(counted(), 'bench.jsonl');
  } else {
    let all = '';
    for await (const l of lines()) all += l;
    bytes = all.length;
    peak = Math.max(peak, process.memoryUsage().rss);
    async function* one() { yield all; }
    fileId = await client.upload(one(), 'bench.jsonl');
  }
  const took = performance.now() - t;
  clearInterval(sample);
  peak = Math.max(peak, process.memoryUsage().rss);
  // The fake keeps uploads in memory: drop this one.
  await fetch(`${url}/files/${fileId}`, { method: 'DELETE', headers: { authorization: `Bearer ${key}` } });
  process.stdout.write(JSON.stringify({ growth: peak - before, before, ms: took, bytes }) + '\n');
  process.exit(0);
} else {
  await main();
}

function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(text.trim().split('\n').pop())) : reject(new Error(`child ${args.join(' ')} exited ${code}`))));
  });
}

async function main() {
  const sharp = require('sharp');
  const { batchLine, lineBody, linesOf, parseResultLine, batchRecord, eachOf } = require(out('src/core/batch.js'));
  const { createBatchClient } = require(out('src/core/batchClient.js'));
  const { embedRecord } = require(out('src/core/metadata.js'));
  const { ModelTable } = require(out('src/core/models.js'));
  const { tempName } = require(out('src/core/naming.js'));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-bench-batch-'));
  const lines = [];
  const say = (s) => { console.log(s); lines.push(s); };
  const load = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  const fake = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', 'fake'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const { url, apiKey } = await new Promise((resolve, reject) => {
      let text = '';
      fake.stdout.on('data', (d) => {
        text += d;
        if (text.includes('\n')) resolve(JSON.parse(text.split('\n')[0]));
      });
      fake.on('exit', (code) => reject(new Error(`the fake exited ${code}`)));
    });

    // -------------------------------------------------------------------------------------------
    // 1. Upload
    const srcDir = path.join(tmp, 'src');
    fs.mkdirSync(srcDir);
    const W = 320;
    for (let k = 0; k < 10; k++) {
      const raw = Buffer.alloc(W * W * 3);
      for (let i = 0; i < raw.length; i++) raw[i] = (Math.sin(i * 0.001 + k) * 60 + 100 + Math.random() * 80) & 255;
      fs.writeFileSync(path.join(srcDir, `s${k}.png`), await sharp(raw, { raw: { width: W, height: W, channels: 3 } }).png().toBuffer());
    }
    const srcSize = fs.readdirSync(srcDir).reduce((n, f) => n + fs.statSync(path.join(srcDir, f)).size, 0) / 10;
    const stream = [];
    const whole = [];
    for (let r = 0; r < RUNS; r++) {
      stream.push(await run(['--entries', String(ENTRIES), '--child', 'upload', 'stream', url, apiKey, srcDir]));
      whole.push(await run(['--entries', String(ENTRIES), '--child', 'upload', 'whole', url, apiKey, srcDir]));
    }
    const g = (xs) => median(xs.map((x) => x.growth));
    const tm = (xs) => median(xs.map((x) => x.ms));
    say(`### Uploading a ${ENTRIES}-entry batch of edits (${mb(stream[0].bytes)} of JSONL; sources ${(srcSize / 1024).toFixed(0)} KB PNG each, sent as data URLs)`);
    say('');
    say('| | RSS growth (median) | runs | upload time (median) |');
    say('|---|---|---|---|');
    say(`| lines made as the upload reads them (core/batch.ts + toStreamingFile) | ${mb(g(stream))} | ${stream.map((x) => (x.growth / 2 ** 20).toFixed(0)).join(', ')} MB | ${ms(tm(stream))} |`);
    say(`| baseline: every line joined into one string, then uploaded | ${mb(g(whole))} | ${whole.map((x) => (x.growth / 2 ** 20).toFixed(0)).join(', ')} MB | ${ms(tm(whole))} |`);
    say('');
    say(`Ratio ${(g(stream) / g(whole)).toFixed(3)}x of the baseline's growth; ${mb(g(stream))} (target <= 150 MB): ${g(stream) <= 150 * 2 ** 20 ? 'met' : 'NOT met'}. Each run in a fresh process, RSS sampled every 5 ms.`);
    say('');

    // -------------------------------------------------------------------------------------------
    // 2. Results
    const client = createBatchClient({ kind: 'compatible', apiKey, baseUrl: url, timeoutMs: 600_000 });
    const entries = Array.from({ length: ENTRIES }, (_, i) => ({ id: `a${i + 1}`, path: `art/items/item-${String(i).padStart(4, '0')}.png`, recipe: `r${String(i).padStart(18, '0')}`, request: request(i, 'generate') }));
    async function* genLines() {
      for (const e of entries) yield batchLine(e.id, '/v1/images/generations', lineBody(e.request, e.request.model, []));
    }
    const t0 = performance.now();
    const fileId = await client.upload(genLines(), 'gen.jsonl');
    const created = await client.create(fileId, '/v1/images/generations', {});
    const seen = [];
    let b = created;
    const tCreated = performance.now();
    while (!['completed', 'failed', 'expired', 'cancelled'].includes(b.status)) {
      await new Promise((r) => setTimeout(r, 250));
      b = await client.retrieve(created.id);
      if (seen[seen.length - 1]?.status !== b.status) seen.push({ status: b.status, at: performance.now() - tCreated });
    }
    if (b.status !== 'completed' || b.request_counts.completed !== ENTRIES) throw new Error(`the batch ended ${b.status} ${JSON.stringify(b.request_counts)}`);
    const outFile = path.join(tmp, 'output.jsonl');
    const tDown = performance.now();
    const w = fs.createWriteStream(outFile);
    for await (const l of client.lines(b.output_file_id)) if (!w.write(l + '\n')) await new Promise((r) => w.once('drain', r));
    await new Promise((r) => w.end(r));
    const downloadMs = performance.now() - tDown;
    const totalMs = performance.now() - t0;
    const caps = new ModelTable([]).get('gpt-image-1-mini');
    const byId = new Map(entries.map((e) => [e.id, e]));
    let imageBytes = 0;
    for await (const l of linesOf(fs.createReadStream(outFile))) imageBytes += Buffer.from(parseResultLine(l).b64, 'base64').length;
    /** As the host's collect (src/host/assets/batch.ts, one at a time); `limit` > 1 overlaps writes with reading the next lines. */
    const oursWith = (limit) => async (dir) => {
      const made = new Set();
      await eachOf(linesOf(fs.createReadStream(outFile)), limit, async (l) => {
        const r = parseResultLine(l);
        if (!r?.ok) throw new Error('a line failed');
        const e = byId.get(r.customId);
        const img = batchRecord(e.request, caps, r, { provider: { kind: 'openai' }, tool: 'Pixelwright bench', createdAt: new Date() });
        const bytes = embedRecord(img.bytes, { ...img.record, asset: { recipe: e.recipe } });
        const final = path.join(dir, ...e.path.split('/'));
        const folder = path.dirname(final);
        if (!made.has(folder)) { fs.mkdirSync(folder, { recursive: true }); made.add(folder); }
        const temp = path.join(folder, tempName(path.basename(final)));
        await fs.promises.writeFile(temp, bytes, { flag: 'wx' });
        await fs.promises.rename(temp, final);
      });
    };
    const oursOnce = oursWith(1);
    const oursOverlapped = oursWith(4);
    // Baseline: the same output lines to the same files with bare fs: parsed, decoded, fs.writeFile.
    const bareOnce = async (dir) => {
      const made = new Set();
      for await (const l of linesOf(fs.createReadStream(outFile))) {
        const v = JSON.parse(l);
        const final = path.join(dir, ...byId.get(v.custom_id).path.split('/'));
        const folder = path.dirname(final);
        if (!made.has(folder)) { fs.mkdirSync(folder, { recursive: true }); made.add(folder); }
        await fs.promises.writeFile(final, Buffer.from(v.response.body.data[0].b64_json, 'base64'));
      }
    };
    const oursT = [];
    const seqT = [];
    const baseT = [];
    // Writing is short and the machine is shared: more rounds than the uploads.
    for (let r = -1; r < Math.max(9, RUNS); r++) {
      for (const [fn, into] of [[oursOnce, oursT], [bareOnce, baseT], [oursOverlapped, seqT]]) {
        const dir = fs.mkdtempSync(path.join(tmp, 'w-'));
        const t = performance.now();
        await fn(dir);
        if (r >= 0) into.push(performance.now() - t);
        const n = fs.readdirSync(path.join(dir, 'art', 'items')).length;
        if (n !== ENTRIES) throw new Error(`${n} files written, expected ${ENTRIES}`);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
    const ratio = median(oursT) / median(baseT);
    say(`### Writing the results of a ${ENTRIES}-entry batch (${mb(imageBytes)} of PNG, ${mb(fs.statSync(outFile).size)} of output JSONL)`);
    say('');
    say(`The fake's job (1 ms per line): upload and create ${ms(tCreated - t0)}, then ${seen.map((s) => `${s.status} at ${ms(s.at)}`).join(', ')}; output downloaded line by line in ${ms(downloadMs)}; ${ms(totalMs)} from the first line to the output on disk.`);
    say('');
    say('| | median | runs |');
    say('|---|---|---|');
    say(`| ours (the host's collect): each line parsed, base64 decoded, recipe embedded, temp file + rename, one at a time | ${ms(median(oursT))} | ${oursT.map((x) => x.toFixed(0)).join(', ')} |`);
    say(`| the same with up to 4 writes in flight (not used by the host) | ${ms(median(seqT))} | ${seqT.map((x) => x.toFixed(0)).join(', ')} |`);
    say(`| baseline: the same lines parsed and decoded, each image written with bare fs.writeFile | ${ms(median(baseT))} | ${baseT.map((x) => x.toFixed(0)).join(', ')} |`);
    say('');
    say(`Ratio ${ratio.toFixed(3)}x (target <= 1.3x): ${ratio <= 1.3 ? 'met' : 'NOT met'}; with up to 4 writes in flight ${(median(seqT) / median(baseT)).toFixed(3)}x. The baseline writes one file at a time, as a bare loop does. After one warm-up round each.`);
  } finally {
    fake.kill('SIGTERM');
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  if (WRITE) {
    const head = `## Asset batch\n\n<!-- written by bench/batch.mjs; ${new Date().toISOString().slice(0, 16)}Z, ${os.cpus().length} CPUs, load average at start ${load}, at end ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} -->\n\n`;
    writeSection(path.join(ROOT, 'bench', 'results.md'), 'Asset batch', head + lines.join('\n') + '\n', { after: 'Assets' });
  }
}
