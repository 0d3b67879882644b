// Worker process of the generation benchmark (bench/generation.mjs); prints one JSON line.
//
//   node child.cjs warm   <config.json>   interleaved warm runs of both paths in one process
//   node child.cjs cold   <config.json>   one generation by one path (config.path) in a fresh process
//   node child.cjs load   <config.json>   the time to require config.module in a fresh process
//   node child.cjs save   <config.json>   interleaved runs of the save step alone, on a real-sized PNG
//
// The two paths (one 1024x1024 PNG each, same JSON body, same fake server):
//   ours  Pixelwright's: engine.runImageRequest (validate, openai SDK request, base64 decode),
//         then what the host does with the image (src/host/run/pipeline.ts + run/assets.ts): the
//         record, embedRecord, imageFileName, mkdir, uniqueName, write to tempName, rename.
//   bare  fetch POST + JSON.parse + Buffer.from(b64) + fs.writeFile.
'use strict';
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

const [mode, configFile] = process.argv.slice(2);
const cfg = JSON.parse(fs.readFileSync(configFile, 'utf8'));
const core = (m) => path.join(cfg.coreDir, `${m}.js`);
const now = () => performance.now();

/** The request as the host builds it for "Generate Image" with these settings. */
const REQ = { operation: 'generate', model: 'gpt-image-1.5', prompt: cfg.prompt, n: 1, size: '1024x1024', quality: 'low', outputFormat: 'png' };

let engine, metadata, naming, caps, request;
function loadOurs() {
  const t0 = now();
  engine = require(core('engine'));
  const t1 = now();
  metadata = require(core('metadata'));
  naming = require(core('naming'));
  request = require(core('request'));
  caps = new (require(core('models')).ModelTable)().get(REQ.model);
  return { engineMs: t1 - t0, restMs: now() - t1 };
}

async function exists(p) {
  try { await fsp.stat(p); return true; } catch { return false; }
}

/** What the host does with one image (src/host/run/pipeline.ts + run/assets.ts), with node:fs for workspace.fs. */
async function saveOurs(image, dir, createdAt) {
  const record = {
    v: 1, operation: REQ.operation, prompt: REQ.prompt, revisedPrompt: image.revisedPrompt, model: REQ.model,
    options: request.requestOptions(REQ), provider: { kind: 'compatible', baseUrl: cfg.url }, createdAt: createdAt.toISOString(),
    requestId: image.requestId, index: image.index, count: REQ.n, tool: 'Pixelwright 0.1.0',
  };
  const bytes = metadata.embedRecord(image.bytes, record);
  const name = naming.imageFileName({ prompt: REQ.prompt, time: createdAt, index: image.index, count: REQ.n, format: image.format });
  await fsp.mkdir(dir, { recursive: true });
  const finalName = await naming.uniqueName(name, (c) => exists(path.join(dir, c)));
  const temp = path.join(dir, naming.tempName(finalName));
  await fsp.writeFile(temp, bytes);
  await fsp.rename(temp, path.join(dir, finalName));
  return path.join(dir, finalName);
}

async function ours(dir) {
  const t0 = now();
  const provider = { kind: 'compatible', apiKey: cfg.apiKey, baseUrl: cfg.url, timeoutMs: 600_000 };
  const outcome = await engine.runImageRequest(provider, REQ, caps, { concurrency: 3, maxWaitMs: 90_000 });
  if (outcome.failures.length || outcome.images.length !== 1) throw new Error(`ours: ${JSON.stringify(outcome.failures)}`);
  const t1 = now();
  const createdAt = new Date();
  const files = [];
  for (const image of outcome.images) files.push(await saveOurs(image, dir, createdAt));
  const t2 = now();
  return { ms: t2 - t0, requestMs: t1 - t0, saveMs: t2 - t1, files, bytes: outcome.images[0].bytes.length };
}

let bareSeq = 0;
async function bare(dir) {
  const t0 = now();
  const res = await fetch(`${cfg.url}/images/generations`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${cfg.apiKey}` },
    body: JSON.stringify(cfg.body),
  });
  const json = JSON.parse(await res.text());
  if (!res.ok) throw new Error(`bare: ${res.status} ${JSON.stringify(json)}`);
  const bytes = Buffer.from(json.data[0].b64_json, 'base64');
  const t1 = now();
  const file = path.join(dir, `bare-${process.pid}-${bareSeq++}.png`);
  await fsp.writeFile(file, bytes);
  const t2 = now();
  return { ms: t2 - t0, requestMs: t1 - t0, saveMs: t2 - t1, files: [file], bytes: bytes.length };
}

async function main() {
  const dir = cfg.outDir;
  fs.mkdirSync(dir, { recursive: true });
  if (mode === 'load') {
    if (cfg.stub) {
      // Packages answered with an empty function instead of loading them: what the rest costs.
      const Module = require('node:module');
      const load = Module._load;
      Module._load = function (request) { return cfg.stub.includes(request) ? function stubbed() {} : load.apply(this, arguments); };
    }
    const t0 = now();
    require(cfg.module);
    return { ms: now() - t0 };
  }
  if (mode === 'cold') {
    // Everything from the first line of this script: the bare path pays for Node's lazy fetch
    // (undici) here too; ours pays for loading the engine (SDK, and whatever it imports).
    const t0 = now();
    const load = cfg.path === 'ours' ? loadOurs() : { engineMs: 0, restMs: 0 };
    const r = cfg.path === 'ours' ? await ours(dir) : await bare(dir);
    const total = now() - t0;
    for (const f of r.files) await fsp.rm(f, { force: true });
    return { path: cfg.path, totalMs: total, loadMs: load.engineMs + load.restMs, engineLoadMs: load.engineMs, genMs: r.ms, requestMs: r.requestMs, saveMs: r.saveMs };
  }
  if (mode === 'warm') {
    loadOurs();
    const out = { ours: [], bare: [], warmup: cfg.warmup, pairs: cfg.pairs };
    for (let i = 0; i < cfg.warmup; i++) {
      for (const f of [...(await bare(dir)).files, ...(await ours(dir)).files]) await fsp.rm(f, { force: true });
    }
    for (let i = 0; i < cfg.pairs; i++) {
      // A B, then B A: neither path always goes first.
      const order = i % 2 === 0 ? ['bare', 'ours'] : ['ours', 'bare'];
      for (const which of order) {
        const r = which === 'ours' ? await ours(dir) : await bare(dir);
        out[which].push({ ms: r.ms, requestMs: r.requestMs, saveMs: r.saveMs, bytes: r.bytes });
        for (const f of r.files) await fsp.rm(f, { force: true }); // outside the timed part; no name collisions
      }
    }
    return out;
  }
  if (mode === 'save') {
    // The save step alone on an image of a real API's size (the fake's pictures are small):
    // a 1024x1024 PNG, noise in its upper half so that it does not compress (about 1.6 MB).
    loadOurs();
    const sharp = require(cfg.sharp);
    const w = 1024, h = 1024;
    const raw = Buffer.alloc(w * h * 3, 200);
    for (let i = 0; i < raw.length / 2; i++) raw[i] = (Math.random() * 256) | 0;
    const png = await sharp(raw, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer();
    const image = { index: 0, bytes: new Uint8Array(png), format: 'png', requestId: 'req_bench' };
    const out = { ours: [], bare: [], bytes: png.length, pairs: cfg.pairs };
    let seq = 0;
    const one = async (which) => {
      const t0 = now();
      const file = which === 'ours' ? await saveOurs(image, dir, new Date()) : path.join(dir, `bare-save-${seq++}.png`);
      if (which === 'bare') await fsp.writeFile(file, Buffer.from(png.buffer, png.byteOffset, png.length));
      out[which].push(now() - t0);
      await fsp.rm(file, { force: true });
    };
    for (let i = 0; i < 3; i++) { await one('bare'); await one('ours'); out.ours.length = 0; out.bare.length = 0; }
    for (let i = 0; i < cfg.pairs; i++) for (const which of i % 2 === 0 ? ['bare', 'ours'] : ['ours', 'bare']) await one(which);
    return out;
  }
  throw new Error(`unknown mode ${mode}`);
}

main().then(
  (r) => { process.stdout.write(JSON.stringify(r) + '\n'); process.exit(0); },
  (e) => { process.stderr.write(String((e && e.stack) || e) + '\n'); process.exit(1); },
);
