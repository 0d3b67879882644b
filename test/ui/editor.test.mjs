#!/usr/bin/env node
// UI test of the text editor's image features as a person uses them: the packaged linux-x64 VSIX
// installed into a fresh code-server, driven in headless Chromium. A Markdown file links to an
// image that carries a Pixelwright recipe. Opening the file activates the extension (onLanguage);
// hovering the link shows the thumbnail and the recipe. Then text is selected with the keyboard,
// "Pixelwright: Generate Image from Selection" runs from the palette against the fake Images API
// (its steps answered with Enter), and the link replaces the selection in the editor, the file is
// on disk, and the saved document says so. Ctrl+. on the new link lists the code actions.
// Screenshots go to .vscode-test/screenshots/editor-*.png.
//
//   node test/ui/editor.test.mjs            (packages the VSIX with scripts/package.mjs)
//   PIXELWRIGHT_VSIX=path.vsix node test/ui/editor.test.mjs   (uses that VSIX)
//
// Needs `npm run compile-tests` (out/src/core/metadata.js and the fake API in out/test/fake-openai).
// The setup it shares with the other UI tests (fake API, workspace images with recipes, the
// workbench, the API key) is in ./harness.mjs.
// Last line: `ui: N passing, N failing, N skipped`. Exit code 0 only when nothing failed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  check, fakeApiStep, freshDir, QUICK_INPUT, QUICK_INPUT_BOX, quickInputVisible, root, runFromPalette, setApiKeyStep, sleep, UiRun, until,
  workbenchOnFakeApiStep, writeImageWithRecipe,
} from './harness.mjs';

const runDir = path.join(root, '.vscode-test', 'ui-editor');
const PROMPT = 'a lighthouse on a cliff at dusk';
const OTTER_PROMPT = 'a sea otter in a beret, watercolour';
const NOTES = `# Notes\n\nThe hero image: ${PROMPT}\n\nAn earlier one:\n\n![${OTTER_PROMPT}](../images/otter.png)\n`;

const ui = new UiRun({ title: 'the text editor: hover, Generate Image from Selection, code actions', shots: 'editor', timeoutS: 600 });
const { ctx } = ui;

const generated = () => {
  const dir = path.join(ctx.workspace, 'images', 'generated');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.png')).sort() : [];
};
const generations = async () => (await (await fetch(`${ctx.fake.origin}/_fake/requests`)).json())
  .filter((r) => r.method === 'POST' && r.path.endsWith('/images/generations'));
/** The text of the editor's visible lines (Monaco renders spaces as no-break spaces). */
const editorLines = () => ctx.page.locator('.editor-instance .view-lines .view-line')
  .evaluateAll((ls) => ls.map((l) => ({ top: parseFloat(l.style.top) || 0, text: l.textContent.replace(/\u00a0/g, ' ') }))
    .sort((a, b) => a.top - b.top).map((l) => l.text));

/** "Go to Line" (Ctrl+G) in the active editor. */
async function goToLine(n) {
  const { page } = ctx;
  await page.keyboard.press('Control+g');
  await page.locator(QUICK_INPUT_BOX).waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.type(String(n), { delay: 20 });
  await page.keyboard.press('Enter');
  await until('the quick input to close', async () => !(await quickInputVisible(page)), 5000, 100);
}

// ---------------------------------------------------------------------------------------------
fakeApiStep(ui);

ui.step('a workspace with docs/notes.md linking to images/otter.png, which carries a recipe', async () => {
  ctx.workspace = path.join(root, '.vscode-test', 'ui-editor-workspace');
  freshDir(ctx.workspace);
  fs.mkdirSync(path.join(ctx.workspace, 'docs'), { recursive: true });
  fs.writeFileSync(path.join(ctx.workspace, 'docs', 'notes.md'), NOTES);
  await writeImageWithRecipe(path.join(ctx.workspace, 'images', 'otter.png'), {
    w: 480, h: 640, hue: 160, prompt: OTTER_PROMPT,
    options: { size: '1024x1536', quality: 'medium', background: 'opaque', output_format: 'png', n: 1 },
  });
});

workbenchOnFakeApiStep(ui, {
  name: 'the VSIX installs into a fresh code-server; the workbench opens',
  dir: runDir,
  userSettings: { 'editor.minimap.enabled': false, 'markdown.validate.enabled': false },
  viewport: { width: 1280, height: 800 },
});

setApiKeyStep(ui);

ui.step('docs/notes.md opens from Quick Open', async () => {
  const { page } = ctx;
  await page.keyboard.press('Control+p');
  await page.locator(QUICK_INPUT_BOX).waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.type('notes.md', { delay: 15 });
  await until('notes.md among the files', async () => (await page.locator(`${QUICK_INPUT} .quick-input-list .monaco-list-row`).allTextContents()).some((t) => t.includes('notes.md')), 15_000);
  await page.keyboard.press('Enter');
  await until('notes.md open', async () => (await page.locator('.tabs-container .tab.active').getAttribute('aria-label'))?.includes('notes.md'), 15_000);
  await until('its text on screen', async () => (await editorLines()).some((l) => l.includes('otter.png')), 15_000);
});

ui.step('hovering the link to otter.png shows its thumbnail and its recipe (the extension activated for Markdown)', async () => {
  const { page } = ctx;
  const line = page.locator('.editor-instance .view-line', { hasText: 'otter.png' });
  const word = line.locator('span span', { hasText: 'otter.png' }).last();
  // The Markdown grammar re-tokenizes the line once it loads (under load, after the text shows).
  const box = await until('the link on screen', async () => (await word.count()) && word.boundingBox(), 15_000, 200);
  check(box, 'the link is on screen');
  const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: 'sea otter' });
  await until('the hover with the recipe', async () => {
    await page.mouse.move(box.x + box.width / 2 - 3, box.y + box.height / 2);
    await sleep(100);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    return hover.first().isVisible({ timeout: 1500 }).catch(() => false);
  }, 30_000, 500);
  const text = (await hover.first().textContent()).replace(/\u00a0/g, ' ');
  check(text.includes(OTTER_PROMPT) && text.includes('gpt-image-1.5') && text.includes('480 × 640'), `hover: ${text}`);
  const img = hover.first().locator('img').first();
  const loaded = await until('the thumbnail to load', () => img.evaluate((i) => i.complete && i.naturalWidth > 0 ? { w: i.naturalWidth, shown: i.getBoundingClientRect().width, h: i.getBoundingClientRect().height } : undefined), 10_000, 200);
  console.log(`    hover: thumbnail ${loaded.w} px wide, shown ${Math.round(loaded.shown)} x ${Math.round(loaded.h)}; text "${text.slice(0, 160)}…"`);
  check(loaded.w === 480 && Math.round(loaded.h) === 128, `the thumbnail shows the image, 128 px high: ${JSON.stringify(loaded)}`);
  await ui.screenshot('hover');
  await page.mouse.move(5, 400);
  await page.keyboard.press('Escape');
});

ui.step('select "a lighthouse on a cliff at dusk" with the keyboard, run Generate Image from Selection, answer its steps', async () => {
  const { page } = ctx;
  await page.locator('.editor-instance .view-lines').first().click({ position: { x: 5, y: 5 } });
  await goToLine(3);
  await page.keyboard.press('End');
  for (let i = 0; i < PROMPT.length; i++) await page.keyboard.press('Shift+ArrowLeft');
  await sleep(200);
  const selected = await page.evaluate(() => window.getSelection()?.toString() ?? '');
  console.log(`    selected in the editor: "${selected || '(Monaco keeps its own selection)'}"`);
  ctx.before = generated();
  await runFromPalette(page, 'Pixelwright: Generate Image from Selection');
  const steps = [];
  await until('the image to be written', async () => {
    if (await quickInputVisible(page)) {
      const title = await page.locator(`${QUICK_INPUT} .quick-input-title`).textContent().catch(() => '');
      const ph = await page.locator(QUICK_INPUT_BOX).getAttribute('placeholder').catch(() => '');
      const step = `${title} ${ph}`.trim();
      // only the command's own steps (the palette that ran it may still be closing)
      if (/Pixelwright: Generate Image \(\d+\/\d+\)/.test(title)) {
        if (steps[steps.length - 1] !== step) steps.push(step);
        if (steps.length === 1) await ui.screenshot('first-step');
        await page.keyboard.press('Enter');
        await sleep(400);
      }
    }
    return generated().length > ctx.before.length;
  }, 60_000, 300);
  console.log(`    steps answered with Enter: ${steps.join(' | ')}`);
  const reqs = await generations();
  check(reqs.length === 1 && reqs[0].body.prompt === PROMPT, `the request's prompt: ${JSON.stringify(reqs.map((r) => r.body.prompt))}`);
});

ui.step('the link replaces the selection in the editor, and names the file written', async () => {
  const { page } = ctx;
  const added = generated().filter((n) => !ctx.before.includes(n));
  check(added.length === 1 && /^a-lighthouse-on-a-cliff-at-dusk-\d{8}-\d{6}\.png$/.test(added[0]), `written: ${added}`);
  const want = `The hero image: ![${PROMPT}](../images/generated/${added[0]})`;
  // Markdown wraps long lines: line 3's view lines are read together.
  await until('the link in the editor', async () => (await editorLines()).join('').includes(want), 15_000, 200);
  // The cursor is moved after the edit lands; the status bar shows it a moment later.
  const cursor = () => page.locator('.statusbar-item[id$="status.editor.selection"]').textContent().catch(() => '');
  const status = await until('the cursor after the link', async () => { const t = await cursor(); return t && !/selected/.test(t) ? t : ''; }, 5000, 200).catch(async () => cursor());
  console.log(`    cursor: ${status}`);
  check(!/selected/.test(status), `the link is not left selected: ${status}`);
  ctx.file = added[0];
  console.log(`    line 3 now: ${want}`);
  await ui.screenshot('link');
  await page.keyboard.press('Control+s');
  const file = path.join(ctx.workspace, 'docs', 'notes.md');
  await until('notes.md saved', () => fs.readFileSync(file, 'utf8') !== NOTES, 10_000, 200);
  check(fs.readFileSync(file, 'utf8') === NOTES.replace(`The hero image: ${PROMPT}`, want), `notes.md is now ${JSON.stringify(fs.readFileSync(file, 'utf8'))}`);
  const bytes = fs.readFileSync(path.join(ctx.workspace, 'images', 'generated', ctx.file));
  check(bytes.subarray(1, 4).toString() === 'PNG' && bytes.length > 1000, 'the file is a PNG');
});

ui.step('Ctrl+. on the new link lists Edit with Mask, Create Variations and Remake', async () => {
  const { page } = ctx;
  await goToLine(3);
  await page.keyboard.press('End');
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('Control+.');
  const menu = page.locator('.action-widget');
  await until('the code action menu', () => menu.first().isVisible(), 10_000, 200);
  const items = await until('our actions', async () => {
    const t = (await menu.first().locator('.action-list-item, .monaco-list-row').allTextContents()).map((s) => s.trim());
    return t.some((s) => s.includes('Remake')) ? t : undefined;
  }, 10_000, 200);
  console.log(`    code actions: ${items.join(' | ')}`);
  for (const w of ['Pixelwright: Edit with Mask', 'Pixelwright: Create Variations', 'Pixelwright: Remake']) check(items.some((s) => s.includes(w)), `"${w}" is offered: ${items.join(' | ')}`);
  await ui.screenshot('code-actions');
  await page.keyboard.press('Escape');
});

process.exitCode = await ui.run();
