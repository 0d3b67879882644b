// Shared pieces of the benchmarks (run by scripts/bench.mjs): statistics, the machine line, and
// the staged copy of the extension every bench measures.
//
// The stage (bench/.tmp/run-PID/stage, git-ignored) is a snapshot of the sources taken once per
// `npm run bench`: the working tree by default, or a commit with --ref. It gets its own production
// build (scripts/build.mjs run inside it -> stage/dist) and its own tsc output of src/core and
// test/fake-openai (stage/out). So the benches never touch the repository's dist/ or out/, which
// other people's builds and test runs rewrite while we measure, and all three measure the same
// sources.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
/**
 * Scratch space of this run (git-ignored): one folder per process, so that two people running
 * the benches at once do not rebuild or delete each other's stage. scripts/bench.mjs removes it
 * at the end (BENCH_KEEP=1 keeps it).
 */
export const tmpRoot = path.join(root, 'bench', '.tmp', `run-${process.pid}`);

// ---------------------------------------------------------------------------------------------
// Statistics

export function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Lower and upper quartile (linear interpolation), to show the spread next to a median. */
export function quartiles(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const q = (p) => {
    if (s.length === 0) return NaN;
    const i = (s.length - 1) * p;
    const lo = Math.floor(i);
    return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (i - lo);
  };
  return [q(0.25), q(0.75)];
}

export const ms = (x, digits = 1) => (Number.isFinite(x) ? `${x.toFixed(digits)} ms` : 'n/a');
export const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
export const ratio = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}x` : 'n/a');
/** "12.3 ms (IQR 11.9-13.0)" */
export const msSpread = (xs) => {
  const [a, b] = quartiles(xs);
  return `${ms(median(xs))} (IQR ${a.toFixed(1)}–${b.toFixed(1)})`;
};

// ---------------------------------------------------------------------------------------------
// Machine

export function machine() {
  let nproc;
  try { nproc = execFileSync('nproc', { encoding: 'utf8' }).trim(); } catch { nproc = String(os.availableParallelism?.() ?? os.cpus().length); }
  const cpu = os.cpus()[0]?.model?.trim() || 'unknown CPU';
  return {
    nproc,
    node: process.version,
    cpu,
    memGB: (os.totalmem() / 2 ** 30).toFixed(1),
    loadavg: os.loadavg().map((x) => x.toFixed(2)).join(' '),
    platform: `${os.platform()} ${os.arch()}`,
  };
}

export function machineLine(m = machine()) {
  return `nproc ${m.nproc} (${m.cpu}), ${m.memGB} GB, ${m.platform}, Node ${m.node}; load average at start ${m.loadavg}`;
}

// ---------------------------------------------------------------------------------------------
// Stage

// scripts/build.mjs too: a commit is built with its own build script; and what its own
// scripts/package.mjs puts into a VSIX (bench/studioOpen.mjs installs one per snapshot).
const STAGE_PATHS = ['src', 'test/fake-openai', 'scripts/build.mjs', 'package.json', 'package.nls.json', 'package.nls.zh-cn.json', 'l10n', 'media', 'tsconfig.json',
  'scripts/package.mjs', '.vscodeignore', 'README.md', 'CHANGELOG.md', 'LICENSE', 'docs/images'];

function git(args) {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/**
 * Copies the sources into bench/.tmp/run-PID/<name> (default "stage"), builds them (production)
 * and, unless `compile` is false, compiles src/core and the fake API. Never throws for a failed
 * build: the result says what is missing, and each bench decides whether it can run without it.
 * A bench that compares two snapshots (bench/studioOpen.mjs) makes its second one under its own name.
 */
export function makeStage({ ref, name = 'stage', compile = true } = {}) {
  const dir = path.join(tmpRoot, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const head = git(['rev-parse', '--short', 'HEAD']);
  let source;
  if (ref) {
    const sha = git(['rev-parse', '--short', `${ref}^{commit}`]);
    const present = STAGE_PATHS.filter((p) => git(['ls-tree', '--name-only', sha, '--', p]) !== '');
    const tar = spawnSync('git', ['archive', '--format=tar', sha, '--', ...present], { cwd: root, maxBuffer: 256 * 2 ** 20 });
    if (tar.status !== 0) throw new Error(`git archive ${sha} failed: ${tar.stderr}`);
    const x = spawnSync('tar', ['-x', '-C', dir], { input: tar.stdout });
    if (x.status !== 0) throw new Error(`tar -x failed: ${x.stderr}`);
    source = `commit ${sha}`;
  } else {
    for (const p of STAGE_PATHS) {
      const from = path.join(root, p);
      if (fs.existsSync(from)) fs.cpSync(from, path.join(dir, p), { recursive: true });
    }
    const changed = git(['status', '--porcelain', '--', ...STAGE_PATHS.filter((p) => fs.existsSync(path.join(root, p)))])
      .split('\n').filter(Boolean).length;
    source = `working tree at ${head}${changed ? ` (+${changed} uncommitted file${changed > 1 ? 's' : ''} under src/, test/fake-openai/, package*.json)` : ', clean'}`;
  }
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');

  // The production build, exactly as `node scripts/build.mjs --production` makes it (the staged
  // copy of the script, run in the stage), into stage/dist.
  const t0 = Date.now();
  const build = spawnSync(process.execPath, [path.join(dir, 'scripts', 'build.mjs'), '--production'], { cwd: dir, encoding: 'utf8' });
  const built = build.status === 0 && fs.existsSync(path.join(dir, 'dist', 'extension.js')) && fs.existsSync(path.join(dir, 'dist', 'engine.js'));
  const buildMs = Date.now() - t0;

  if (!compile) return { dir, source, built, buildMs, buildError: built ? undefined : buildFailure(build), compiled: false };
  // src/core and the fake API as tsc compiles them (compile-tests' settings, fewer files).
  fs.writeFileSync(path.join(dir, 'tsconfig.bench.json'), JSON.stringify({
    extends: './tsconfig.json',
    compilerOptions: { noEmit: false, sourceMap: false, types: ['node'] },
    include: ['src/core', 'test/fake-openai'],
  }));
  const tsc = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.bench.json'], { cwd: dir, encoding: 'utf8' });
  const compiled = ['out/src/core/engine.js', 'out/src/core/metadata.js', 'out/src/core/naming.js', 'out/src/core/models.js', 'out/test/fake-openai/server.js']
    .every((f) => fs.existsSync(path.join(dir, f)));

  return {
    dir,
    source,
    built,
    buildMs,
    buildError: built ? undefined : buildFailure(build),
    compiled,
    // tsc emits even with type errors; keep them as a warning.
    compileWarning: tsc.status === 0 ? undefined : (tsc.stdout || tsc.stderr).trim().split('\n').slice(0, 5).join('\n'),
  };
}

const buildFailure = (build) => (build.stderr || build.stdout || `exit ${build.status}`).trim().split('\n').slice(0, 12).join('\n');

// ---------------------------------------------------------------------------------------------
// results.md is shared with other benchmarks (e.g. bench/prepare.mjs), each owning the "## "
// sections it writes. Ours are told apart by a marker line under the heading; a section runs
// to the next "## " heading. Everything else in the file is kept as it is.

const marker = (name) => `<!-- bench:${name} (scripts/bench.mjs) -->`;

export function updateResults(file, sections, order) {
  // Read right before writing: another benchmark may have written its own section meanwhile.
  const old = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const cut = [...old.matchAll(/^## /gm)].map((m) => m.index);
  const preamble = old.slice(0, cut[0] ?? old.length).replace(/\s*$/, '\n');
  const blocks = cut.map((at, i) => old.slice(at, cut[i + 1] ?? old.length).replace(/\s*$/, '\n'));
  const ours = (name) => (text) => text.includes(marker(name));
  for (const name of order) {
    if (!sections[name]) continue;
    const [heading, ...rest] = sections[name].trim().split('\n');
    if (!heading.startsWith('## ') || rest.some((l) => l.startsWith('## '))) throw new Error(`results section ${name}: one "## " heading, first`);
    const text = [heading, marker(name), ...rest].join('\n') + '\n';
    const i = blocks.findIndex(ours(name));
    if (i >= 0) blocks[i] = text;
    else blocks.push(text);
  }
  fs.writeFileSync(file, [preamble, ...blocks].join('\n'));
}

/**
 * Writes the "## <heading>" section of results.md that a bench owns by its heading (benches run
 * outside scripts/bench.mjs, without its marker line): replaced where it stands, else put after the
 * section headed `after` when there is one, else at the end. `section` starts with its heading.
 */
export function writeSection(file, heading, section, { after } = {}) {
  let text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const sectionEnd = (at) => {
    const next = text.indexOf('\n## ', at + 1);
    return next >= 0 ? next + 1 : text.length;
  };
  const start = text.indexOf(`\n## ${heading}\n`);
  if (start >= 0) {
    const next = text.indexOf('\n## ', start + 1);
    text = text.slice(0, start + 1) + section + (next >= 0 ? text.slice(next) : '');
  } else {
    const prev = after ? text.indexOf(`\n## ${after}\n`) : -1;
    if (prev >= 0) {
      const at = sectionEnd(prev);
      text = text.slice(0, at) + section + '\n' + text.slice(at);
    } else text = text.replace(/\n*$/, '\n\n') + section;
  }
  fs.writeFileSync(file, text);
}
