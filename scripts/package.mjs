#!/usr/bin/env node
// Packages one platform-specific VSIX: sharp is native, so each target carries its own binaries.
//
//   node scripts/package.mjs [--target linux-x64] [--out DIR] [--no-build]
//
// 1. production build (node scripts/build.mjs --production), unless --no-build;
// 2. a staging folder .vscode-test/package/<target>/ with the project's files and a node_modules
//    holding only the production dependencies (sharp and what it requires) plus the target's
//    @img/sharp-<platform> and @img/sharp-libvips-<platform> packages. The developer's own
//    node_modules is never touched: a foreign target's packages are fetched with `npm pack`
//    (registry or npm cache) and unpacked, so no install script runs and no platform check applies;
//    the .vscodeignore allow-list is rewritten for the target;
// 3. vsce package --target <t> -o <out>/pixelwright-<version>-<t>.vsix (run in the stage);
// 4. verifies the VSIX: dist/extension.js, dist/features.js, dist/engine.js, sharp's JS and the target's sharp
//    .node (and libvips where it is a separate package), no other platform's binaries, nothing
//    from outside the allow-list (src/, out/, test/, maps...); when the target is this machine's
//    platform, unpacks it and checks that sharp loads from it and encodes a PNG. Fails loudly.
// Prints the VSIX path and size; the last line is `vsix: <path>`.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as zlib from 'node:zlib';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');

/** vsce target -> sharp's platform name (@img/sharp-<platform>). */
export const TARGETS = {
  'linux-x64': 'linux-x64',
  'linux-arm64': 'linux-arm64',
  'linux-armhf': 'linux-arm',
  'alpine-x64': 'linuxmusl-x64',
  'alpine-arm64': 'linuxmusl-arm64',
  'darwin-x64': 'darwin-x64',
  'darwin-arm64': 'darwin-arm64',
  'win32-x64': 'win32-x64',
  'win32-arm64': 'win32-arm64',
};

function fail(msg) {
  console.error(`package: FAILED: ${msg}`);
  process.exit(1);
}

function parseArgs(argv) {
  const o = { target: 'linux-x64', out: root, build: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [k, inline] = a.split(/=(.*)/s, 2);
    const val = () => inline ?? argv[++i];
    if (k === '--target' || k === '-t') o.target = val();
    else if (k === '--out' || k === '-o') o.out = path.resolve(val());
    else if (k === '--no-build') o.build = false;
    else fail(`unknown argument ${a}`);
  }
  if (!TARGETS[o.target]) fail(`unknown target ${o.target}; one of: ${Object.keys(TARGETS).join(', ')}`);
  return o;
}

const readJson = (p) => JSON.parse(fs.readFileSync(p, 'utf8'));

/** The node binary for vsce, which declares node >= 22: ours if new enough, else the tools' Node 24. */
function nodeForVsce() {
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
  const tools = process.env.PIXELWRIGHT_TOOLS || path.join(homedir(), '.cache', 'pixelwright', 'tools');
  const dir = process.env.NODE24_DIR || (() => {
    const base = path.join(tools, 'node24', 'node_modules', 'node', 'node_modules');
    const pkg = fs.existsSync(base) && fs.readdirSync(base).find((d) => /^node-(linux|darwin|win)-/.test(d));
    return pkg ? path.join(base, pkg, 'bin') : undefined;
  })();
  const bin = dir && path.join(dir, process.platform === 'win32' ? 'node.exe' : 'node');
  return bin && fs.existsSync(bin) ? bin : process.execPath;
}

/**
 * Production dependency closure of the project, as package names, read from node_modules.
 * sharp's per-platform optional packages are left out here; the target's are added separately.
 */
function productionPackages() {
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name) || /^@img\/sharp-/.test(name)) return;
    const pj = path.join(root, 'node_modules', name, 'package.json');
    if (!fs.existsSync(pj)) fail(`production dependency ${name} is not installed (run npm ci)`);
    seen.add(name);
    const p = readJson(pj);
    for (const d of Object.keys(p.dependencies ?? {})) visit(d);
    for (const d of Object.keys(p.optionalDependencies ?? {})) {
      if (fs.existsSync(path.join(root, 'node_modules', d, 'package.json'))) visit(d);
    }
  };
  for (const d of Object.keys(readJson(path.join(root, 'package.json')).dependencies ?? {})) visit(d);
  return [...seen];
}

/** The target's sharp packages with the exact versions sharp pins: [{ name, version }]. */
function sharpPlatformPackages(platform) {
  const sharp = readJson(path.join(root, 'node_modules', 'sharp', 'package.json'));
  const opt = sharp.optionalDependencies ?? {};
  const names = [`@img/sharp-${platform}`, `@img/sharp-libvips-${platform}`].filter((n) => opt[n]);
  if (!names.includes(`@img/sharp-${platform}`)) fail(`sharp ${sharp.version} has no prebuilt package for ${platform}`);
  return names.map((name) => ({ name, version: opt[name] }));
}

/** Puts name@version into stageModules: copied from node_modules when it is there, else npm pack + untar. */
function provide({ name, version }, stageModules, cacheDir) {
  const dest = path.join(stageModules, name);
  const local = path.join(root, 'node_modules', name);
  if (fs.existsSync(path.join(local, 'package.json')) && readJson(path.join(local, 'package.json')).version === version) {
    fs.cpSync(local, dest, { recursive: true });
    return 'node_modules';
  }
  fs.mkdirSync(cacheDir, { recursive: true });
  const tgzName = `${name.replace('@', '').replace('/', '-')}-${version}.tgz`;
  const tgz = path.join(cacheDir, tgzName);
  if (!fs.existsSync(tgz)) {
    const r = spawnSync('npm', ['pack', `${name}@${version}`, '--pack-destination', cacheDir, '--silent'], { encoding: 'utf8' });
    if (r.status !== 0 || !fs.existsSync(tgz)) fail(`npm pack ${name}@${version}: ${r.stderr || r.stdout}`);
  }
  fs.mkdirSync(dest, { recursive: true });
  execFileSync('tar', ['xzf', tgz, '-C', dest, '--strip-components=1']);
  return 'npm pack';
}

/** File names and sizes in a zip (central directory; a VSIX needs no zip64). */
export function listZip(file) {
  const buf = fs.readFileSync(file);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip`);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error(`${file}: bad central directory entry ${n}`);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extra = buf.readUInt16LE(p + 30);
    const comment = buf.readUInt16LE(p + 32);
    entries.push({
      name: buf.toString('utf8', p + 46, p + 46 + nameLen), size,
      method: buf.readUInt16LE(p + 10), csize: buf.readUInt32LE(p + 20), offset: buf.readUInt32LE(p + 42),
    });
    p += 46 + nameLen + extra + comment;
  }
  return entries;
}

/** Unpacks a zip (stored or deflated entries) into dest. */
export function extractZip(file, dest) {
  const buf = fs.readFileSync(file);
  for (const e of listZip(file)) {
    if (e.name.endsWith('/')) continue;
    const out = path.join(dest, e.name);
    if (!out.startsWith(path.resolve(dest) + path.sep)) throw new Error(`${file}: entry escapes: ${e.name}`);
    const start = e.offset + 30 + buf.readUInt16LE(e.offset + 26) + buf.readUInt16LE(e.offset + 28);
    const raw = buf.subarray(start, start + e.csize);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, e.method === 8 ? zlib.inflateRawSync(raw) : raw);
  }
}

/** On a machine of the VSIX's own platform: sharp loads from the unpacked VSIX and encodes a PNG. */
function checkSharpLoads(vsix) {
  const dir = fs.mkdtempSync(path.join(tmpdir(), 'pixelwright-vsix-'));
  try {
    extractZip(vsix, dir);
    const sharpDir = path.join(dir, 'extension', 'node_modules', 'sharp');
    const probe = `require(${JSON.stringify(sharpDir)})({ create: { width: 2, height: 2, channels: 4, background: '#f80' } })
      .png().toBuffer().then((b) => console.log('sharp from the VSIX: ' + b.length + '-byte PNG'))
      .catch((e) => { console.error(e); process.exit(1); });`;
    const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
    if (r.status !== 0) fail(`sharp does not load from the unpacked VSIX:\n${r.stderr}`);
    console.log(`package: ${r.stdout.trim()}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Problems with a VSIX for a target; [] when it is good. */
export function checkVsix(file, target) {
  const platform = TARGETS[target];
  const names = listZip(file).map((e) => e.name);
  const has = (re) => names.some((n) => re.test(n));
  const problems = [];
  const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const need = [
    ['extension/package.json', /^extension\/package\.json$/],
    ['extension/dist/extension.js', /^extension\/dist\/extension\.js$/],
    ['extension/dist/features.js', /^extension\/dist\/features\.js$/],
    ['extension/dist/engine.js', /^extension\/dist\/engine\.js$/],
    ['sharp (node_modules/sharp/dist/index.cjs)', /^extension\/node_modules\/sharp\/dist\/index\.cjs$/],
    ['@img/colour', /^extension\/node_modules\/@img\/colour\/package\.json$/],
    ['detect-libc', /^extension\/node_modules\/detect-libc\/package\.json$/],
    ['semver', /^extension\/node_modules\/semver\/package\.json$/],
    [`@img/sharp-${platform}/index.cjs`, new RegExp(`^extension/node_modules/@img/sharp-${esc(platform)}/index\\.cjs$`)],
    [`sharp's native .node for ${platform}`, new RegExp(`^extension/node_modules/@img/sharp-${esc(platform)}/lib/sharp-${esc(platform)}[^/]*\\.node$`)],
  ];
  if (sharpPlatformPackages(platform).some((p) => p.name.includes('libvips'))) {
    need.push([`libvips for ${platform}`, new RegExp(`^extension/node_modules/@img/sharp-libvips-${esc(platform)}/lib/libvips-cpp`)]);
  }
  for (const [what, re] of need) if (!has(re)) problems.push(`missing ${what}`);
  const foreign = names.filter((n) => /^extension\/node_modules\/@img\/sharp-/.test(n)
    && !n.startsWith(`extension/node_modules/@img/sharp-${platform}/`)
    && !n.startsWith(`extension/node_modules/@img/sharp-libvips-${platform}/`));
  if (foreign.length) problems.push(`other platforms' sharp files: ${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? '…' : ''}`);
  const stray = names.filter((n) => /^extension\/(src|out|test|bench|scripts|\.vscode-test|\.git)\//.test(n) || /\.(map|ts|tsbuildinfo|vsix)$/.test(n) && !n.endsWith('.d.ts'));
  if (stray.length) problems.push(`files outside the allow-list: ${stray.slice(0, 5).join(', ')}${stray.length > 5 ? '…' : ''}`);
  return problems;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const platform = TARGETS[opts.target];
  const manifest = readJson(path.join(root, 'package.json'));
  const t0 = Date.now();

  if (opts.build) {
    const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--production'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) fail('production build failed');
  }
  for (const f of ['dist/extension.js', 'dist/features.js', 'dist/engine.js']) {
    if (!fs.existsSync(path.join(root, f))) fail(`${f} missing (build first)`);
  }

  // --- stage ---
  const stage = path.join(root, '.vscode-test', 'package', opts.target);
  fs.rmSync(stage, { recursive: true, force: true });
  fs.mkdirSync(stage, { recursive: true });
  const skip = new Set(['node_modules', '.git', '.vscode-test', 'out', 'src', 'test', 'bench', '.ci']);
  for (const e of fs.readdirSync(root)) {
    if (skip.has(e) || e.endsWith('.vsix')) continue;
    fs.cpSync(path.join(root, e), path.join(stage, e), { recursive: true, filter: (s) => !s.endsWith('.map') });
  }
  const stageModules = path.join(stage, 'node_modules');
  for (const name of productionPackages()) fs.cpSync(path.join(root, 'node_modules', name), path.join(stageModules, name), { recursive: true });
  const cache = path.join(root, '.vscode-test', 'package', '.npm-pack');
  for (const pkg of sharpPlatformPackages(platform)) {
    console.log(`package: ${pkg.name}@${pkg.version} from ${provide(pkg, stageModules, cache)}`);
  }
  const ignore = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8')
    .replace(/(node_modules\/@img\/sharp-(?:libvips-)?)linux-x64(\/)/g, `$1${platform}$2`);
  fs.writeFileSync(path.join(stage, '.vscodeignore'), ignore);

  // --- vsce ---
  fs.mkdirSync(opts.out, { recursive: true });
  const vsix = path.join(opts.out, `${manifest.name}-${manifest.version}-${opts.target}.vsix`);
  fs.rmSync(vsix, { force: true });
  const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  const vsceArgs = [vsce, 'package', '--target', opts.target, '-o', vsix, '--no-yarn'];
  // Without a repository vsce cannot turn README's relative links into absolute ones and refuses;
  // they are kept relative (VS Code shows README images from the installed VSIX: docs/images).
  if (!manifest.repository) vsceArgs.push('--allow-missing-repository', '--no-rewrite-relative-links');
  const r = spawnSync(nodeForVsce(), vsceArgs, { cwd: stage, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) fail(`vsce package exited with ${r.status}`);
  if (!fs.existsSync(vsix)) fail(`vsce did not write ${vsix}`);

  // --- verify ---
  const problems = checkVsix(vsix, opts.target);
  if (problems.length) fail(`${path.basename(vsix)}:\n  - ${problems.join('\n  - ')}`);
  if (`${process.platform}-${process.arch}` === opts.target) checkSharpLoads(vsix);
  const entries = listZip(vsix);
  const size = fs.statSync(vsix).size;
  const native = entries.filter((e) => e.name.endsWith('.node')).map((e) => e.name.replace(/^extension\//, ''));
  console.log(`package: ${path.basename(vsix)} OK: ${entries.length} files, ${(size / 1024 / 1024).toFixed(2)} MB, native: ${native.join(', ')} (${((Date.now() - t0) / 1000).toFixed(1)}s)`);
  console.log(`vsix: ${vsix}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
