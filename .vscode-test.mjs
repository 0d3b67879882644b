// @vscode/test-cli config for the extension-host suite (test/host, compiled to out/test/host).
// VS Code cannot be downloaded here, so `useInstallation.fromPath` points at our stand-in
// executable, scripts/vscode-shim.cjs, which runs the suite in code-server's extension host
// driven by headless Chromium. It needs CODE_SERVER_BIN and NODE24_DIR in the environment:
// run it through `node scripts/run-host-tests.mjs` (or `npm run test:host`), which sets them.
//
// Every run starts from a fresh workspace, user-data dir and extensions dir under .vscode-test/.
import { defineConfig } from '@vscode/test-cli';
import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const root = fileURLToPath(new URL('.', import.meta.url));
const runDir = join(root, '.vscode-test', 'host');
const workspace = process.env.PIXELWRIGHT_TEST_WORKSPACE || join(root, '.vscode-test', 'workspace');

for (const dir of [workspace, join(runDir, 'user-data'), join(runDir, 'extensions')]) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
}

export default defineConfig({
  label: 'host',
  files: 'out/test/host/**/*.test.js',
  useInstallation: { fromPath: join(root, 'scripts', 'vscode-shim.cjs') },
  workspaceFolder: workspace,
  launchArgs: [`--user-data-dir=${join(runDir, 'user-data')}`, `--extensions-dir=${join(runDir, 'extensions')}`],
  mocha: { ui: 'tdd', timeout: 60_000, color: false },
});
