// Bench "mcp": how fast Pixelwright's MCP server answers its first `tools/list`, from the moment
// the client starts it (spawn, initialize, tools/list), against the smallest MCP server the SDK
// makes (bench/mcp/baseline-server.mjs, bundled with the same esbuild settings), side by side,
// alternating which goes first. Budget: 300 ms for Pixelwright's server on this machine.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { median, ms, msSpread, ratio, root, tmpRoot } from './lib.mjs';

export const title = 'MCP server: start to first tools/list';
const BUDGET_MS = 300;
const require = createRequire(import.meta.url);

async function timeOnce(script, env) {
  const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
  const { StdioClientTransport } = require('@modelcontextprotocol/sdk/client/stdio.js');
  const client = new Client({ name: 'bench', version: '0' });
  const t0 = performance.now();
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [script], env: { PATH: process.env.PATH ?? '', ...env } }));
  const { tools } = await client.listTools();
  const t = performance.now() - t0;
  await client.close();
  return { ms: t, tools: tools.length };
}

export async function run({ stage, opts, log }) {
  if (!stage.built) return { ok: false, failures: [`the production build failed:\n${stage.buildError}`] };
  const ours = path.join(stage.dir, 'dist', 'mcp.js');
  if (!fs.existsSync(ours)) return { ok: false, failures: ['dist/mcp.js is missing from the build'] };
  const dir = path.join(tmpRoot, 'mcp');
  fs.mkdirSync(dir, { recursive: true });
  const baseline = path.join(dir, 'baseline.js');
  const esbuild = require('esbuild');
  await esbuild.build({ entryPoints: [path.join(root, 'bench', 'mcp', 'baseline-server.mjs')], bundle: true, platform: 'node', format: 'cjs', target: 'node20', minify: true, outfile: baseline, logLevel: 'silent' });
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-mcp-bench-'));
  const env = { PIXELWRIGHT_WORKSPACE: workspace };
  const runs = opts.runs ?? 10;
  const got = { ours: [], base: [] };
  const failures = [];
  // One warm-up each (the file cache), not counted.
  await timeOnce(ours, env);
  await timeOnce(baseline, {});
  for (let i = 0; i < runs; i++) {
    const order = i % 2 ? ['base', 'ours'] : ['ours', 'base'];
    for (const who of order) {
      const r = await timeOnce(who === 'ours' ? ours : baseline, who === 'ours' ? env : {});
      if (who === 'ours' && r.tools !== 4) failures.push(`Pixelwright listed ${r.tools} tools, not 4`);
      got[who].push(r.ms);
    }
    log(`  run ${i + 1}/${runs}: Pixelwright ${ms(got.ours.at(-1))}, baseline ${ms(got.base.at(-1))}; load average ${os.loadavg()[0].toFixed(2)}`);
  }
  fs.rmSync(workspace, { recursive: true, force: true });
  const m = median(got.ours);
  const r = m / median(got.base);
  if (m > BUDGET_MS) failures.push(`Pixelwright's MCP server took ${ms(m)} (median) to its first tools/list; the budget is ${BUDGET_MS} ms`);
  const size = (f) => `${(fs.statSync(f).size / 1024).toFixed(1)} KB`;
  const loads = os.loadavg().map((x) => x.toFixed(2)).join(' ');
  return {
    ok: failures.length === 0,
    failures,
    console: `  Pixelwright ${msSpread(got.ours)} (dist/mcp.js ${size(ours)}), baseline ${msSpread(got.base)} (${size(baseline)}); ratio ${ratio(r)}; budget ${BUDGET_MS} ms; load average at the end ${loads}`,
    markdown: [
      '| server | spawn → initialize → first tools/list, median (IQR) | bundle |',
      '|---|---:|---:|',
      `| Pixelwright (dist/mcp.js) | ${msSpread(got.ours)} | ${size(ours)} |`,
      `| bare MCP SDK server, one tool | ${msSpread(got.base)} | ${size(baseline)} |`,
      '',
      `**Ratio: ${ratio(r)}**; budget ${BUDGET_MS} ms for Pixelwright's server. ${runs} runs each, alternating which goes first, after one warm-up each; the client is the SDK's own over stdio, Node ${process.version}. Load average at the end: ${loads}. The SDK and sharp are not loaded until a tool call needs them.`,
    ].join('\n'),
  };
}
