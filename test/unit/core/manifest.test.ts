/**
 * The asset manifest (core/manifest.ts, core/jsonc.ts) and its plan (core/assetPlan.ts): what is
 * read, what is refused and where, the recipe hash, and the plan against real files on disk.
 */
import * as assert from 'assert';
import { execFileSync } from 'child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { diskPlanIO, planAssets, planCounts } from '../../../src/core/assetPlan';
import { JsoncError, parseJsonc, plainValue } from '../../../src/core/jsonc';
import { missingSourceProblems, readManifest, recipeHash, renditionHash, type Manifest } from '../../../src/core/manifest';
import { embedRecord, readRecord } from '../../../src/core/metadata';
import { ModelTable } from '../../../src/core/models';
import type { GenerationRecord } from '../../../src/core/record';
import { englishMessage } from '../../../src/shared/messages';

const models = new ModelTable();
const read = (text: string, manifestDir = '') => readManifest(text, { manifestDir, models, defaultModel: 'gpt-image-1.5' });
const codes = (m: Manifest) => m.problems.map((p) => p.code);

const GAME = `{
  // a game's item icons
  "$schema": "./node_modules/whatever.json",
  "version": 1,
  "defaults": { "model": "gpt-image-1-mini", "size": "1024x1024", "quality": "low", "background": "transparent",
                "style": "flat vector game icon, thick dark outline" },
  "assets": [
    { "path": "art/icons/sword.png", "prompt": "a short iron sword",
      "renditions": [ { "path": "art/icons/sword@64.webp", "size": "64x64" }, { "path": "art/icons/sword@2x.png", "scale": 0.25, } ] },
    { "path": "art/icons/shield.png", "prompt": "a round wooden shield", "quality": "medium" },
    { "path": "art/hero.jpg", "prompt": "the hero at dawn", "model": "gpt-image-1.5", "size": "1536x1024", "background": "opaque", "style": null },
  ],
}`;

suite('manifest: JSONC reader', () => {
  test('comments, trailing commas and escapes; offsets point at the value', () => {
    const text = '{ /* c */ "a": [1, -2.5e1, "x\\u00e9\\n",], // end\n "b": {"c": null, "d": true} }';
    const node = parseJsonc(text);
    assert.deepStrictEqual(plainValue(node), { a: [1, -25, 'xé\n'], b: { c: null, d: true } });
    assert.strictEqual(node.type, 'object');
    const a = node.type === 'object' ? node.properties[0].value : undefined;
    assert.strictEqual(text.slice(a!.offset, a!.offset + a!.length), '[1, -2.5e1, "x\\u00e9\\n",]');
  });

  test('what is not JSONC fails at its offset', () => {
    for (const [text, at] of [['{"a": 1,, }', 8], ['{"a" 1}', 5], ['[1, 2', 5], ["{'a': 1}", 1], ['{"a": 1} x', 9], ['/* open', 0]] as const) {
      assert.throws(() => parseJsonc(text), (e: unknown) => e instanceof JsoncError && e.offset === at, text);
    }
  });
});

suite('manifest: reading and checking', () => {
  test('a game manifest: defaults inherited, style added, format from the extension', () => {
    const m = read(GAME);
    assert.deepStrictEqual(m.problems, []);
    assert.strictEqual(m.entries.length, 3);
    const [sword, shield, hero] = m.entries;
    assert.deepStrictEqual(sword.request, {
      operation: 'generate', model: 'gpt-image-1-mini', prompt: 'a short iron sword\n\nflat vector game icon, thick dark outline', n: 1,
      size: '1024x1024', quality: 'low', background: 'transparent', outputFormat: 'png',
    });
    assert.strictEqual(shield.request.quality, 'medium');
    assert.strictEqual(hero.request.prompt, 'the hero at dawn');
    assert.strictEqual(hero.request.outputFormat, 'jpeg');
    assert.deepStrictEqual(sword.renditions.map((r) => [r.path, r.format, r.width, r.height, r.scale, r.fit]), [
      ['art/icons/sword@64.webp', 'webp', 64, 64, undefined, 'cover'],
      ['art/icons/sword@2x.png', 'png', undefined, undefined, 0.25, 'cover'],
    ]);
    assert.strictEqual(GAME.slice(sword.offset, sword.offset + 1), '{');
  });

  test('paths are relative to the manifest folder and must stay in the workspace', () => {
    const m = read('{"assets": [{"path": "../x.png", "prompt": "p"}, {"path": "../../y.png", "prompt": "p"}, {"path": "/etc/z.png", "prompt": "p"}, {"path": "C:\\\\z.png", "prompt": "p"}]}', 'sub');
    assert.deepStrictEqual(m.entries.map((e) => e.path), ['x.png']);
    assert.deepStrictEqual(codes(m), ['outside-workspace', 'outside-workspace', 'outside-workspace']);
  });

  test('duplicate outputs (case-insensitive, renditions included) are refused where the second is named', () => {
    const text = '{"assets": [{"path": "a.png", "prompt": "p", "renditions": [{"path": "b.webp", "size": "8x8"}]}, {"path": "A.png", "prompt": "q"}, {"path": "b.webp", "prompt": "r"}]}';
    const m = read(text);
    assert.deepStrictEqual(codes(m), ['duplicate-path', 'duplicate-path']);
    assert.strictEqual(text.slice(m.problems[0].offset, m.problems[0].offset + m.problems[0].length), '"A.png"');
    assert.deepStrictEqual(m.entries.map((e) => e.path), ['a.png']);
  });

  test('unknown models and options the model refuses: a problem on the field, the entry left out', () => {
    const text = `{"defaults": {"model": "dall-e-3"}, "assets": [
      {"path": "a.png", "prompt": "p", "model": "gpt-image-9"},
      {"path": "b.png", "prompt": "p", "size": "1536x1024"},
      {"path": "c.jpg", "prompt": "p", "model": "gpt-image-1.5", "background": "transparent"},
      {"path": "d.png", "prompt": "p", "model": "gpt-image-1-mini", "quality": "hd"},
      {"path": "e.png", "prompt": "p", "model": "gpt-image-1.5", "quality": "high"}]}`;
    const m = read(text);
    assert.deepStrictEqual(codes(m), ['unknown-model', 'refused-option', 'refused-option', 'refused-option']);
    assert.deepStrictEqual(m.problems.map((p) => p.entry), [0, 1, 2, 3]);
    assert.strictEqual(text.slice(m.problems[0].offset, m.problems[0].offset + m.problems[0].length), '"gpt-image-9"');
    assert.deepStrictEqual(m.problems[1].args, ['size', 'dall-e-3']);
    assert.match(englishMessage(m.problems[1].detail!), /1536x1024/);
    assert.deepStrictEqual(m.problems[2].args, ['background', 'gpt-image-1.5']);
    assert.strictEqual(text.slice(m.problems[3].offset, m.problems[3].offset + m.problems[3].length), '"hd"');
    assert.deepStrictEqual(m.entries.map((e) => e.path), ['e.png']);
  });

  test('missing fields, wrong types, bad extensions, a format that disagrees, unknown fields (a warning)', () => {
    const m = read(`{"assets": [{"prompt": "p"}, {"path": "a.png"}, {"path": "b.gif", "prompt": "p"}, {"path": "c.png", "prompt": "p", "format": "webp"},
      {"path": "d.png", "prompt": 3}, {"path": "e.png", "prompt": "p", "qualty": "low"}, "x"]}`);
    assert.deepStrictEqual(codes(m), ['missing-field', 'missing-field', 'bad-extension', 'format-mismatch', 'wrong-type', 'unknown-field', 'wrong-type']);
    assert.strictEqual(m.problems.find((p) => p.code === 'unknown-field')!.severity, 'warning');
    assert.deepStrictEqual(m.entries.map((e) => e.path), ['e.png']);
    assert.strictEqual(m.all.length, 7);
  });

  test('renditions: a size, a scale or a width; fit, background and quality checked', () => {
    const m = read(`{"assets": [{"path": "a.png", "prompt": "p", "renditions": [
      {"path": "r1.png", "size": "0x5"}, {"path": "r2.png", "scale": 0.5, "width": 3}, {"path": "r3.png", "fit": "stretch", "width": 4},
      {"path": "r4.png", "width": 4, "background": "red"}, {"path": "r5.jpg", "width": 4, "quality": 0}, {"path": "r6.png"}, {"path": "a.png", "width": 2},
      {"path": "r7.avif", "height": 9, "fit": "pad", "background": "#ffffff80", "quality": 50}]}]}`);
    assert.deepStrictEqual(m.problems.map((p) => `${p.code}:${p.args[0]}`), ['bad-rendition:size', 'bad-rendition:scale', 'bad-rendition:fit', 'bad-rendition:background', 'bad-rendition:quality', 'bad-rendition:size', 'bad-rendition:path']);
    assert.strictEqual(m.entries.length, 0);
    const ok = read(`{"assets": [{"path": "a.png", "prompt": "p", "renditions": [{"path": "r7.avif", "height": 9, "fit": "pad", "background": "#ffffff80", "quality": 50}]}]}`);
    assert.deepStrictEqual(ok.problems, []);
    assert.deepStrictEqual(ok.entries[0].renditions[0].height, 9);
  });

  test('not JSON: one problem with the line; not an object or no assets: one problem', () => {
    const m = read('{\n "assets": [\n  {"path": "a.png" "prompt": "p"}\n ]\n}');
    assert.deepStrictEqual(codes(m), ['not-json']);
    assert.deepStrictEqual(m.problems[0].args, ['3']);
    assert.deepStrictEqual(codes(read('[]')), ['not-object']);
    assert.deepStrictEqual(codes(read('{}')), ['no-assets']);
    assert.deepStrictEqual(codes(read('{"assets": {}}')), ['wrong-type']);
  });

  test('edits: sources make the entry an edit; a missing source is a problem and drops the entry', () => {
    const text = '{"assets": [{"path": "out/a.png", "prompt": "make it night", "sources": ["art/day.png"]}, {"path": "out/b.png", "prompt": "p", "sources": ["art/gone.png"]}]}';
    const m = read(text);
    assert.deepStrictEqual(m.entries.map((e) => [e.request.operation, e.sources]), [['edit', ['art/day.png']], ['edit', ['art/gone.png']]]);
    const checked = missingSourceProblems(m, text, (p) => p === 'art/day.png');
    assert.deepStrictEqual(codes(checked), ['missing-source']);
    assert.strictEqual(text.slice(checked.problems[0].offset, checked.problems[0].offset + checked.problems[0].length), 'gone.png');
    assert.deepStrictEqual(checked.entries.map((e) => e.path), ['out/a.png']);
    const tooMany = read(`{"assets": [{"path": "a.png", "prompt": "p", "model": "dall-e-2", "size": "256x256", "sources": ["x.png", "y.png"]}]}`);
    assert.deepStrictEqual(codes(tooMany), ['refused-option']);
  });

  test('the recipe hash changes with what shapes the image, not with comments or field order', () => {
    const base = read('{"assets": [{"path": "a.png", "prompt": "p", "size": "1024x1024"}]}').entries[0];
    const same = read('{ // note\n"assets": [{"size": "1024x1024", "prompt": "p", "path": "a.png"}]}').entries[0];
    assert.strictEqual(recipeHash(base), recipeHash(same));
    assert.match(recipeHash(base), /^[0-9a-f]{20}$/);
    for (const changed of [
      '{"assets": [{"path": "a.png", "prompt": "p2", "size": "1024x1024"}]}',
      '{"assets": [{"path": "a.png", "prompt": "p", "size": "1536x1024"}]}',
      '{"defaults": {"style": "ink"}, "assets": [{"path": "a.png", "prompt": "p", "size": "1024x1024"}]}',
      '{"assets": [{"path": "a.webp", "prompt": "p", "size": "1024x1024"}]}',
      '{"assets": [{"path": "a.png", "prompt": "p", "size": "1024x1024", "model": "gpt-image-1-mini"}]}',
    ]) assert.notStrictEqual(recipeHash(read(changed).entries[0]), recipeHash(base), changed);
    const edit = read('{"assets": [{"path": "a.png", "prompt": "p", "sources": ["s.png"]}]}').entries[0];
    assert.notStrictEqual(recipeHash(edit, () => 'aaa'), recipeHash(edit, () => 'bbb'));
    const r = read(GAME).entries[0].renditions[0];
    assert.notStrictEqual(renditionHash(r, { recipe: 'x', createdAt: '1' }), renditionHash(r, { recipe: 'x', createdAt: '2' }));
    assert.notStrictEqual(renditionHash(r, { recipe: 'x', createdAt: '1' }), renditionHash(r, { recipe: 'y', createdAt: '1' }));
  });

  test('the schema files are what scripts/asset-schema.mjs writes', () => {
    const root = path.join(__dirname, '..', '..', '..', '..');
    execFileSync(process.execPath, [path.join(root, 'scripts', 'asset-schema.mjs'), '--check'], { stdio: 'pipe' });
  });
});

suite('manifest: plan against the files', () => {
  let dir: string;
  let png: Buffer;
  setup(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pw-plan-'));
    png = await sharp({ create: { width: 16, height: 16, channels: 4, background: '#3366cc' } }).png().toBuffer();
  });
  teardown(() => rmSync(dir, { recursive: true, force: true }));

  const record = (asset?: GenerationRecord['asset']): GenerationRecord => ({
    v: 1, operation: 'generate', prompt: 'p', model: 'gpt-image-1-mini', options: {}, provider: { kind: 'openai' }, createdAt: '2026-12-01T00:00:00.000Z', tool: 'test', ...(asset ? { asset } : {}),
  });
  const put = (rel: string, bytes: Uint8Array) => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), bytes);
  };

  test('new, changed, foreign, up to date, waiting renditions and orphans; heads only', async () => {
    const m = read(GAME);
    const [sword, shield] = m.entries;
    // sword up to date, its first rendition up to date, the second missing
    put('art/icons/sword.png', embedRecord(png, record({ recipe: recipeHash(sword) })));
    const swordRec = readRecord(embedRecord(png, record({ recipe: recipeHash(sword) })))!;
    put('art/icons/sword@64.webp', embedRecord(png, record({ recipe: renditionHash(sword.renditions[0], { recipe: recipeHash(sword), createdAt: swordRec.createdAt }), of: 'art/icons/sword.png' })));
    // shield made from an older recipe
    put('art/icons/shield.png', embedRecord(png, record({ recipe: 'old' })));
    // the hero is a file Pixelwright did not make
    put('art/hero.jpg', await sharp(png).jpeg().toBuffer());
    // an asset no entry names any more, and a plain image beside it
    put('art/icons/axe.png', embedRecord(png, record({ recipe: 'gone' })));
    put('art/icons/readme.png', png);
    const plan = await planAssets(m.entries, diskPlanIO(dir));
    assert.deepStrictEqual(plan.items.map((i) => `${i.path}:${i.state}`), [
      'art/icons/sword.png:up-to-date', 'art/icons/sword@64.webp:up-to-date', 'art/icons/sword@2x.png:new',
      'art/icons/shield.png:changed', 'art/hero.jpg:foreign',
    ]);
    assert.deepStrictEqual(plan.orphaned, ['art/icons/axe.png']);
    assert.deepStrictEqual(planCounts(plan), { new: 1, changed: 1, foreign: 1, 'up-to-date': 2, waiting: 0, orphaned: 1 });
    // shield (gpt-image-1-mini medium 1024) and hero (gpt-image-1.5, token-billed)
    assert.deepStrictEqual(plan.cost, { images: 2, priced: 1, min: 0.011, max: 0.011, unpriced: 1 });
    assert.ok(plan.bytesRead > 0);
    void shield;
  });

  test('renditions wait while their image is to be made; all new in an empty workspace', async () => {
    const plan = await planAssets(read(GAME).entries, diskPlanIO(dir));
    assert.deepStrictEqual(plan.items.map((i) => i.state), ['new', 'waiting', 'waiting', 'new', 'new']);
    assert.strictEqual(plan.bytesRead, 0);
    assert.deepStrictEqual(plan.orphaned, []);
  });
});
