#!/usr/bin/env node
// UI test of Generate Assets' cancel, as a person does it: the packaged VSIX in a fresh
// code-server, driven in headless Chromium, against the fake Images API made slow (each request
// takes LATENCY_MS). A manifest of COUNT images; "Pixelwright: Generate Assets" from the palette,
// "Generate now" in its pick; once the first image is on disk, the progress notification's Cancel.
// Then: the cancel is said (with how many files were written), the files on disk are those, and
// no image arrives later (requests under way were aborted, none was started after).
//
//   node test/ui/assets.test.mjs            (packages the VSIX with scripts/package.mjs)
//   PIXELWRIGHT_VSIX=path.vsix node test/ui/assets.test.mjs
// Last line: `ui: N passing, N failing, N skipped`. Exit code 0 only when nothing failed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  check, fakeApiStep, QUICK_INPUT_BOX, QUICK_ROWS, root, runFromPalette, setApiKeyStep, sleep, UiRun, until, workbenchOnFakeApiStep,
} from './harness.mjs';

const runDir = path.join(root, '.vscode-test', 'ui-assets');
const COUNT = 8;
const LATENCY_MS = 2500;

const ui = new UiRun({ title: 'Generate Assets in code-server: cancelled from its progress notification', shots: 'assets', timeoutS: 600 });
const { ctx } = ui;
ctx.workspace = path.join(runDir, 'workspace');

const artDir = () => path.join(ctx.workspace, 'art');
const written = () => (fs.existsSync(artDir()) ? fs.readdirSync(artDir()).filter((f) => f.endsWith('.png')).sort() : []);
const imageRequests = () => ctx.fake.requests.filter((r) => r.path.endsWith('/images/generations')).length;

fakeApiStep(ui);
workbenchOnFakeApiStep(ui, {
  name: 'the VSIX installs and the workbench opens on a workspace with an asset manifest',
  dir: runDir,
  then: () => {
    const assets = Array.from({ length: COUNT }, (_, i) => ({ path: `art/item-${i + 1}.png`, prompt: `game item number ${i + 1}` }));
    fs.writeFileSync(
      path.join(ctx.workspace, 'pixelwright.assets.json'),
      JSON.stringify({ defaults: { model: 'gpt-image-1-mini', size: '1024x1024', quality: 'low', style: 'flat vector icon' }, assets }, null, 2),
    );
  },
});
setApiKeyStep(ui);

ui.step(`Generate Assets, "Generate now": ${COUNT} images start, each request slow`, async () => {
  ctx.fake.setLatency(LATENCY_MS);
  await runFromPalette(ctx.page, 'Pixelwright: Generate Assets');
  // the pick: "Generate now" or "Through the Batch API" (each label starts with an icon)
  await ctx.page.locator(QUICK_INPUT_BOX).waitFor({ state: 'visible', timeout: 15_000 });
  const now = ctx.page.locator(QUICK_ROWS).filter({ hasText: 'Generate now' }).first();
  await now.waitFor({ state: 'visible', timeout: 15_000 });
  await now.click();
  await ctx.page.locator('.notification-toast', { hasText: 'generating assets' }).first().waitFor({ state: 'visible', timeout: 30_000 });
  await until('the first image on disk', async () => written().length >= 1, 60_000, 100);
});

ui.step('Cancel on the progress notification stops the run: said with the count, no image arrives after', async () => {
  const toast = ctx.page.locator('.notification-toast', { hasText: 'generating assets' }).first();
  await toast.hover();
  await toast.getByRole('button', { name: 'Cancel' }).click();
  const said = ctx.page.locator('.notification-toast', { hasText: 'asset generation cancelled' }).first();
  await said.waitFor({ state: 'visible', timeout: 30_000 });
  const text = await said.textContent();
  const n = Number(/cancelled; (\d+) files? (?:was|were) written/.exec(text ?? '')?.[1]);
  await ui.screenshot('cancelled');
  const onDisk = written();
  check(Number.isInteger(n) && n >= 1 && n < COUNT, `the notice says how many were written (1 to ${COUNT - 1}): "${text}"`);
  check(onDisk.length === n, `${onDisk.length} images on disk (${onDisk.join(', ')}), the notice says ${n}`);
  const sent = imageRequests();
  check(sent < COUNT, `${sent} of ${COUNT} image requests were sent: the rest never started`);
  // every request under way would have answered by now
  await sleep(LATENCY_MS * 2);
  check(written().length === n, `no image arrived after the cancel: ${written().length} on disk, ${n} before`);
  check(imageRequests() === sent, `no request was sent after the cancel (${imageRequests()} now, ${sent} then)`);
});

process.exit(await ui.run());
