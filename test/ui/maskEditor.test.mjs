#!/usr/bin/env node
// UI test of the mask editor as a person uses it: the packaged linux-x64 VSIX installed into a
// fresh code-server, driven in headless Chromium with real pointer and key events. It opens the
// editor from the palette and from the Explorer's context menu, paints at known image pixels,
// uses undo/redo/invert/brush keys, runs gpt-image-1.5 and dall-e-2 edits against the fake
// Images API, and checks the mask the API received pixel by pixel; then keeps a result and uses
// one as the next input.
//
//   node test/ui/maskEditor.test.mjs            (packages the VSIX with scripts/package.mjs)
//   PIXELWRIGHT_VSIX=path.vsix node test/ui/maskEditor.test.mjs   (uses that VSIX)
//
// Needs the tools from scripts/setup-test-host.sh and `npm run compile-tests` (for the fake
// OpenAI server in out/test/fake-openai). Screenshots go to .vscode-test/screenshots/mask-*.png.
// Steps run in order; when one fails the rest of the flow is skipped (and counted as skipped).
// Last line: `ui: N passing, N failing, N skipped`. Exit code 0 only when nothing failed.
// env: PIXELWRIGHT_UI_TIMEOUT (seconds for the whole run, default 600), VERBOSE=1 (code-server log).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import {
  check, closeAllEditors as closeAllEditorsIn, editorFrame, fakeApiSettings, freshDir, installVsix, launchChromium, openWorkbench, pickQuickItem, QUICK_INPUT_BOX, resolveVsix, root, runFromPalette, setApiKey, sleep, startCodeServer, startFakeOpenAI, UiRun, uiTools, until, waitForEditor as waitForEditorIn, writeUserSettings, writeWorkspace,
  dragThrough,
} from './harness.mjs';

const require = createRequire(import.meta.url);
const runDir = path.join(root, '.vscode-test', 'ui-mask');
const API_KEY = 'sk-test-key';
const PHOTO = { name: 'photo.png', width: 640, height: 480 };
const TALL = { name: 'tall.png', width: 300, height: 500 };

const ui = new UiRun({ title: 'the mask editor in code-server, driven in Chromium', shots: 'mask', timeoutS: 600 });
const { ctx } = ui;
const step = (name, fn) => ui.step(name, fn);
const screenshot = (name) => ui.screenshot(name);

// --- the webview -------------------------------------------------------------------------------
/** The mask editor's document: two frames deep (the workbench's webview host, then our page). */
const editor = () => editorFrame(ctx.page);
const waitForEditor = (title) => waitForEditorIn(ctx.page, title);
const closeAllEditors = () => closeAllEditorsIn(ctx.page);

async function painted(ed = editor()) {
  return Number(await ed.locator('.app').getAttribute('data-painted'));
}

/**
 * Where image pixels are on the page: after "fit", the mask canvas' box is the image's displayed
 * rectangle (the canvas is at natural size, scaled by the view's CSS transform).
 */
async function imageToPage(ed, natural) {
  await ed.getByRole('button', { name: 'Fit to view' }).click();
  await sleep(150);
  const box = await ed.locator('canvas.mask').boundingBox();
  check(box, 'the mask canvas has no box');
  const scale = box.width / natural.width;
  check(Math.abs(box.height / natural.height - scale) < 0.01, `canvas box ${box.width}x${box.height} does not keep the ${natural.width}x${natural.height} aspect`);
  return { scale, at: (x, y) => [box.x + x * scale, box.y + y * scale] };
}

/** A stroke through image points, as real mouse events with several moves between points. */
async function stroke(map, points) {
  await dragThrough(ctx.page, map.at, points, { steps: 6, settle: 100 });
}

/** Area (px) of a round-capped line of `d` px from a to b. */
function capsuleArea(a, b, d) {
  return Math.hypot(b[0] - a[0], b[1] - a[1]) * d + Math.PI * (d / 2) ** 2;
}

async function edits() {
  const all = await (await fetch(`${ctx.fake.origin}/_fake/requests`)).json();
  return all.filter((r) => r.method === 'POST' && r.path.endsWith('/images/edits'));
}

/** The alpha channel of a PNG sent to the fake, with its size. */
async function alphaOf(file) {
  const sharp = require('sharp');
  const { data, info } = await sharp(Buffer.from(file.base64, 'base64')).ensureAlpha().extractChannel(3).raw().toBuffer({ resolveWithObject: true });
  const at = (x, y) => data[Math.round(y) * info.width + Math.round(x)];
  let zero = 0;
  let other = 0;
  for (const a of data) { if (a === 0) zero++; else if (a !== 255) other++; }
  return { width: info.width, height: info.height, at, zero, other };
}

// ---------------------------------------------------------------------------------------------
step('the tools are installed', async () => {
  Object.assign(ctx, uiTools());
  freshDir(runDir);
});

step('the linux-x64 VSIX is packaged and verified', async () => {
  ctx.vsix = resolveVsix({ out: runDir, env: ctx.env });
});

step('the VSIX carries the mask editor (webview bundle and stylesheet)', async () => {
  const r = spawnSync('unzip', ['-l', ctx.vsix], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`unzip -l failed: ${r.stderr}`);
  for (const f of ['extension/dist/webview/edit.js', 'extension/media/edit.css']) check(r.stdout.includes(f), `${f} is not in ${path.basename(ctx.vsix)}`);
});

step('code-server installs the VSIX into a fresh extensions dir', async () => {
  ctx.extensionsDir = path.join(runDir, 'extensions');
  ctx.userDataDir = path.join(runDir, 'user-data');
  installVsix({ codeServerBin: ctx.tools.codeServerBin, env: ctx.env, vsix: ctx.vsix,
    extensionsDir: ctx.extensionsDir, userDataDir: ctx.userDataDir });
});

step('the fake OpenAI server starts', async () => {
  ctx.fake = await startFakeOpenAI();
  ui.defer(() => ctx.fake.close());
});

step(`a workspace with test images (${PHOTO.name} ${PHOTO.width}x${PHOTO.height} RGB, ${TALL.name} ${TALL.width}x${TALL.height})`, async () => {
  const sharp = require('sharp');
  ctx.workspace = writeWorkspace(path.join(runDir, 'workspace'), fakeApiSettings(ctx.fake));
  // a gradient with a checker, so that a screenshot shows where the mask lies
  const picture = (w, h, hue) => {
    const raw = Buffer.alloc(w * h * 3);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const o = (y * w + x) * 3;
        const check = ((x >> 5) + (y >> 5)) % 2 ? 28 : 0;
        raw[o] = Math.round((x / w) * 200) + check;
        raw[o + 1] = Math.round((y / h) * 180) + check;
        raw[o + 2] = hue + check;
      }
    }
    return sharp(raw, { raw: { width: w, height: h, channels: 3 } }).png();
  };
  await picture(PHOTO.width, PHOTO.height, 150).toFile(path.join(ctx.workspace, PHOTO.name));
  await picture(TALL.width, TALL.height, 60).toFile(path.join(ctx.workspace, TALL.name));
  const meta = await sharp(path.join(ctx.workspace, PHOTO.name)).metadata();
  check(meta.channels === 3 && !meta.hasAlpha, `${PHOTO.name} should be RGB without alpha`);
});

step('code-server starts with a fresh profile (dark theme)', async () => {
  writeUserSettings(ctx.userDataDir, {
    'workbench.colorTheme': 'Dark Modern', // VS Code 1.139's id (older releases: "Default Dark Modern")
    'window.commandCenter': false,
    'workbench.layoutControl.enabled': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
  });
  ctx.logFile = path.join(runDir, 'code-server.log');
  const cs = await startCodeServer({ codeServerBin: ctx.tools.codeServerBin, env: ctx.env, dir: runDir,
    userDataDir: ctx.userDataDir, extensionsDir: ctx.extensionsDir, logFile: ctx.logFile, defer: (f) => ui.defer(f) });
  ctx.base = cs.url;
});

step('the workbench opens in Chromium', async () => {
  const { browser, page } = await launchChromium({ chromium: ctx.tools.chromium, viewport: { width: 1440, height: 900 } });
  ui.defer(() => browser.close());
  ctx.page = page;
  await openWorkbench(page, { url: ctx.base, workspace: ctx.workspace, ready: '.monaco-workbench .part.sidebar' });
});

step('Set API Key (palette, password box)', async () => {
  await setApiKey(ctx.page, API_KEY);
});

step(`palette "Pixelwright: Edit Image with Mask…" offers the workspace's images; picking ${PHOTO.name} opens the editor`, async () => {
  const { page } = ctx;
  await runFromPalette(page, 'Pixelwright: Edit Image with Mask…');
  await pickQuickItem(page, PHOTO.name);
  const ed = await waitForEditor(`Edit: ${PHOTO.name}`);
  const tab = await page.locator('.tabs-container .tab.active').getAttribute('aria-label');
  check(tab?.includes(`Edit: ${PHOTO.name}`), `the active tab is ${tab}`);
  const natural = await ed.locator('img.source').evaluate((img) => [img.naturalWidth, img.naturalHeight]);
  check(natural[0] === PHOTO.width && natural[1] === PHOTO.height, `the image shows at ${natural}`);
  const canvas = await ed.locator('canvas.mask').evaluate((c) => [c.width, c.height, c.getAttribute('role'), c.getAttribute('aria-label')]);
  check(canvas[0] === PHOTO.width && canvas[1] === PHOTO.height, `the mask canvas is ${canvas[0]}x${canvas[1]}, not the image's natural size`);
  check(canvas[2] === 'img' && canvas[3], 'the mask canvas needs role="img" and an aria-label');
  ctx.ed = ed;
  await screenshot('opened-dark');
});

step('a stroke paints; Ctrl+Z takes it away; Ctrl+Shift+Z and Ctrl+Y bring strokes back', async () => {
  const { page, ed } = ctx;
  const map = await imageToPage(ed, PHOTO);
  ctx.map = map;
  console.log(`    displayed at ${(map.scale * 100).toFixed(1)}% after Fit`);
  check(await painted(ed) === 0, 'the mask starts empty');
  ctx.strokeA = { from: [100, 100], to: [300, 100], size: Number((await ed.locator('#brush-size').inputValue())) };
  await stroke(map, [ctx.strokeA.from, ctx.strokeA.to]);
  const a = await painted(ed);
  const expectA = capsuleArea(ctx.strokeA.from, ctx.strokeA.to, ctx.strokeA.size);
  console.log(`    stroke A (${ctx.strokeA.size} px brush): ${a} px painted, ~${Math.round(expectA)} expected`);
  check(Math.abs(a - expectA) / expectA < 0.08, `stroke A painted ${a} px, expected about ${Math.round(expectA)}`);
  await page.keyboard.press('Control+z');
  await until('undo to clear the stroke', async () => (await painted(ed)) === 0, 3000, 100);
  await page.keyboard.press('Control+Shift+z');
  await until('redo to restore it', async () => (await painted(ed)) === a, 3000, 100);
  ctx.strokeC = { from: [100, 400], to: [250, 400] };
  await stroke(map, [ctx.strokeC.from, ctx.strokeC.to]);
  const ac = await painted(ed);
  check(ac > a * 1.4, `stroke C added too little (${ac} vs ${a})`);
  await page.keyboard.press('Control+z');
  await until('undo to remove stroke C', async () => (await painted(ed)) === a, 3000, 100);
  await page.keyboard.press('Control+y');
  await until('Ctrl+Y to redo stroke C', async () => (await painted(ed)) === ac, 3000, 100);
  await page.keyboard.press('Control+z');
  await until('stroke C gone again', async () => (await painted(ed)) === a, 3000, 100);
  const buttons = await ed.getByRole('button', { name: 'Redo' }).isEnabled();
  check(buttons, 'the Redo button is enabled after an undo');
  ctx.paintedA = a;
});

step('invert flips the mask (and inverts back); [ and ] change the brush size', async () => {
  const { page, ed } = ctx;
  const total = PHOTO.width * PHOTO.height;
  await page.keyboard.press('i');
  const inv = await until('the inverted count', async () => { const n = await painted(ed); return n !== ctx.paintedA ? n : 0; }, 3000, 100);
  console.log(`    inverted: ${inv} of ${total} px painted`);
  check(Math.abs(inv - (total - ctx.paintedA)) <= total * 0.002, `inverted ${inv}, expected about ${total - ctx.paintedA}`);
  await ed.getByRole('button', { name: 'Invert mask' }).click();
  await until('inverting back', async () => (await painted(ed)) === ctx.paintedA, 3000, 100);
  const sizeOf = async () => Number(await ed.locator('#brush-size').inputValue());
  const s0 = await sizeOf();
  await page.keyboard.press(']');
  await page.keyboard.press(']');
  const s2 = await sizeOf();
  await page.keyboard.press('[');
  const s1 = await sizeOf();
  console.log(`    brush: ${s0} -> ] ] -> ${s2} -> [ -> ${s1} px`);
  check(s2 > s0 && s1 < s2 && s1 > s0, `[ and ] did not change the size as expected (${s0}, ${s2}, ${s1})`);
  check((await ed.locator('.size-out').textContent()) === `${s1} px`, 'the size readout follows');
  ctx.strokeB = { from: [500, 150], to: [500, 350], size: s1 };
  await stroke(ctx.map, [ctx.strokeB.from, ctx.strokeB.to]);
  ctx.paintedAB = await painted(ed);
  await page.mouse.move(...ctx.map.at(420, 300));
  await screenshot('painted-dark');
});

step('wheel zooms about the pointer, space+drag pans, 0 fits again', async () => {
  const { page, ed } = ctx;
  const zoomText = async () => (await ed.locator('.zoom-out').textContent()).trim();
  const before = await zoomText();
  const box0 = await ed.locator('canvas.mask').boundingBox();
  const at = [box0.x + 320 * (box0.width / PHOTO.width), box0.y + 240 * (box0.height / PHOTO.height)];
  await page.mouse.move(...at);
  await page.mouse.wheel(0, -300);
  await until('the zoom to change', async () => (await zoomText()) !== before, 3000, 100);
  const boxZoomed = await ed.locator('canvas.mask').boundingBox();
  // the image point under the pointer stays under it
  const ix = (at[0] - boxZoomed.x) / (boxZoomed.width / PHOTO.width);
  const iy = (at[1] - boxZoomed.y) / (boxZoomed.height / PHOTO.height);
  check(Math.abs(ix - 320) < 2 && Math.abs(iy - 240) < 2, `zoom moved the point under the pointer to ${ix.toFixed(1)},${iy.toFixed(1)}`);
  await page.keyboard.down(' ');
  await page.mouse.down();
  await page.mouse.move(at[0] + 80, at[1] + 40, { steps: 5 });
  await page.mouse.up();
  await page.keyboard.up(' ');
  const boxPanned = await ed.locator('canvas.mask').boundingBox();
  check(Math.abs(boxPanned.x - boxZoomed.x - 80) < 2 && Math.abs(boxPanned.y - boxZoomed.y - 40) < 2, `space+drag panned by ${boxPanned.x - boxZoomed.x},${boxPanned.y - boxZoomed.y}`);
  check(await painted(ed) === ctx.paintedAB, 'panning painted something');
  console.log(`    zoom ${before} -> ${await zoomText()}, panned 80,40`);
  await page.keyboard.press('0');
  await sleep(150);
  const fitted = await ed.locator('canvas.mask').boundingBox();
  check(Math.abs(fitted.width - box0.width) < 1 && Math.abs(fitted.x - box0.x) < 1, `key 0 fits again (${fitted.width} vs ${box0.width})`);
});

step('gpt-image-1.5 edit: prompt, options, Run; the API receives the image and a mask of its size', async () => {
  const { page, ed } = ctx;
  await ed.locator('#opt-model').selectOption('gpt-image-1.5');
  await ed.locator('#opt-n').selectOption('2');
  check(await ed.locator('#keep-unmasked').isChecked(), '"Keep unmasked pixels" is on by default for GPT image models');
  check(await ed.getByRole('button', { name: 'Add reference image…' }).isVisible(), 'GPT image models offer reference images');
  await ed.locator('#prompt').click();
  await page.keyboard.type('the same street, with a red kite flying in the painted area', { delay: 2 });
  const before = (await edits()).length;
  await page.keyboard.press('Control+Enter');
  await until('the results', async () => (await ed.locator('li.result').count()) === 2, 60_000, 300);
  const reqs = (await edits()).slice(before);
  check(reqs.length >= 1, 'the fake API saw no /images/edits request');
  const req = reqs[reqs.length - 1];
  check(req.status === 200, `the edit request got ${req.status}`);
  check(req.fields.model === 'gpt-image-1.5', `model ${req.fields.model}`);
  const image = req.files.find((f) => f.field === 'image' || f.field === 'image[]');
  const mask = req.files.find((f) => f.field === 'mask');
  check(image && mask, `files sent: ${req.files.map((f) => f.field).join(', ')}`);
  ctx.gptMask = { image, mask };
  console.log(`    sent: ${req.files.map((f) => `${f.field} ${f.filename} ${f.size} B`).join(', ')}; prompt "${req.fields.prompt}"`);
});

step('the gpt-image-1.5 mask: same size as the image, alpha 0 under the strokes, 255 elsewhere, area as painted', async () => {
  const sharp = require('sharp');
  const { image, mask } = ctx.gptMask;
  const im = await sharp(Buffer.from(image.base64, 'base64')).metadata();
  const m = await alphaOf(mask);
  check(m.width === im.width && m.height === im.height, `mask ${m.width}x${m.height} vs image ${im.width}x${im.height}`);
  check(m.width === PHOTO.width && m.height === PHOTO.height, `mask ${m.width}x${m.height}, image ${PHOTO.width}x${PHOTO.height}`);
  const { strokeA: A, strokeB: B, strokeC: C } = ctx;
  for (const [x, y, what] of [[...A.from, 'A start'], [200, 100, 'A middle'], [...A.to, 'A end'], [500, 250, 'B middle'], [...B.from, 'B start'], [200, 100 + A.size / 2 - 3, 'inside A near its edge']]) {
    check(m.at(x, y) === 0, `alpha at ${what} (${x},${y}) is ${m.at(x, y)}, expected 0 (edit here)`);
  }
  for (const [x, y, what] of [[5, 5, 'top left'], [635, 475, 'bottom right'], [200, 100 + A.size / 2 + 4, 'just outside A'], [400, 300, 'between the strokes'], [175, 400, 'undone stroke C'], [500, 350 + B.size / 2 + 4, 'below B']]) {
    check(m.at(x, y) === 255, `alpha at ${what} (${x},${y}) is ${m.at(x, y)}, expected 255 (keep)`);
  }
  check(m.other === 0, `${m.other} pixels have alpha other than 0 and 255`);
  const expected = capsuleArea(A.from, A.to, A.size) + capsuleArea(B.from, B.to, B.size);
  console.log(`    mask ${m.width}x${m.height}: ${m.zero} px alpha 0 (painted in the editor: ${ctx.paintedAB}; geometric ${Math.round(expected)}), ${m.width * m.height - m.zero} px alpha 255`);
  check(Math.abs(m.zero - expected) / expected < 0.08, `alpha-0 area ${m.zero} px, expected about ${Math.round(expected)}`);
  check(Math.abs(m.zero - ctx.paintedAB) / ctx.paintedAB < 0.02, `alpha-0 area ${m.zero} px, the editor painted ${ctx.paintedAB}`);
});

step('results appear beside the original; one compares large (swipe and side by side)', async () => {
  const { ed } = ctx;
  const thumbs = await ed.locator('li.result img').evaluateAll((imgs) => imgs.map((i) => [i.src.slice(0, 5), i.naturalWidth, i.naturalHeight]));
  check(thumbs.every(([s, w]) => s === 'blob:' && w > 0), `result thumbnails: ${JSON.stringify(thumbs)}`);
  console.log(`    results: ${thumbs.map(([, w, h]) => `${w}x${h}`).join(', ')}`);
  await ed.locator('li.result button.thumb').first().click();
  await ed.locator('.compare .swipe-frame').waitFor({ state: 'visible', timeout: 5000 });
  await sleep(300);
  await screenshot('compare-dark');
  await ed.locator('label[for="compare-side"]').click();
  await ed.locator('.compare-body.side-by-side img').first().waitFor({ state: 'visible', timeout: 5000 });
  await ctx.page.keyboard.press('Escape');
  await until('compare to close', async () => !(await ed.locator('.compare').isVisible()), 3000, 100);
});

step('Keep saves a result into the workspace and shows where', async () => {
  const { ed } = ctx;
  const card = ed.locator('li.result').first();
  await card.getByRole('button', { name: /^Keep/ }).click();
  const status = await until('the saved path', async () => { const t = await card.locator('.result-status').textContent(); return /Saved as/.test(t) ? t : ''; }, 30_000, 200);
  const rel = status.replace(/^Saved as\s*/, '').trim();
  const file = path.join(ctx.workspace, rel);
  check(fs.existsSync(file), `${rel} is not in the workspace`);
  const meta = await require('sharp')(file).metadata();
  console.log(`    kept: ${rel} (${meta.width}x${meta.height} ${meta.format})`);
  check(meta.width === PHOTO.width && meta.height === PHOTO.height, 'a kept "keep unmasked" result has the original size');
  ctx.kept = rel;
});

step('"Developer: Reload Webviews": the editor says ready again and gets its image, results and UI state back', async () => {
  const { ed } = ctx;
  const size = await ed.locator('#brush-size').inputValue();
  const prompt = await ed.locator('#prompt').inputValue();
  await ed.locator('.app').evaluate((el) => { el.dataset.marker = 'before-reload'; });
  await runFromPalette(ctx.page, 'Developer: Reload Webviews');
  await until('a fresh page', async () => (await ed.locator('.app').getAttribute('data-marker').catch(() => 'before-reload')) === null, 20_000, 200);
  await waitForEditor(`Edit: ${PHOTO.name}`);
  await until('the held results', async () => (await ed.locator('li.result').count()) === 2, 10_000, 200);
  check((await ed.locator('#brush-size').inputValue()) === size, 'the brush size comes back from setState');
  check((await ed.locator('#prompt').inputValue()) === prompt, 'the draft prompt comes back from setState');
  console.log(`    after reload: 2 results re-sent, brush ${size} px and the draft prompt restored`);
});

step('Use as input: the editor starts over on the result', async () => {
  const { ed } = ctx;
  const card = ed.locator('li.result').nth(1);
  await card.getByRole('button', { name: /^Use .* as input$/ }).click();
  const title = await until('the editor to switch image', async () => { const t = await ed.locator('h1.title').textContent(); return t !== `Edit: ${PHOTO.name}` ? t : ''; }, 30_000, 200);
  const name = title.replace(/^Edit: /, '');
  check(fs.readdirSync(path.join(ctx.workspace, 'images', 'generated')).includes(name), `${name} is not in images/generated`);
  await until('the new image to load', () => ed.locator('img.source').evaluate((img) => img.complete && img.naturalWidth > 0 && img.src.includes(encodeURIComponent(name).replace(/%20/g, '%20'))), 10_000).catch(async () => {
    const src = await ed.locator('img.source').getAttribute('src');
    throw new Error(`the image shown is ${src}`);
  });
  check(await painted(ed) === 0, 'the mask is cleared for the new image');
  check(!(await ed.getByRole('button', { name: 'Undo' }).isEnabled()), 'nothing to undo on the new image');
  const tab = await ctx.page.locator('.tabs-container .tab.active').getAttribute('aria-label');
  check(tab?.includes(name), `the tab says ${tab}`);
  console.log(`    now editing ${name}`);
  await sleep(300);
  await screenshot('use-as-input-dark');
});

step('the light theme: close the editor; "Preferences: Color Theme" -> Light Modern (workbench.colorTheme in the user settings)', async () => {
  const { page } = ctx;
  await closeAllEditors();
  await runFromPalette(page, 'Preferences: Color Theme');
  await page.locator(QUICK_INPUT_BOX).waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.type('Light Modern', { delay: 10 });
  await sleep(400);
  await page.keyboard.press('Enter');
  await until('the light theme', () => page.locator('.monaco-workbench.vs').count(), 15_000);
  const settings = await until('the user setting', () => {
    const text = fs.readFileSync(path.join(ctx.userDataDir, 'User', 'settings.json'), 'utf8');
    return /"workbench\.colorTheme":\s*"(Default )?Light Modern"/.exec(text)?.[0];
  }, 10_000).catch(() => undefined);
  check(settings, 'the theme was not written to the user settings');
  console.log(`    user settings: ${settings}`);
});

step(`Explorer: right-click ${TALL.name} -> "Edit Image with Mask…" opens the editor`, async () => {
  const { page } = ctx;
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: TALL.name });
  await row.waitFor({ state: 'visible', timeout: 15_000 });
  await row.click({ button: 'right' });
  const item = page.locator('.monaco-menu .action-item .action-label', { hasText: 'Edit Image with Mask' });
  await item.first().waitFor({ state: 'visible', timeout: 10_000 });
  await item.first().hover();
  await sleep(400); // the menu fades in
  await screenshot('explorer-menu-light');
  await item.first().click();
  ctx.ed = await waitForEditor(`Edit: ${TALL.name}`);
});

step(`dall-e-2 on the ${TALL.width}x${TALL.height} image (pad): a stroke, Run`, async () => {
  const { page, ed } = ctx;
  await ed.locator('#opt-model').selectOption('dall-e-2');
  await ed.locator('#square-pad').check();
  check(!(await ed.locator('#keep-unmasked').isVisible()), 'dall-e-2 offers no "Keep unmasked pixels"');
  check(!(await ed.locator('#opt-quality').isVisible()), 'dall-e-2 offers no quality');
  await ed.locator('#opt-n').selectOption('1');
  await sleep(200); // the fit follows the padded square
  const map = await imageToPage(ed, TALL);
  const size = Number(await ed.locator('#brush-size').inputValue());
  ctx.strokeD = { from: [150, 100], to: [150, 300], size };
  await stroke(map, [ctx.strokeD.from, ctx.strokeD.to]);
  ctx.paintedD = await painted(ed);
  await page.mouse.move(...map.at(240, 420));
  await screenshot('painted-light');
  await ed.locator('#prompt').fill('a lighthouse on the hill');
  const before = (await edits()).length;
  await ed.getByRole('button', { name: 'Edit', exact: true }).click();
  await until('the result', async () => (await ed.locator('li.result').count()) === 1, 60_000, 300);
  const req = (await edits()).slice(before).pop();
  check(req?.status === 200, `the edit request got ${req?.status}: ${JSON.stringify(req?.fields)}`);
  check(req.fields.model === 'dall-e-2', `model ${req.fields.model}`);
  ctx.dalle = { image: req.files.find((f) => f.field === 'image'), mask: req.files.find((f) => f.field === 'mask') };
  check(ctx.dalle.image && ctx.dalle.mask, `files sent: ${req.files.map((f) => f.field).join(', ')}`);
  await sleep(300);
  await screenshot('result-light');
});

step('the dall-e-2 mask: square, the stroke at its padded position, the padding kept (255)', async () => {
  const sharp = require('sharp');
  const im = await sharp(Buffer.from(ctx.dalle.image.base64, 'base64')).metadata();
  const m = await alphaOf(ctx.dalle.mask);
  check(m.width === m.height, `the mask is ${m.width}x${m.height}, not square`);
  check(im.width === m.width && im.height === m.height, `image ${im.width}x${im.height} vs mask ${m.width}x${m.height}`);
  const S = Math.max(TALL.width, TALL.height);
  const k = m.width / S; // 1 when the square is sent as it is (<= 1024)
  const left = Math.floor((S - TALL.width) / 2);
  const top = Math.floor((S - TALL.height) / 2);
  const P = (x, y) => [(x + left) * k, (y + top) * k];
  const D = ctx.strokeD;
  for (const [x, y, what] of [[150, 200, 'D middle'], [...D.from, 'D start'], [...D.to, 'D end']]) {
    const [px, py] = P(x, y);
    check(m.at(px, py) === 0, `alpha at ${what} (image ${x},${y} -> mask ${px},${py}) is ${m.at(px, py)}, expected 0`);
  }
  for (const [px, py, what] of [[10, 250, 'left padding'], [m.width - 10, 250, 'right padding'], [(left - 3) * k, 200 * k, 'padding next to the image'], [...P(30, 200), 'image, unpainted'], [...P(150, 300 + D.size / 2 + 4), 'below D']]) {
    check(m.at(px, py) === 255, `alpha at ${what} (${px},${py}) is ${m.at(px, py)}, expected 255`);
  }
  check(m.other === 0, `${m.other} pixels have alpha other than 0 and 255`);
  const expected = capsuleArea(D.from, D.to, D.size) * k * k;
  console.log(`    mask ${m.width}x${m.height} (image ${TALL.width}x${TALL.height} padded by ${left} px each side, scale ${k}): ${m.zero} px alpha 0 (editor: ${ctx.paintedD}; geometric ${Math.round(expected)})`);
  check(Math.abs(m.zero - expected) / expected < 0.08, `alpha-0 area ${m.zero}, expected about ${Math.round(expected)}`);
});

step('keyboard help lists the shortcuts (light theme)', async () => {
  const { ed } = ctx;
  await ed.getByRole('button', { name: 'Keyboard shortcuts' }).hover();
  await ed.locator('#shortcuts').waitFor({ state: 'visible', timeout: 3000 });
  const text = await ed.locator('#shortcuts').textContent();
  for (const k of ['Undo', 'Redo', 'Fit to view', 'Smaller / larger brush']) check(text.includes(k), `the help lacks "${k}"`);
  await screenshot('help-light');
});

step('"Create Variations…" from the palette: view only (no mask tools), dall-e-2 without a prompt, no mask sent', async () => {
  const { page } = ctx;
  await closeAllEditors();
  await runFromPalette(page, 'Pixelwright: Create Variations…');
  await pickQuickItem(page, PHOTO.name);
  const ed = await waitForEditor(`Variations: ${PHOTO.name}`);
  check(!(await ed.getByRole('button', { name: 'Brush' }).count()), 'a variation has no brush');
  check(!(await ed.locator('.viewport.paintable').count()), 'a variation cannot be painted');
  await ed.locator('#opt-model').selectOption('dall-e-2');
  check(await ed.locator('#prompt').isDisabled(), 'dall-e-2 variations take no prompt');
  const all = async () => (await (await fetch(`${ctx.fake.origin}/_fake/requests`)).json()).filter((r) => r.method === 'POST' && r.path.endsWith('/images/variations'));
  const before = (await all()).length;
  await ed.getByRole('button', { name: 'Create variations', exact: true }).click();
  await until('the variation', async () => (await ed.locator('li.result').count()) >= 1, 60_000, 300);
  const req = (await all()).slice(before).pop();
  check(req?.status === 200, `the variation request got ${req?.status}`);
  check(!req.files.some((f) => f.field === 'mask'), 'a variation sends no mask');
  console.log(`    sent to /images/variations: ${req.files.map((f) => `${f.field} ${f.filename}`).join(', ')}, model ${req.fields.model ?? '(default)'}`);
  await sleep(300);
  await screenshot('variations-light');
});

process.exitCode = await ui.run();
