#!/usr/bin/env node
// UI test of the mask editor's Guide layer (GPT Image 2.5 `markup`) as a person uses it: the
// packaged linux-x64 VSIX in a fresh code-server, driven in headless Chromium with real pointer
// and key events, against the fake Images API. The image is a phone photo stored sideways with
// EXIF orientation 6, so "the image's size" means its displayed (oriented) size.
// - On gpt-image-2 the Guide layer says the model takes a mask, refuses to run, and offers the
//   2.5 model; switching picks it.
// - A mask stroke is painted, then a pen stroke, an arrow and a box are drawn on the guide in
//   three colours; undo/redo work on the guide.
// - Edit: the fake server receives the image and a guide (`markup`), no mask; the guide is a PNG
//   of the oriented size with alpha 0 everywhere except under the drawn strokes, and the drawn
//   pixels' count is what the editor counted.
// - The kept result's recipe says a guide was used.
//
//   node test/ui/guide.test.mjs            (packages the VSIX with scripts/package.mjs)
//   PIXELWRIGHT_VSIX=path.vsix node test/ui/guide.test.mjs
// Needs the tools from scripts/setup-test-host.sh and `npm run compile-tests` (the fake server and
// the recipe reader in out/). Last line: `ui: N passing, N failing, N skipped`.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import {
  check, editorFrame, fakeApiSettings, launchWorkbench, pickQuickItem, root, runFromPalette, setApiKey, sleep, startFakeOpenAI, UiRun, until, waitForEditor as waitForEditorIn,
  dragThrough,
} from './harness.mjs';

const require = createRequire(import.meta.url);
const runDir = path.join(root, '.vscode-test', 'ui-guide');
const API_KEY = 'sk-test-key';
/** Stored 480x320 with EXIF orientation 6: shown (and sent) as 320x480. */
const PHOTO = { name: 'phone.jpg', width: 320, height: 480 };
const GUIDE_MODEL = 'gpt-image-2.5-sunburst';

const ui = new UiRun({ title: 'the Guide layer (markup) in code-server, driven in Chromium', shots: 'guide', timeoutS: 600 });
const { ctx } = ui;
const step = (name, fn) => ui.step(name, fn);

const editor = () => editorFrame(ctx.page);
const edits = async () => (await (await fetch(`${ctx.fake.origin}/_fake/requests`)).json()).filter((r) => r.method === 'POST' && r.path.endsWith('/images/edits'));
const dataNumber = async (name) => Number(await editor().locator('.app').getAttribute(`data-${name}`));

/** Image pixels to page coordinates, from the shown image's box after "Fit to view". */
async function imageToPage(ed) {
  await ed.getByRole('button', { name: 'Fit to view' }).click();
  await sleep(150);
  const box = await ed.locator('img.source').boundingBox();
  check(box, 'the image has no box');
  const scale = box.width / PHOTO.width;
  check(Math.abs(box.height / PHOTO.height - scale) < 0.01, `the image box ${box.width}x${box.height} does not keep the ${PHOTO.width}x${PHOTO.height} aspect`);
  return { scale, at: (x, y) => [box.x + x * scale, box.y + y * scale] };
}

/** A gesture through image points, as real mouse events with several moves between points. */
async function drag(points) {
  // Where the image is on the page, measured now: the options' note and the error line above the
  // canvas change height as the model changes, and the canvas moves with them.
  ctx.map = await imageToPage(ctx.ed);
  await dragThrough(ctx.page, ctx.map.at, points, { steps: 8, settle: 120 });
}

/** Distance from p to the segment a-b. */
function toSegment(p, a, b) {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const t = Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy);
}

// ---------------------------------------------------------------------------------------------
step('the fake Images API starts', async () => {
  ctx.fake = await startFakeOpenAI();
  ui.defer(() => ctx.fake.close());
});

step(`the VSIX installs into a fresh code-server; the workspace has ${PHOTO.name} (stored 480x320, EXIF orientation 6)`, async () => {
  Object.assign(ctx, await launchWorkbench({
    dir: runDir,
    workspaceSettings: fakeApiSettings(ctx.fake),
    userSettings: { 'workbench.colorTheme': 'Dark Modern', 'window.commandCenter': false, 'workbench.secondarySideBar.defaultVisibility': 'hidden' },
    viewport: { width: 1440, height: 900 },
    defer: (f) => ui.defer(f),
  }));
  const sharp = require('sharp');
  const [w, h] = [PHOTO.height, PHOTO.width]; // stored sideways
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set([Math.round((x / w) * 200), Math.round((y / h) * 180), 120 + (((x >> 5) + (y >> 5)) % 2) * 30], (y * w + x) * 3);
  const file = path.join(ctx.workspace, PHOTO.name);
  await sharp(raw, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 90 }).withMetadata({ orientation: 6 }).toFile(file);
  const meta = await sharp(file).metadata();
  check(meta.width === 480 && meta.height === 320 && meta.orientation === 6, `${PHOTO.name} is ${meta.width}x${meta.height}, orientation ${meta.orientation}`);
});

step('Set API Key', async () => {
  await setApiKey(ctx.page, API_KEY);
});

step(`the editor opens ${PHOTO.name} upright (${PHOTO.width}x${PHOTO.height})`, async () => {
  await runFromPalette(ctx.page, 'Pixelwright: Edit Image with Mask…');
  await pickQuickItem(ctx.page, PHOTO.name);
  const ed = await waitForEditorIn(ctx.page, `Edit: ${PHOTO.name}`);
  const natural = await ed.locator('img.source').evaluate((img) => [img.naturalWidth, img.naturalHeight]);
  check(natural[0] === PHOTO.width && natural[1] === PHOTO.height, `the image shows at ${natural}`);
  ctx.ed = ed;
  ctx.map = await imageToPage(ed);
});

step('a mask stroke is painted on the Mask layer (it must not be sent with the guide)', async () => {
  const { ed } = ctx;
  check((await ed.getByRole('button', { name: 'Mask', exact: true }).getAttribute('aria-pressed')) === 'true', 'the Mask layer is active at first');
  await drag([[60, 160], [260, 160]]);
  ctx.maskPainted = await dataNumber('painted');
  check(ctx.maskPainted > 1000, `the mask stroke painted ${ctx.maskPainted} px`);
});

step('on gpt-image-2 the Guide layer says the model takes a mask, Edit is refused without a request, and the 2.5 model is offered', async () => {
  const { ed, page } = ctx;
  await ed.locator('#opt-model').selectOption('gpt-image-2');
  await ed.getByRole('button', { name: 'Guide', exact: true }).click();
  await until('the Guide layer', async () => (await ed.locator('.app').getAttribute('data-layer')) === 'guide', 3000, 100);
  check(!(await ed.locator('canvas.mask').isVisible()), 'the mask is hidden on the Guide layer');
  const note = ed.locator('#layer-note');
  await until('the note', async () => /gpt-image-2 takes a mask, not a guide/.test(await note.textContent()), 3000, 100);
  const switchBtn = note.getByRole('button', { name: `Switch to ${GUIDE_MODEL}` });
  check(await switchBtn.isVisible(), `the note offers "Switch to ${GUIDE_MODEL}": ${await note.textContent()}`);
  check(await note.getByRole('button', { name: 'Use the mask' }).isVisible(), 'the note offers the mask');
  await ed.locator('#prompt').fill('the same photo, with what the guide shows');
  const before = (await edits()).length;
  await ed.getByRole('button', { name: 'Edit', exact: true }).click();
  const err = await until('the refusal', async () => ed.locator('p.error').evaluate((e) => (e.hidden ? '' : e.textContent)), 3000, 100);
  check(/gpt-image-2 takes a mask, not a guide/.test(err), `the error says ${err}`);
  await sleep(300);
  check((await edits()).length === before, 'a request was sent');
  await ui.screenshot('offer-switch');
  await switchBtn.click();
  await until('the 2.5 model', async () => (await ed.locator('#opt-model').inputValue()) === GUIDE_MODEL, 3000, 100);
  await until('the note to follow', async () => /Only the guide is sent; the painted mask is kept for later/.test(await note.textContent()), 3000, 100);
  check(!(await note.getByRole('button', { name: /^Switch to/ }).isVisible()), 'no switch is offered once the model takes a guide');
  void page;
});

step('a yellow pen stroke, a red arrow (button) and a blue box (key R) are drawn on the guide; undo and redo act on the guide', async () => {
  const { ed, page } = ctx;
  check(await dataNumber('guide-drawn') === 0 || !(await ed.locator('.app').getAttribute('data-guide-drawn')), 'the guide starts empty');
  ctx.width = Number(await ed.locator('#brush-size').inputValue());
  await ed.getByRole('button', { name: 'Yellow', exact: true }).click();
  ctx.pen = [[40, 60], [200, 60], [200, 120]];
  await drag(ctx.pen);
  const afterPen = await dataNumber('guide-drawn');
  check(afterPen > 200, `the pen drew ${afterPen} px`);
  await ed.getByRole('button', { name: 'Red', exact: true }).click();
  await ed.getByRole('button', { name: 'Arrow', exact: true }).click();
  ctx.arrow = [[60, 300], [250, 200]];
  await drag(ctx.arrow);
  const afterArrow = await dataNumber('guide-drawn');
  check(afterArrow > afterPen + 200, `the arrow added ${afterArrow - afterPen} px`);
  await ed.getByRole('button', { name: 'Blue', exact: true }).click();
  await page.keyboard.press('r');
  check((await ed.getByRole('button', { name: 'Box', exact: true }).getAttribute('aria-pressed')) === 'true', 'R picks the box');
  ctx.box = [[40, 380], [280, 460]];
  await drag(ctx.box);
  const afterBox = await dataNumber('guide-drawn');
  check(afterBox > afterArrow + 500, `the box added ${afterBox - afterArrow} px`);
  // The toolbar's Undo and Redo (keyboard undo is the mask editor test's; here a prompt was typed
  // before, and the workbench's forwarded Ctrl+Z reaches the prompt box's own undo too).
  await ed.getByRole('button', { name: 'Undo', exact: true }).click();
  await until('undo to take the box away', async () => (await dataNumber('guide-drawn')) === afterArrow, 3000, 100);
  check(await dataNumber('painted') === ctx.maskPainted, 'undo on the guide left the mask alone');
  await ed.getByRole('button', { name: 'Redo', exact: true }).click();
  await until('redo to bring it back', async () => (await dataNumber('guide-drawn')) === afterBox, 3000, 100);
  ctx.drawn = afterBox;
  console.log(`    guide (${ctx.width} px lines): pen ${afterPen}, +arrow ${afterArrow - afterPen}, +box ${afterBox - afterArrow} px drawn`);
  await page.mouse.move(...ctx.map.at(300, 20));
  await ui.screenshot('drawn');
});

step(`Edit with ${GUIDE_MODEL}: the API receives the image and the guide as markup, and no mask`, async () => {
  const { ed, page } = ctx;
  const before = (await edits()).length;
  await ed.locator('#prompt').click();
  await page.keyboard.press('Control+Enter');
  await until('the result', async () => {
    const err = await ed.locator('p.error').evaluate((e) => (e.hidden ? '' : e.textContent)).catch(() => '');
    if (err) throw new Error(`the editor shows an error: ${err}`);
    return (await ed.locator('li.result').count()) === 1;
  }, 60_000, 300);
  const req = (await edits()).slice(before).pop();
  check(req?.status === 200, `the edit request got ${req?.status}`);
  check(req.fields.model === GUIDE_MODEL, `model ${req.fields.model}`);
  check(!req.files.some((f) => f.field === 'mask'), 'a mask was sent with the guide');
  ctx.sent = { image: req.files.find((f) => f.field === 'image'), markup: req.files.find((f) => f.field === 'markup') };
  check(ctx.sent.image && ctx.sent.markup, `files sent: ${req.files.map((f) => f.field).join(', ')}`);
  check(ctx.sent.markup.contentType === 'image/png', `markup sent as ${ctx.sent.markup.contentType}`);
  console.log(`    sent: ${req.files.map((f) => `${f.field} ${f.filename} ${f.size} B`).join(', ')}`);
});

step('the guide PNG: the oriented size, alpha 0 except under the strokes, each stroke there in its colour', async () => {
  const sharp = require('sharp');
  const im = await sharp(Buffer.from(ctx.sent.image.base64, 'base64')).metadata();
  check(im.width === PHOTO.width && im.height === PHOTO.height && (im.orientation ?? 1) === 1, `the image went out ${im.width}x${im.height} orientation ${im.orientation}`);
  const bytes = Buffer.from(ctx.sent.markup.base64, 'base64');
  const gm = await sharp(bytes).metadata();
  check(gm.format === 'png' && gm.hasAlpha, `the guide is ${gm.format}, alpha ${gm.hasAlpha}`);
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  check(info.width === PHOTO.width && info.height === PHOTO.height, `the guide is ${info.width}x${info.height}, the image as shown ${PHOTO.width}x${PHOTO.height}`);
  const W = info.width;
  const px = (x, y) => data.subarray((y * W + x) * 4, (y * W + x) * 4 + 4);
  /** The most opaque pixel within 2 px of (x, y), as [r, g, b, a]. */
  const near = (x, y) => {
    let best = [0, 0, 0, 0];
    for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) { const p = px(Math.round(x) + dx, Math.round(y) + dy); if (p[3] > best[3]) best = [...p]; }
    return best;
  };
  const w = ctx.width;
  const segments = (pts) => pts.slice(1).map((p, i) => [pts[i], p]);
  const [[bx0, by0], [bx1, by1]] = ctx.box;
  const boxEdges = [[[bx0, by0], [bx1, by0]], [[bx1, by0], [bx1, by1]], [[bx1, by1], [bx0, by1]], [[bx0, by1], [bx0, by0]]];
  // Where drawing may be: within half a line (plus the antialiased edge and the pointer's rounding)
  // of a segment; the arrow's head reaches further out, near its tip.
  const reach = w / 2 + 3;
  const head = Math.max(1.8 * w, 6) + reach;
  const allowed = (p) =>
    segments(ctx.pen).some(([a, b]) => toSegment(p, a, b) <= reach) ||
    boxEdges.some(([a, b]) => toSegment(p, a, b) <= reach) ||
    toSegment(p, ...ctx.arrow) <= reach ||
    // the head: a filled triangle of max(3w, 10) from the tip, outlined with the line's width too
    (Math.hypot(p[0] - ctx.arrow[1][0], p[1] - ctx.arrow[1][1]) <= Math.max(3 * w, 10) + w + 4 && toSegment(p, ...ctx.arrow) <= head);
  let drawn = 0;
  let stray = 0;
  let firstStray;
  for (let y = 0; y < info.height; y++) {
    for (let x = 0; x < W; x++) {
      if (px(x, y)[3] === 0) continue;
      drawn++;
      if (!allowed([x + 0.5, y + 0.5])) { stray++; firstStray ??= [x, y, [...px(x, y)]]; }
    }
  }
  console.log(`    guide ${info.width}x${info.height}: ${drawn} px with alpha > 0 (editor counted ${ctx.drawn}), ${info.width * info.height - drawn} px alpha 0, ${stray} outside the strokes`);
  check(stray === 0, `${stray} guide pixels are not under any stroke (first: ${JSON.stringify(firstStray)})`);
  check(Math.abs(drawn - ctx.drawn) <= ctx.drawn * 0.005, `the guide has ${drawn} drawn pixels, the editor counted ${ctx.drawn}`);
  // Every stroke is there, in its colour.
  const yellow = (p) => p[3] > 200 && p[0] > 200 && p[1] > 170 && p[2] < 90;
  const red = (p) => p[3] > 200 && p[0] > 200 && p[1] < 100 && p[2] < 100;
  const blue = (p) => p[3] > 200 && p[0] < 60 && p[1] > 90 && p[1] < 170 && p[2] > 200;
  for (const [x, y, is, what] of [[120, 60, yellow, 'pen, first leg'], [200, 90, yellow, 'pen, second leg'], [100, 279, red, 'arrow shaft'], [240, 205, red, 'arrow head'], [160, 380, blue, 'box top'], [280, 420, blue, 'box right'], [160, 460, blue, 'box bottom']]) {
    const p = near(x, y);
    check(is(p), `${what} at ${x},${y}: ${JSON.stringify(p)}`);
  }
  // The mask stroke, the box's inside and the corners: nothing.
  for (const [x, y, what] of [[100, 160, 'the mask stroke'], [250, 160, 'the mask stroke'], [160, 420, 'inside the box'], [5, 5, 'top left'], [315, 475, 'bottom right'], [300, 300, 'right of the arrow']]) {
    check(near(x, y)[3] === 0, `alpha near ${what} (${x},${y}) is ${near(x, y)[3]}, expected 0`);
  }
});

step('Keep: the saved result records that a guide was used (and no mask)', async () => {
  const { ed } = ctx;
  const card = ed.locator('li.result').first();
  await card.getByRole('button', { name: /^Keep/ }).click();
  const status = await until('the saved path', async () => { const t = await card.locator('.result-status').textContent(); return /Saved as/.test(t) ? t : ''; }, 30_000, 200);
  const rel = status.replace(/^Saved as\s*/, '').trim();
  const file = path.join(ctx.workspace, rel);
  check(fs.existsSync(file), `${rel} is not in the workspace`);
  const { readRecord } = require(path.join(root, 'out', 'src', 'core', 'metadata.js'));
  const recipe = readRecord(fs.readFileSync(file));
  check(recipe, `${rel} has no recipe`);
  check(recipe.operation === 'edit' && recipe.model === GUIDE_MODEL, `the recipe says ${recipe.operation} with ${recipe.model}`);
  check(recipe.options.guided === true, `the recipe says guided: ${recipe.options.guided}`);
  check(recipe.options.masked === undefined && recipe.options.keep_unmasked === undefined, `the recipe says masked ${recipe.options.masked}, keep_unmasked ${recipe.options.keep_unmasked}`);
  console.log(`    kept ${rel}: options ${JSON.stringify(recipe.options)}`);
});

step('the Mask button goes back to the Mask layer, where the mask is as painted and the note says the guide is kept', async () => {
  const { ed } = ctx;
  await ed.getByRole('button', { name: 'Mask', exact: true }).click();
  await until('the Mask layer', async () => (await ed.locator('.app').getAttribute('data-layer')) === 'mask', 3000, 100);
  check(await ed.locator('canvas.mask').isVisible(), 'the mask shows again');
  check(!(await ed.locator('canvas.guide-layer').isVisible()), 'the guide is hidden on the Mask layer');
  check(await dataNumber('painted') === ctx.maskPainted, 'the mask is as painted');
  check(/Only the mask is sent; the guide is kept for later/.test(await ed.locator('#layer-note').textContent()), 'the note says the guide is kept');
  await ui.screenshot('mask-layer');
});

process.exitCode = await ui.run();
