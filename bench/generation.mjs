// Bench "generation": Pixelwright's overhead on one generation, against a bare client.
//
// The fake Images API (test/fake-openai, compiled into the stage) runs in its own process with a
// fixed latency. bench/generation/child.cjs times two paths making the same 1024x1024 PNG
// (gpt-image-1.5, quality low, same JSON body; see that file):
//   ours  engine.runImageRequest + the host's save (record, embedRecord, unique temp-then-rename)
//   bare  fetch + JSON.parse + Buffer.from(b64) + fs.writeFile
// Warm: one process, both paths loaded and warmed up, then pairs in alternating order (A B, B A...).
// Cold: fresh processes, one generation each, paths alternating; ours includes loading the engine.
// Load: fresh processes that only require() the engine bundle the host loads (dist/engine.js),
// the same with sharp stubbed out, and the openai and sharp packages on their own: what the cold
// load is made of.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { median, ms, msSpread, ratio, root, tmpRoot } from './lib.mjs';

export const title = 'Generation overhead';

const PROMPT = 'a lighthouse on a cliff at dusk, watercolour';

function child(mode, cfg) {
  const file = path.join(tmpRoot, 'generation', `cfg-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(cfg));
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [path.join(root, 'bench', 'generation', 'child.cjs'), mode, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('close', (code) => {
      fs.rmSync(file, { force: true });
      if (code !== 0) return reject(new Error(`child ${mode} ${cfg.path ?? cfg.module ?? ''} exited ${code}: ${err.trim()}`));
      resolve(JSON.parse(out.trim().split('\n').pop()));
    });
  });
}

function startFake(stageDir, latencyMs) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [path.join(stageDir, 'out', 'test', 'fake-openai', 'cli.js'), '--latency', String(latencyMs)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    let err = '';
    p.stderr.on('data', (d) => { err += d; });
    p.stdout.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve({ proc: p, ...JSON.parse(buf.slice(0, nl)) });
    });
    p.on('exit', (code) => reject(new Error(`fake server exited ${code}: ${err}`)));
  });
}

export async function run({ stage, opts, log }) {
  if (!stage.compiled) return { ok: false, failures: ['src/core or test/fake-openai did not compile in the stage'] };
  const latencyMs = opts.latency ?? 300;
  const pairs = opts.pairs ?? 30;
  const coldRuns = opts.coldRuns ?? 7;
  const dir = path.join(tmpRoot, 'generation');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const coreDir = path.join(stage.dir, 'out', 'src', 'core');
  const fake = await startFake(stage.dir, latencyMs);
  try {
    // The JSON body both paths send: what the engine makes of the request (checked below).
    const { generateParams } = await import(path.join(coreDir, 'request.js'));
    const req = { operation: 'generate', model: 'gpt-image-1.5', prompt: PROMPT, n: 1, size: '1024x1024', quality: 'low', outputFormat: 'png' };
    const body = { ...generateParams(req, 1), stream: false };
    const base = { url: fake.url, apiKey: fake.apiKey, prompt: PROMPT, body, coreDir, outDir: path.join(dir, 'out') };

    // Cold, in fresh processes, alternating which path goes first.
    const cold = { ours: [], bare: [] };
    for (let i = 0; i < coldRuns; i++) {
      for (const p of i % 2 === 0 ? ['bare', 'ours'] : ['ours', 'bare']) cold[p].push(await child('cold', { ...base, path: p }));
    }
    // What the host loads on first use, and its two big parts, also in fresh processes (interleaved).
    const bundle = stage.built ? path.join(stage.dir, 'dist', 'engine.js') : undefined;
    const loads = { bundle: [], bundleNoSharp: [], openai: [], sharp: [] };
    const modules = {
      bundle: bundle && { module: bundle },
      bundleNoSharp: bundle && { module: bundle, stub: ['sharp'] },
      openai: { module: path.join(root, 'node_modules', 'openai') },
      sharp: { module: path.join(root, 'node_modules', 'sharp') },
    };
    for (let i = 0; i < coldRuns; i++) {
      for (const k of Object.keys(loads)) if (modules[k]) loads[k].push((await child('load', { ...base, ...modules[k] })).ms);
    }
    await fetch(`${fake.origin}/_fake/reset`, { method: 'POST' });

    // Warm: one process, interleaved pairs.
    const warm = await child('warm', { ...base, pairs, warmup: 2 });

    // The save step alone, on an image the size a real API sends.
    const save = await child('save', { ...base, pairs: 30, sharp: path.join(root, 'node_modules', 'sharp') });

    // Both paths sent the same JSON body?
    const recorded = await (await fetch(`${fake.origin}/_fake/requests`)).json();
    const bodies = [...new Set((Array.isArray(recorded) ? recorded : recorded.requests ?? []).filter((r) => r.path?.endsWith('/images/generations')).map((r) => JSON.stringify(r.body)))];
    const sameBody = bodies.length === 1;

    const o = warm.ours.map((x) => x.ms);
    const b = warm.bare.map((x) => x.ms);
    const overhead = median(o) - median(b);
    const diffs = o.map((x, i) => x - b[i]);
    const r = median(o) / median(b);
    const part = (xs, k) => median(xs.map((x) => x[k]));
    const coldOurs = cold.ours.map((x) => x.totalMs);
    const coldBare = cold.bare.map((x) => x.totalMs);
    const coldLoad = cold.ours.map((x) => x.engineLoadMs);
    const pngKB = (warm.ours[0].bytes / 1024).toFixed(0);

    const console_ = [
      `  warm  ours ${msSpread(o)}  (request ${ms(part(warm.ours, 'requestMs'))} + save ${ms(part(warm.ours, 'saveMs'))})`,
      `        bare ${msSpread(b)}  (request ${ms(part(warm.bare, 'requestMs'))} + save ${ms(part(warm.bare, 'saveMs'))})`,
      `        overhead ${ms(overhead)} (median of paired differences ${msSpread(diffs)}); ratio ours / bare = ${ratio(r)}; fake latency ${latencyMs} ms`,
      `  cold  ours ${msSpread(coldOurs)} of which engine require() ${ms(median(coldLoad))} (out/src/core, unbundled SDK); bare ${msSpread(coldBare)}; ratio ${ratio(median(coldOurs) / median(coldBare))}`,
      `  load  dist/engine.js ${loads.bundle.length ? msSpread(loads.bundle) : 'n/a (no build)'}; the same with sharp stubbed ${loads.bundleNoSharp.length ? msSpread(loads.bundleNoSharp) : 'n/a'}; openai package alone ${msSpread(loads.openai)}; sharp alone ${msSpread(loads.sharp)}`,
      `  save only, real-sized ${(save.bytes / 2 ** 20).toFixed(1)} MB PNG: ours ${msSpread(save.ours)}, bare writeFile ${msSpread(save.bare)}; overhead ${ms(median(save.ours) - median(save.bare))} (${save.pairs} pairs)`,
      `  same JSON body on both paths: ${sameBody ? 'yes' : `NO: ${bodies.join(' | ')}`}; image ${pngKB} KB PNG`,
      `  runs: warm ${pairs} pairs (+2 warm-up each), cold ${coldRuns} processes per path, load ${coldRuns} processes per module`,
    ].join('\n');
    const md = [
      `Fake Images API (test/fake-openai) in its own process, fixed latency ${latencyMs} ms; one 1024x1024 PNG (${pngKB} KB as the fake sends it), gpt-image-1.5, quality low; both paths send the same JSON body (${sameBody ? 'checked on the server' : '**differed**'}).`,
      '',
      '| | ours (Pixelwright) | bare fetch | overhead (ours − bare) | ratio |',
      '|---|---:|---:|---:|---:|',
      `| warm, one generation | ${msSpread(o)} | ${msSpread(b)} | **${ms(overhead)}** | **${ratio(r)}** |`,
      `| warm: request + decode | ${ms(part(warm.ours, 'requestMs'))} | ${ms(part(warm.bare, 'requestMs'))} | ${ms(part(warm.ours, 'requestMs') - part(warm.bare, 'requestMs'))} | |`,
      `| warm: save (record, write) | ${ms(part(warm.ours, 'saveMs'))} | ${ms(part(warm.bare, 'saveMs'))} | ${ms(part(warm.ours, 'saveMs') - part(warm.bare, 'saveMs'))} | |`,
      `| save only, real-sized ${(save.bytes / 2 ** 20).toFixed(1)} MB PNG (${save.pairs} pairs) | ${msSpread(save.ours)} | ${msSpread(save.bare)} | ${ms(median(save.ours) - median(save.bare))} | ${ratio(median(save.ours) / median(save.bare))} |`,
      `| cold, first generation in a fresh process | ${msSpread(coldOurs)} | ${msSpread(coldBare)} | ${ms(median(coldOurs) - median(coldBare))} | ${ratio(median(coldOurs) / median(coldBare))} |`,
      '',
      `Cold engine load, counted apart: ${ms(median(coldLoad))} to require out/src/core/engine.js (unbundled openai) in the cold runs; the bundle the host really loads, \`dist/engine.js\`: ${loads.bundle.length ? msSpread(loads.bundle) : 'n/a (no build)'}. The same bundle with \`require('sharp')\` answered by a stub: ${loads.bundleNoSharp.length ? msSpread(loads.bundleNoSharp) : 'n/a'}. For comparison, on their own: the openai package (unbundled) ${msSpread(loads.openai)}, sharp ${msSpread(loads.sharp)}.`,
      '',
      `Runs: warm ${pairs} pairs in one process, alternating A B / B A, after 2 warm-ups of each; median of the per-pair differences ${msSpread(diffs)}. Cold: ${coldRuns} fresh processes per path, alternating. Loads: ${coldRuns} fresh processes per module, interleaved.`,
      '',
      `How to read it: the fake's ${latencyMs} ms latency is in both columns, so the overhead (ms) is what Pixelwright adds per image; against a real API's 10 to 60 s per image it is the figure that matters, not the ratio. The cold row is paid once per window, on the first generation.`,
    ].join('\n');
    const failures = sameBody ? [] : ['the two paths sent different JSON bodies'];
    return { ok: failures.length === 0, failures, console: console_, markdown: md };
  } finally {
    fake.proc.kill('SIGTERM');
  }
}
