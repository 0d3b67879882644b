#!/usr/bin/env node
// Opens Pixelwright in code-server on localhost, so a newcomer sees it work:
//
//   npm run try                 (local fake Images API: no key or network needed)
//   OPENAI_API_KEY=sk-... npm run try    (the real OpenAI API)
//
// Packages the linux-x64 VSIX, installs it into a fresh code-server profile under
// .vscode-test/try/, opens a workspace that points Pixelwright at the fake server (or at OpenAI),
// and prints the address to open in a browser. Ctrl+C stops everything.
// The key is never written anywhere: you paste it once with "Pixelwright: Set API Key", and
// VS Code keeps it in its Secret Storage.
// env: PORT (default 8080), PIXELWRIGHT_VSIX (use this VSIX instead of packaging one).
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveTools, toolsEnv } from './run-host-tests.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.join(root, '.vscode-test', 'try');
const port = Number(process.env.PORT || 8080);
const useOpenAI = !!process.env.OPENAI_API_KEY;

const tools = resolveTools();
if (!tools.codeServerBin || !tools.node24Dir) {
  console.error('code-server is not installed yet: run `bash scripts/setup-test-host.sh` first.');
  process.exit(1);
}
const env = toolsEnv(tools);
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...opts });
  if (r.status !== 0) {
    process.stdout.write(r.stdout ?? '');
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status})`);
  }
  return r.stdout;
};

// 1. The VSIX, exactly what users install.
let vsix = process.env.PIXELWRIGHT_VSIX;
if (!vsix) {
  console.log('packaging the VSIX…');
  vsix = /vsix: (.+)$/m.exec(run(process.execPath, ['scripts/package.mjs']))?.[1]?.trim();
  if (!vsix) throw new Error('scripts/package.mjs did not say where the VSIX is');
}

// 2. A fresh profile with it installed.
fs.rmSync(dir, { recursive: true, force: true });
const ws = path.join(dir, 'workspace');
for (const d of ['extensions', 'user-data/User', 'workspace/.vscode']) fs.mkdirSync(path.join(dir, d), { recursive: true });
fs.writeFileSync(path.join(dir, 'user-data/User/settings.json'), JSON.stringify({ 'workbench.startupEditor': 'none', 'telemetry.telemetryLevel': 'off', 'chat.disableAIFeatures': true }, null, 2));
console.log('installing it into code-server…');
run(tools.codeServerBin, ['--install-extension', vsix, '--extensions-dir', path.join(dir, 'extensions'), '--user-data-dir', path.join(dir, 'user-data')], { env });

// 3. The fake Images API, unless a real key is at hand.
let fake;
const key = 'sk-test-key';
if (!useOpenAI) {
  if (!fs.existsSync(path.join(root, 'out/test/fake-openai/server.js'))) run('npx', ['tsc', '-p', 'tsconfig.test.json']);
  const { startFakeOpenAI } = await import(path.join(root, 'out/test/fake-openai/server.js'));
  fake = await startFakeOpenAI({ latencyMs: 1500 });
}
fs.writeFileSync(
  path.join(ws, '.vscode/settings.json'),
  JSON.stringify(useOpenAI ? { 'pixelwright.provider': 'openai' } : { 'pixelwright.provider': 'compatible', 'pixelwright.baseUrl': fake.url }, null, 2),
);
fs.writeFileSync(path.join(ws, 'README.md'), '# Pixelwright playground\n\nRun **Pixelwright: Generate Image…** from the Command Palette (F1).\n');

// 4. code-server on localhost.
const cs = spawn(
  tools.codeServerBin,
  ['--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override', '--extensions-dir', path.join(dir, 'extensions'), '--user-data-dir', path.join(dir, 'user-data'), ws],
  { env: { ...env, EXTENSIONS_GALLERY: '{}' }, detached: true, stdio: ['ignore', 'ignore', 'inherit'] },
);
const stop = () => {
  try {
    process.kill(-cs.pid, 'SIGTERM');
  } catch {}
  void fake?.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
cs.on('exit', (code) => {
  console.error(`code-server exited (${code})`);
  void fake?.close();
  process.exit(code ?? 1);
});

console.log(`
Pixelwright is ready: open http://127.0.0.1:${port}/?folder=${encodeURIComponent(ws)}
1. F1 -> "Pixelwright: Set API Key" and paste ${useOpenAI ? 'your key ($OPENAI_API_KEY)' : `the fake server's key: ${key}`}
2. F1 -> "Pixelwright: Generate Image…", type a prompt, press Enter through the choices.
The images land in images/generated/ in that workspace.${useOpenAI ? '' : `\n(Images come from the local fake Images API at ${fake.url}.)`}
Ctrl+C stops it.`);
