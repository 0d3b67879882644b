// Bench "size": what activation loads, against what users already accept.
//
// The production build (stage/dist, see lib.mjs) of dist/extension.js (required at activation)
// and dist/engine.js (required on the first generation), raw and gzipped. The ratio is the
// activation bundle against the smallest main bundle of the image extensions users pick today
// (100 KB, measured in code-server here; their range is 100 KB to 1.2 MB).
// It also fails when dist/extension.js holds openai SDK code or a require('sharp'): the markers
// below are strings only the SDK has; that they are found in dist/engine.js shows they work.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { kb, ratio } from './lib.mjs';

export const title = 'Host bundle size';

/** The smallest main bundle among the image extensions users pick (code-server, measured earlier). */
const BASELINE = { name: 'smallest popular image extension', bytes: 100 * 1024, range: '100 KB to 1.2 MB' };
/** What activation may read: thin registrations only (the features load on first use). */
const EXTENSION_BUDGET = 30 * 1024;
/** Strings that only the openai SDK's code holds (headers and environment variables it reads). */
const SDK_MARKERS = [/X-Stainless/i, /OPENAI_BASE_URL/, /OPENAI_LOG/, /OpenAI-Organization/];
const REQUIRE_SHARP = /\brequire\(\s*["'`]sharp["'`]\s*\)/;
const REQUIRE_OPENAI = /\brequire\(\s*["'`]openai(\/[^"'`]*)?["'`]\s*\)/;
/** The model capability table (src/core/models.ts): built at module load, so the features build it, not activation. */
const MODEL_TABLE = /["'`]dall-e-2["'`]/;

export async function run({ stage }) {
  if (!stage.built) {
    return { ok: false, failures: [`the production build failed, nothing to measure:\n${stage.buildError}`] };
  }
  const dist = path.join(stage.dir, 'dist');
  const file = (f) => {
    const p = path.join(dist, f);
    if (!fs.existsSync(p)) return undefined;
    const buf = fs.readFileSync(p);
    return { name: `dist/${f}`, raw: buf.length, gz: zlib.gzipSync(buf, { level: 9 }).length, text: buf.toString('utf8') };
  };
  const ext = file('extension.js');
  const engine = file('engine.js');
  const features = file('features.js');
  const webviews = fs.existsSync(path.join(dist, 'webview'))
    ? fs.readdirSync(path.join(dist, 'webview')).filter((f) => f.endsWith('.js')).map((f) => file(`webview/${f}`))
    : [];

  const failures = [];
  if (ext.raw > EXTENSION_BUDGET) failures.push(`dist/extension.js is ${kb(ext.raw)}, over its budget of ${kb(EXTENSION_BUDGET)}: keep feature code in dist/features.js`);
  const sdkInExt = SDK_MARKERS.filter((re) => re.test(ext.text)).map(String);
  const sdkInEngine = SDK_MARKERS.filter((re) => re.test(engine.text)).map(String);
  if (sdkInExt.length) failures.push(`dist/extension.js holds openai SDK code (markers ${sdkInExt.join(', ')})`);
  if (REQUIRE_OPENAI.test(ext.text)) failures.push(`dist/extension.js requires openai: ${REQUIRE_OPENAI.exec(ext.text)[0]}`);
  if (MODEL_TABLE.test(ext.text)) failures.push('dist/extension.js holds the model capability table (src/core/models.ts): import it from the features, not from a module activation loads');
  if (!MODEL_TABLE.test(features.text)) failures.push('the model-table marker no longer works: not found in dist/features.js (update MODEL_TABLE in bench/size.mjs)');
  if (REQUIRE_SHARP.test(ext.text)) failures.push(`dist/extension.js requires sharp: ${REQUIRE_SHARP.exec(ext.text)[0]}`);
  if (sdkInEngine.length !== SDK_MARKERS.length) {
    failures.push(`the SDK markers no longer work: only ${sdkInEngine.length} of ${SDK_MARKERS.length} found in dist/engine.js (update SDK_MARKERS in bench/size.mjs)`);
  }
  const extRequires = [...new Set([...ext.text.matchAll(/\brequire\(([^()]{0,60})\)/g)].map((m) => m[1]))];
  const engineSharp = REQUIRE_SHARP.test(engine.text);

  const r = ext.raw / BASELINE.bytes;
  const rows = [
    ['bundle', 'loaded', 'raw', 'gzip -9'],
    [ext.name, 'at activation', kb(ext.raw), kb(ext.gz)],
    ...(features ? [[features.name, 'on the first command or view', kb(features.raw), kb(features.gz)]] : []),
    [engine.name, 'on first generation', kb(engine.raw), kb(engine.gz)],
    ...webviews.map((w) => [w.name, 'in the webview, when its panel opens', kb(w.raw), kb(w.gz)]),
  ];
  const console_ = [
    ...rows.map((row) => `  ${row[0].padEnd(28)} ${row[1].padEnd(38)} ${row[2].padStart(10)} ${row[3].padStart(10)}`),
    `  ratio  dist/extension.js / ${BASELINE.name} (${kb(BASELINE.bytes)}) = ${ratio(r)}  (their range: ${BASELINE.range})`,
    `  dist/extension.js requires: ${extRequires.join(' ')}`,
    `  openai SDK markers: extension.js ${sdkInExt.length}/${SDK_MARKERS.length}, engine.js ${sdkInEngine.length}/${SDK_MARKERS.length}; require('sharp'): extension.js ${REQUIRE_SHARP.test(ext.text) ? 'yes' : 'no'}, engine.js ${engineSharp ? 'yes' : 'no'}`,
    `  runs: 1 (a build is deterministic)`,
  ].join('\n');

  const md = [
    '| bundle | loaded | raw | gzip -9 |',
    '|---|---|---:|---:|',
    ...rows.slice(1).map((row) => `| \`${row[0]}\` | ${row[1]} | ${row[2]} | ${row[3]} |`),
    '',
    `**Ratio: ${ratio(r)}**: \`dist/extension.js\` (${kb(ext.raw)}) against the ${BASELINE.name} (${kb(BASELINE.bytes)}; their range ${BASELINE.range}). Runs: 1 (a build is deterministic).`,
    '',
    `Checks: no openai SDK code in \`dist/extension.js\` (markers found: ${sdkInExt.length} of ${SDK_MARKERS.length}; in \`dist/engine.js\`: ${sdkInEngine.length} of ${SDK_MARKERS.length}), no \`require('sharp')\` in it (${REQUIRE_SHARP.test(ext.text) ? '**found**' : 'none'}; \`dist/engine.js\`: ${engineSharp ? 'yes' : 'no'}). It requires only: ${extRequires.map((x) => `\`${x}\``).join(', ')}.`,
    '',
    'How to read it: below 1.00x means activation reads less code than the lightest image extension users already run; `dist/engine.js` is paid once, on the first generation, not at startup.',
  ].join('\n');
  return { ok: failures.length === 0, failures, console: console_, markdown: md };
}
