#!/usr/bin/env node
// `npm run bench`: the benchmarks in bench/ (see bench/README.md), each against a baseline run
// side by side, and their figures into bench/results.md.
//
//   npm run bench                          all four: size, activation, generation, studioOpen
//   npm run bench -- activation            one (or several: size,generation)
//   npm run bench -- --ref HEAD~1          measure a commit instead of the working tree
//   npm run bench -- --runs 8 --pairs 30 --cold-runs 7 --latency 300
//   npm run bench -- studioOpen --open-runs 5 --baseline 16f3b1d
//   npm run bench -- --no-write            print only, leave bench/results.md alone
//   BENCH_KEEP=1 npm run bench             keep bench/.tmp/run-PID (the stage, host run folders)
//
// Exit code 1 when a bench fails (e.g. the activation bundle holds openai SDK code, or activation
// loads sharp). Takes about 12 minutes on 2 cores, most of it host runs (activation, studioOpen).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { machine, machineLine, makeStage, root, tmpRoot, updateResults } from '../bench/lib.mjs';

const BENCHES = ['size', 'activation', 'generation', 'studioOpen', 'mcp'];

function parseArgs(argv) {
  const o = { names: [], opts: {}, write: true };
  const num = (k, v) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${k} needs a positive number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [k, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const v = () => inline ?? argv[++i];
    if (k === '--ref') o.ref = v();
    else if (k === '--runs') o.opts.runs = num(k, v());
    else if (k === '--pairs') o.opts.pairs = num(k, v());
    else if (k === '--cold-runs') o.opts.coldRuns = num(k, v());
    else if (k === '--latency') o.opts.latency = num(k, v());
    else if (k === '--open-runs') o.opts.openRuns = num(k, v());
    else if (k === '--baseline') o.opts.baseline = v();
    else if (k === '--no-write') o.write = false;
    else if (k.startsWith('--')) throw new Error(`unknown option ${a}`);
    else o.names.push(...a.split(',').filter(Boolean));
  }
  for (const n of o.names) if (!BENCHES.includes(n)) throw new Error(`unknown bench "${n}" (have: ${BENCHES.join(', ')})`);
  if (o.names.length === 0) o.names = [...BENCHES];
  return o;
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`bench: ${e.message}`);
    return 2;
  }
  const t0 = Date.now();
  const m = machine();
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  console.log(`bench: ${args.names.join(', ')}; ${machineLine(m)}`);
  const stage = makeStage({ ref: args.ref });
  console.log(`bench: measuring ${stage.source}; production build ${stage.built ? `ok (${stage.buildMs} ms)` : 'FAILED'}, src/core compiled ${stage.compiled ? 'ok' : 'FAILED'}`);
  if (!stage.built) console.log(`bench: build error:\n${stage.buildError}`);
  if (stage.compileWarning) console.log(`bench: tsc reported (output used anyway):\n${stage.compileWarning}`);

  const sections = {};
  let failed = 0;
  for (const name of args.names) {
    const mod = await import(pathToFileURL(path.join(root, 'bench', `${name}.mjs`)).href);
    const t = Date.now();
    console.log(`\n== ${name}: ${mod.title}`);
    let r;
    try {
      r = await mod.run({ stage, opts: args.opts, log: (s) => console.log(s) });
    } catch (e) {
      r = { ok: false, failures: [String((e && e.stack) || e)] };
    }
    if (r.console) console.log(r.console);
    for (const f of r.failures ?? []) console.log(`  FAIL: ${f}`);
    const secs = ((Date.now() - t) / 1000).toFixed(0);
    console.log(`  ${r.ok ? 'ok' : 'FAILED'} in ${secs} s`);
    if (!r.ok) failed++;
    if (r.markdown || r.failures?.length) {
      sections[name] = [
        `## ${mod.title} (\`npm run bench -- ${name}\`)`,
        '',
        `${date} · ${machineLine(m)} · ${stage.source} · took ${secs} s`,
        '',
        ...(r.ok ? [] : ['**FAILED:**', ...r.failures.map((f) => `- ${f.split('\n')[0]}`), '']),
        r.markdown ?? '',
      ].join('\n');
    }
  }
  if (!process.env.BENCH_KEEP) fs.rmSync(tmpRoot, { recursive: true, force: true });
  if (args.write) {
    updateResults(path.join(root, 'bench', 'results.md'), sections, BENCHES);
    console.log(`\nbench: wrote bench/results.md (${Object.keys(sections).join(', ')})`);
  }
  console.log(`bench: ${args.names.length - failed} of ${args.names.length} ok in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return failed ? 1 : 0;
}

process.exitCode = await main();
