#!/usr/bin/env node
// UI test of the gallery (the Pixelwright side bar's "Gallery" view) as a person uses it: the
// packaged linux-x64 VSIX installed into a fresh code-server, driven in headless Chromium. The
// workspace holds images with Pixelwright records (written with sharp and embedRecord) and one
// without. It opens the view from the activity bar, sees the thumbnails (made on the host, newest
// first, the image without a record left out), opens an image from the keyboard, inserts one into
// a Markdown file, deletes one after the confirmation dialog, runs one again against the fake
// Images API once its confirmation (model, count, size, quality, estimate) is answered (and sees
// the new image arrive), shows its prompt and
// settings, and checks that the filter survives reloading the webview. Screenshots in the dark,
// light and high-contrast themes go to .vscode-test/screenshots/gallery-*.png.
//
//   node test/ui/gallery.test.mjs            (packages the VSIX with scripts/package.mjs)
//   PIXELWRIGHT_VSIX=path.vsix node test/ui/gallery.test.mjs   (uses that VSIX)
//
// Needs `npm run compile-tests` (out/src/core/metadata.js and the fake API in out/test/fake-openai).
// The setup it shares with the other UI tests (fake API, workspace images with recipes, the
// workbench, the API key) is in ./harness.mjs.
// Last line: `ui: N passing, N failing, N skipped`. Exit code 0 only when nothing failed.
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import {
  check, fakeApiStep, freshDir, QUICK_INPUT, QUICK_INPUT_BOX, root, runFromPalette, setApiKeyStep, sleep, UiRun, until,
  workbenchOnFakeApiStep, writeImageWithRecipe,
} from './harness.mjs';

const require = createRequire(import.meta.url);
const runDir = path.join(root, '.vscode-test', 'ui-gallery');

/** The workspace's images: name, format, size, prompt, minutes before now (newest first by that). */
const IMAGES = [
  { name: 'lighthouse.png', format: 'png', w: 640, h: 480, ago: 1, prompt: 'a lighthouse on a cliff at dusk, warm light in the windows', hue: 40 },
  { name: 'otter.jpg', format: 'jpeg', w: 480, h: 640, ago: 5, prompt: 'a sea otter in a beret, watercolour', hue: 160 },
  { name: 'fox.webp', format: 'webp', w: 800, h: 450, ago: 9, prompt: 'a paper fox in a snowy forest, soft morning light', hue: 220 },
  { name: 'teapot.png', format: 'png', w: 512, h: 512, ago: 20, prompt: 'a teapot shaped like a snail, product photo', hue: 90, transparent: true },
  { name: 'city.png', format: 'png', w: 700, h: 400, ago: 60, prompt: 'a city of glass towers under a green sky', hue: 300 },
];
const NEWEST_FIRST = [...IMAGES].sort((a, b) => a.ago - b.ago).map((i) => `images/generated/${i.name}`);

const ui = new UiRun({ title: 'the gallery in code-server, driven in Chromium', shots: 'gallery', timeoutS: 600 });
const { ctx } = ui;

// --- the view ----------------------------------------------------------------------------------
/** The gallery's document: two frames deep (the workbench's webview host, then our page). */
async function gallery(ms = 30_000) {
  return until('the gallery webview', async () => {
    for (const f of ctx.page.frames()) {
      if (await f.locator('.gallery').count().catch(() => 0)) return f;
    }
    return undefined;
  }, ms, 250);
}

async function openGallery() {
  const { page } = ctx;
  const item = page.locator('.activitybar .action-item a[aria-label^="Pixelwright"], .activitybar .action-item[aria-label^="Pixelwright"] a').first();
  await item.waitFor({ state: 'visible', timeout: 30_000 });
  if (!(await page.locator('.activitybar .action-item.checked a[aria-label^="Pixelwright"]').count())) await item.click();
  // The Studio shares the container: collapse it, so the gallery gets the height.
  const studioHeader = page.locator('.part.sidebar .pane-header[aria-label^="Studio"][aria-expanded="true"]');
  if (await studioHeader.count()) await studioHeader.first().click();
  const header = page.locator('.part.sidebar .pane-header[aria-label^="Gallery"]');
  if ((await header.count()) && (await header.first().getAttribute('aria-expanded')) === 'false') await header.first().click();
  return gallery();
}

const tileIds = (f) => f.locator('.tile').evaluateAll((ts) => ts.map((t) => t.dataset.id));
const onDisk = (rel) => fs.existsSync(path.join(ctx.workspace, rel));
const requests = async (suffix) => (await (await fetch(`${ctx.fake.origin}/_fake/requests`)).json()).filter((r) => r.method === 'POST' && r.path.endsWith(suffix));

/** The side bar alone, for a closer look. */
async function sidebarShot(name) {
  await ui.screenshot(name);
  const box = await ctx.page.locator('.part.sidebar').boundingBox();
  if (!box) return;
  const file = path.join(root, '.vscode-test', 'screenshots', `gallery-${name}-sidebar.png`);
  await ctx.page.screenshot({ path: file, clip: box }).catch(() => { });
  console.log(`    screenshot: ${path.relative(root, file)}`);
}

/** Picks a colour theme by its label in "Preferences: Color Theme"; `ids` are what the settings may then say. */
async function setTheme(label, ids = [label, `Default ${label}`]) {
  const { page } = ctx;
  await runFromPalette(page, 'Preferences: Color Theme');
  await page.locator(QUICK_INPUT_BOX).waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.type(label, { delay: 10 });
  await sleep(300);
  await page.keyboard.press('Enter');
  await until(`the ${label} theme`, async () => {
    const text = fs.readFileSync(path.join(ctx.userDataDir, 'User', 'settings.json'), 'utf8');
    return ids.some((id) => text.includes(`"workbench.colorTheme": "${id}"`));
  }, 10_000);
  await sleep(800);
}

/** The dialog the workbench shows for a modal message; clicks the button labelled `button`. */
async function answerDialog(button, ms = 10_000) {
  const { page } = ctx;
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: ms });
  const text = (await dialog.textContent()) ?? '';
  await dialog.getByRole('button', { name: button, exact: true }).click();
  // closed, or replaced by the next dialog
  await until('the dialog to close', async () => !(await dialog.isVisible()) || (await dialog.textContent()) !== text, 5000, 100);
  return text;
}

// ---------------------------------------------------------------------------------------------
fakeApiStep(ui);

ui.step(`a workspace with ${IMAGES.length} images carrying records (PNG, JPEG, WebP) and one without`, async () => {
  ctx.workspace = path.join(root, '.vscode-test', 'ui-gallery-workspace');
  freshDir(ctx.workspace);
  const dir = path.join(ctx.workspace, 'images', 'generated');
  fs.mkdirSync(path.join(ctx.workspace, 'docs'), { recursive: true });
  fs.writeFileSync(path.join(ctx.workspace, 'docs', 'notes.md'), '# Notes\n\nThe hero image:\n\n');
  for (const im of IMAGES) {
    await writeImageWithRecipe(path.join(dir, im.name), {
      ...im,
      options: { size: '1024x1024', quality: 'low', background: im.transparent ? 'transparent' : 'opaque', output_format: im.format, moderation: 'auto', n: 1 },
    });
  }
  const sharp = require('sharp');
  await sharp({ create: { width: 300, height: 200, channels: 3, background: '#808080' } }).png().toFile(path.join(dir, 'not-ours.png'));
});

workbenchOnFakeApiStep(ui, {
  name: 'the VSIX installs into a fresh code-server; the workbench opens (dark theme)',
  dir: runDir,
  viewport: { width: 1280, height: 860 },
  then: () => {
    for (const f of ['dist/webview/gallery.js', 'media/gallery.css']) check(fs.existsSync(path.join(ctx.installed, f)), `${f} is not in the installed extension`);
  },
});

setApiKeyStep(ui);

ui.step('the activity bar opens the gallery: the images with records, newest first, as host-made thumbnails', async () => {
  const f = await openGallery();
  ctx.f = f;
  await until('the tiles', async () => (await f.locator('.tile').count()) === IMAGES.length, 30_000, 200);
  const ids = await tileIds(f);
  check(JSON.stringify(ids) === JSON.stringify(NEWEST_FIRST), `order: ${ids.join(', ')}`);
  await until('every thumbnail', async () => (await f.locator('.tile[data-thumb]').count()) === IMAGES.length, 30_000, 200);
  // thumbnails are drawn from the host's bytes into a canvas per tile; never the file itself
  const thumbs = await f.locator('.tile').evaluateAll((ts) => ts.map((t) => {
    const [w, h] = (t.dataset.thumb ?? '0x0').split('x').map(Number);
    return { w, h, canvas: !!t.querySelector('.thumb canvas'), img: t.querySelectorAll('img').length };
  }));
  // sized to the tiles: the smallest of the host's sizes that covers a tile in device pixels
  const { tile, dpr } = await f.locator('.tile').first().evaluate((t) => ({ tile: t.getBoundingClientRect().width, dpr: window.devicePixelRatio }));
  const size = [128, 192, 256, 384, 512].find((s) => s >= Math.ceil(tile * dpr)) ?? 512;
  for (const t of thumbs) {
    check(t.canvas && !t.img, `a tile shows its picture another way: ${JSON.stringify(t)}`);
    check(Math.max(t.w, t.h) <= size, `a thumbnail is ${t.w}x${t.h} for ${size} px: the full image was sent?`);
  }
  const lighthouse = thumbs[0];
  check(lighthouse.w === size && lighthouse.h === (size * 3) / 4, `lighthouse thumbnail ${lighthouse.w}x${lighthouse.h}, expected ${size}x${(size * 3) / 4} (tiles ${tile} px at ${dpr}x)`);
  console.log(`    tiles: ${ids.map((i) => path.basename(i)).join(', ')}; ${Math.round(tile)} px at ${dpr}x; thumbnails ${thumbs.map((t) => `${t.w}x${t.h}`).join(', ')}`);
  const count = (await f.locator('.count').textContent()).trim();
  check(count === `${IMAGES.length} images`, `count line "${count}"`);
  const grid = await f.locator('[role="grid"]').evaluate((g) => ({ label: g.getAttribute('aria-label'), rows: g.getAttribute('aria-rowcount'), cells: g.querySelectorAll('[role="gridcell"][aria-label]').length }));
  check(grid.label && Number(grid.rows) > 0 && grid.cells === IMAGES.length, `grid semantics: ${JSON.stringify(grid)}`);
  const csp = await f.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content'));
  check(/default-src 'none'/.test(csp) && /script-src 'nonce-/.test(csp) && !/unsafe/.test(csp), `CSP: ${csp}`);
  await sidebarShot('dark');
});

ui.step('keyboard: Tab reaches the first tile, arrows move, Enter opens the image in the editor', async () => {
  const { page, f } = ctx;
  await f.locator('#filter').focus();
  await page.keyboard.press('Tab');
  const focused = async () => f.evaluate(() => document.activeElement?.getAttribute('data-id'));
  check(await focused() === NEWEST_FIRST[0], `Tab focused ${await focused()}`);
  await page.keyboard.press('ArrowRight');
  check(await focused() === NEWEST_FIRST[1], `ArrowRight focused ${await focused()}`);
  await page.keyboard.press('Enter');
  const name = path.basename(NEWEST_FIRST[1]);
  await until(`the editor tab for ${name}`, async () => (await page.locator('.tabs-container .tab.active').getAttribute('aria-label'))?.includes(name), 15_000);
  console.log(`    Enter opened ${name}`);
});

ui.step('"Insert into Editor" types a Markdown image with a path relative to the document', async () => {
  const { page } = ctx;
  await runFromPalette(page, 'Go to File...').catch(async () => { await page.keyboard.press('Control+p'); });
  await page.locator(QUICK_INPUT_BOX).waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.type('notes.md', { delay: 15 });
  await until('notes.md among the files', async () => (await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').allTextContents()).some((t) => t.includes('notes.md')), 15_000);
  await page.keyboard.press('Enter');
  await until('notes.md open', async () => (await page.locator('.tabs-container .tab.active').getAttribute('aria-label'))?.includes('notes.md'), 15_000);
  await page.locator('.editor-instance .view-lines').first().click();
  await page.keyboard.press('Control+End');
  const f = await openGallery();
  const tile = f.locator(`.tile[data-id="${NEWEST_FIRST[0]}"]`);
  await tile.hover();
  await tile.getByRole('button', { name: 'Insert into Editor' }).click();
  const want = `![${IMAGES[0].prompt}](../${NEWEST_FIRST[0]})`;
  // the insert gives the focus back to the editor: save from there
  await until('the editor to have the focus', () => page.evaluate(() => !!document.activeElement?.closest('.editor-instance')), 10_000, 100);
  await page.keyboard.press('Control+s');
  const file = path.join(ctx.workspace, 'docs', 'notes.md');
  await until('notes.md saved with the image', () => fs.readFileSync(file, 'utf8').includes(want), 10_000, 200);
  const text = fs.readFileSync(file, 'utf8');
  check(text === `# Notes\n\nThe hero image:\n\n${want}`, `notes.md is now ${JSON.stringify(text)}`);
  console.log(`    inserted at the cursor: ${want}`);
});

ui.step('Shift+F10 lists the actions; "Delete…" asks first; the file goes and so does its tile', async () => {
  const { page } = ctx;
  const f = await openGallery();
  const victim = NEWEST_FIRST[NEWEST_FIRST.length - 1];
  const tile = f.locator(`.tile[data-id="${victim}"]`);
  await tile.scrollIntoViewIfNeeded();
  await tile.click();
  await page.keyboard.press('Shift+F10');
  const menu = f.locator('[role="menu"]');
  await menu.waitFor({ state: 'visible', timeout: 5000 });
  const items = await menu.locator('[role="menuitem"]').allTextContents();
  for (const w of ['Open', 'Reveal in Explorer', 'Copy Path', 'Insert into Editor', 'Edit with Mask…', 'Create Variations…', 'Run Again', 'Show Prompt and Settings', 'Delete…']) check(items.includes(w), `the menu lacks "${w}": ${items.join(' | ')}`);
  check(await f.evaluate(() => document.activeElement?.getAttribute('role')) === 'menuitem', 'the menu takes the focus');
  // first: the dialog's Cancel keeps the file
  await page.keyboard.press('End');
  await page.keyboard.press('Enter');
  const text = await answerDialog('Cancel');
  check(text.includes(path.basename(victim)), `the dialog names the file: ${text}`);
  await sleep(300);
  check(onDisk(victim), 'Cancel deleted the file');
  // then: delete it
  await tile.click();
  await page.keyboard.press('Shift+F10');
  await menu.waitFor({ state: 'visible', timeout: 5000 });
  await menu.getByRole('menuitem', { name: 'Delete…' }).click();
  await answerDialog('Move to Trash');
  // code-server's file system may have no trash: then Pixelwright asks before deleting for good
  const again = page.locator('.monaco-dialog-box');
  if (await again.isVisible().catch(() => false) || await again.waitFor({ state: 'visible', timeout: 1500 }).then(() => true, () => false)) {
    console.log('    no trash on this file system: confirmed "Delete Permanently"');
    await answerDialog('Delete Permanently');
  }
  await until('the file to go', () => !onDisk(victim), 10_000);
  await until('its tile to go', async () => !(await tileIds(f)).includes(victim), 10_000);
  check((await f.locator('.tile').count()) === IMAGES.length - 1, 'one tile fewer');
  ctx.deleted = victim;
});

ui.step('"Run Again" asks once, through the run pipeline: what the recipe asks for (file, model, count, size, quality, estimate); Cancel spends nothing', async () => {
  const f = await openGallery();
  const before = (await requests('/images/generations')).length;
  const tile = f.locator(`.tile[data-id="${NEWEST_FIRST[2]}"]`);
  await tile.hover();
  await tile.getByRole('button', { name: 'More actions' }).click();
  await f.getByRole('menuitem', { name: 'Run Again' }).click();
  const text = await answerDialog('Cancel');
  for (const w of ['paid request', NEWEST_FIRST[2], 'Model: gpt-image-1.5', 'Images: 1', 'Size: 1024x1024', 'Quality: low', 'Estimated cost: none: the price list of 2026-11 has no published price for gpt-image-1.5']) check(text.includes(w), `the confirmation lacks "${w}": ${text}`);
  await sleep(1500);
  check((await requests('/images/generations')).length === before, 'Cancel still sent a request');
  console.log(`    asked first: ${text.replace(/\s+/g, ' ').slice(0, 240)}`);
});

ui.step('"Run Again", confirmed (Run, the one question), remakes the record\'s prompt, model and options; the new image appears first', async () => {
  const { page } = ctx;
  const f = await openGallery();
  const source = IMAGES.find((i) => `images/generated/${i.name}` === NEWEST_FIRST[2]);
  const before = (await requests('/images/generations')).length;
  const tile = f.locator(`.tile[data-id="${NEWEST_FIRST[2]}"]`);
  await tile.hover();
  await tile.getByRole('button', { name: 'More actions' }).click();
  await f.getByRole('menuitem', { name: 'Run Again' }).click();
  await answerDialog('Run');
  // Whatever the record does not say, the command may still ask for: take its defaults.
  const end = Date.now() + 30_000;
  while ((await requests('/images/generations')).length === before && Date.now() < end) {
    if (await page.locator(QUICK_INPUT).isVisible().catch(() => false)) await page.keyboard.press('Enter');
    await sleep(300);
  }
  const req = (await requests('/images/generations')).slice(before).pop();
  check(req, 'the fake API got no generation request');
  const body = req.json ?? req.body ?? req.fields ?? {};
  check(body.prompt === source.prompt, `prompt sent: ${body.prompt}`);
  check(body.model === 'gpt-image-1.5' && body.size === '1024x1024' && body.quality === 'low' && body.output_format === source.format, `options sent: ${JSON.stringify({ ...body, prompt: undefined })}`);
  await until('the new image first in the gallery', async () => {
    const ids = await tileIds(f);
    return ids.length === IMAGES.length && !NEWEST_FIRST.includes(ids[0]) ? ids : undefined;
  }, 30_000, 250);
  const first = f.locator('.tile').first();
  check((await first.getAttribute('aria-label')).startsWith(source.prompt), 'the new tile carries the same prompt');
  await until('its thumbnail', async () => await first.getAttribute('data-thumb'), 20_000, 200);
  ctx.newId = await first.getAttribute('data-id');
  console.log(`    sent ${JSON.stringify({ model: body.model, size: body.size, quality: body.quality, output_format: body.output_format, n: body.n })}; new tile ${ctx.newId}`);
});

ui.step('"Show Prompt and Settings" shows the whole record; Escape closes it and gives the focus back', async () => {
  const { page, f } = ctx;
  const tile = f.locator(`.tile[data-id="${NEWEST_FIRST[0]}"]`);
  await tile.click();
  await page.keyboard.press('Shift+F10');
  await f.getByRole('menuitem', { name: 'Show Prompt and Settings' }).click();
  const dialog = f.locator('[role="dialog"]');
  await dialog.waitFor({ state: 'visible', timeout: 5000 });
  const text = await dialog.textContent();
  for (const w of [IMAGES[0].prompt, 'gpt-image-1.5', 'size: 1024x1024', 'quality: low', 'output_format: png', '640 × 480 px']) check(text.includes(w), `the details lack "${w}": ${text}`);
  await sidebarShot('details-dark');
  await page.keyboard.press('Escape');
  await until('the dialog to close', async () => !(await dialog.isVisible()), 3000, 100);
  check(await f.evaluate(() => document.activeElement?.getAttribute('data-id')) === NEWEST_FIRST[0], 'the focus is back on the tile');
});

ui.step('the filter narrows the list, and survives reloading the webview (setState)', async () => {
  const { page, f } = ctx;
  await f.locator('#filter').fill('otter');
  await until('one tile', async () => (await f.locator('.tile').count()) === 1, 5000, 100);
  check((await f.locator('.count').textContent()).trim() === `1 of ${IMAGES.length} images`, 'the count says 1 of N');
  await sleep(300); // state is saved shortly after a change
  await f.locator('.gallery').evaluate((el) => { el.dataset.marker = 'before-reload'; });
  await runFromPalette(page, 'Developer: Reload Webviews');
  const g = await until('a fresh gallery page', async () => {
    const fr = await gallery(5000).catch(() => undefined);
    return fr && (await fr.locator('.gallery').getAttribute('data-marker').catch(() => 'x')) === null ? fr : undefined;
  }, 30_000, 300);
  await until('the tiles again', async () => (await g.locator('.tile').count()) === 1, 15_000, 200);
  check(await g.locator('#filter').inputValue() === 'otter', 'the filter came back');
  await g.locator('#filter').fill('');
  await until('all tiles', async () => (await g.locator('.tile').count()) === IMAGES.length, 5000, 100);
  ctx.f = g;
});

/** The side bar's width, set by dragging the sash at its right edge. */
async function dragSidebarTo(width) {
  const { page } = ctx;
  const side = await page.locator('.part.sidebar').boundingBox();
  const edge = side.x + side.width;
  const sash = await page.locator('.monaco-sash.vertical').evaluateAll((els, x) => {
    const near = els.map((e) => e.getBoundingClientRect()).find((r) => r.width > 0 && r.height > 100 && Math.abs(r.left + r.width / 2 - x) <= 4);
    return near ? { x: near.left + near.width / 2, y: near.top + near.height / 2 } : undefined;
  }, edge);
  check(sash, `no sash at the side bar's edge (x ${edge})`);
  await page.mouse.move(sash.x, sash.y);
  await page.mouse.down();
  await page.mouse.move(sash.x + (width - side.width), sash.y, { steps: 8 });
  await page.mouse.up();
  await until(`the side bar ${width} px wide`, async () => Math.abs((await page.locator('.part.sidebar').boundingBox()).width - width) <= 2, 5000, 100);
}

/** What the tiles need now: their width, the screen's pixel ratio, and the host's size that covers them. */
async function tileNeeds(f) {
  const { tile, dpr } = await f.locator('.tile').first().evaluate((t) => ({ tile: t.getBoundingClientRect().width, dpr: window.devicePixelRatio }));
  return { tile, dpr, size: [128, 192, 256, 384, 512].find((s) => s >= Math.ceil(tile * dpr)) ?? 512 };
}

ui.step('the side bar narrowed to one wide column: the tiles get thumbnails of their new size without a reload', async () => {
  const { page, f } = ctx;
  const wide = await page.locator('.part.sidebar').boundingBox();
  const before = await tileNeeds(f);
  // one column of about 205 px (a page 220 px wide): a larger thumbnail than two columns of 138 px need
  await dragSidebarTo(225);
  const inner = await f.evaluate(() => window.innerWidth);
  if (Math.abs(inner - 220) > 3) await dragSidebarTo(Math.round((await page.locator('.part.sidebar').boundingBox()).width + 220 - inner));
  await until('one column', async () => new Set(await f.locator('.tile').evaluateAll((ts) => ts.map((t) => Math.round(t.getBoundingClientRect().left)))).size === 1, 5000, 100);
  const after = await tileNeeds(f);
  check(after.size > before.size, `the tiles need ${after.size} px now, ${before.size} px before: the step tests nothing`);
  const longest = () => f.locator('.tile[data-thumb]').evaluateAll((ts) => ts.filter((t) => t.getBoundingClientRect().top < window.innerHeight).map((t) => Math.max(...t.dataset.thumb.split('x').map(Number))));
  await until(`the tiles on screen at ${after.size} px`, async () => {
    const sides = await longest();
    return sides.length > 0 && sides.every((side) => side === after.size);
  }, 15_000, 200);
  console.log(`    ${Math.round(before.tile)} px tiles took ${before.size} px thumbnails; ${Math.round(after.tile)} px tiles (one column) now show ${(await longest()).join(', ')} px`);
  await sidebarShot('one-column');
  await dragSidebarTo(Math.round(wide.width));
  await until('all thumbnails again', async () => (await f.locator('.tile[data-thumb]').count()) === (await f.locator('.tile').count()), 10_000, 200);
});

ui.step('the light and high-contrast themes (screenshots)', async () => {
  await setTheme('Light Modern');
  const f = await openGallery();
  await until('thumbnails', async () => (await f.locator('.tile[data-thumb]').count()) === IMAGES.length, 15_000, 200);
  const tile = f.locator('.tile').nth(1);
  await tile.hover();
  await sidebarShot('light');
  await f.locator('.tile').first().focus();
  await ctx.page.keyboard.press('Shift+F10');
  await f.locator('[role="menu"]').waitFor({ state: 'visible', timeout: 5000 });
  await sidebarShot('menu-light');
  await ctx.page.keyboard.press('Escape');
  await setTheme('Dark High Contrast', ['Default High Contrast', 'Dark High Contrast']);
  await openGallery();
  await sidebarShot('hc');
});

process.exitCode = await ui.run();
