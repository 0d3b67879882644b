/**
 * Recipes everywhere (core and shared, plain Node): recipes read from anyone's files are
 * sanitized; the sidecar codec and writer; C2PA detection (the reason for sidecars); lineage and
 * its bounds; finding a recipe inside the image or beside it; the model offered instead of a
 * missing one; what Show Recipe shows of a hostile recipe, and that its page renders it as text;
 * the Gallery's search.
 */
import * as assert from 'assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import sharp from 'sharp';
import { writeImageWithRecipe } from '../../../src/core/files';
import { buildLineage, lineageBytes, lineageDepth, LINEAGE_LIMITS } from '../../../src/core/lineage';
import { embedRecord, readRecord } from '../../../src/core/metadata';
import { hasContentCredentials } from '../../../src/core/metadata/c2pa';
import { ModelTable } from '../../../src/core/models';
import { closestModel, parseRecipeText, sanitizeRecord } from '../../../src/core/recipe';
import { memoryRecipeSource, findRecipe, readRecipeFile, sidecarPath } from '../../../src/core/recipeFile';
import { buildRecipeView, RAW_SHOWN_CHARS } from '../../../src/core/recipeView';
import type { GenerationRecord } from '../../../src/core/record';
import { imageNameOfSidecar, MAX_SIDECAR_BYTES, parseSidecar, sidecarBytes, sidecarName } from '../../../src/core/sidecar';
import { matchesGalleryQuery, parseGalleryQuery } from '../../../src/shared/gallerySearch';
import { parseFromRecipe } from '../../../src/shared/recipeProtocol';

const PNG_1x1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

function record(over: Partial<GenerationRecord> = {}): GenerationRecord {
  return { v: 1, operation: 'generate', prompt: 'a lighthouse at dusk', model: 'gpt-image-1.5', options: { size: '1024x1024', quality: 'low', n: 1 }, provider: { kind: 'openai' }, createdAt: '2026-05-01T10:00:00.000Z', tool: 'Pixelwright test', ...over };
}

function crc(b: Buffer): number {
  return (zlib as unknown as { crc32(d: Buffer): number }).crc32(b) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  td.copy(out, 4);
  out.writeUInt32BE(crc(td), 8 + data.length);
  return out;
}

/** A PNG with a C2PA manifest store chunk (caBX) after IHDR, as C2PA tools write it. */
function pngWithC2pa(): Buffer {
  const jumbf = Buffer.concat([Buffer.from([0, 0, 0, 40]), Buffer.from('jumb'), Buffer.from([0, 0, 0, 32]), Buffer.from('jumd'), Buffer.alloc(16), Buffer.from('c2pa\0')]);
  return Buffer.concat([PNG_1x1.subarray(0, 33), pngChunk('caBX', jumbf), PNG_1x1.subarray(33)]);
}

suite('recipes: sanitizing what a file carries', () => {
  test('a well-formed record comes back with its fields', () => {
    const r = record({ revisedPrompt: 'rewritten', sources: ['a.png'], requestId: 'req_1', index: 0, count: 2 });
    assert.deepStrictEqual(sanitizeRecord(JSON.parse(JSON.stringify(r))), r);
  });

  test('not a record: no v:1, prompt or model of the wrong type, not an object', () => {
    for (const bad of [null, 'x', [], {}, { v: 2, prompt: 'p', model: 'm' }, { v: 1, prompt: 3, model: 'm' }, { v: 1, prompt: 'p', model: {} }]) assert.strictEqual(sanitizeRecord(bad), undefined, JSON.stringify(bad));
    assert.strictEqual(parseRecipeText('{not json'), undefined);
  });

  test('wrong types are dropped, huge strings bounded, options flattened, unknown operations read as generations', () => {
    const r = sanitizeRecord({
      v: 1,
      operation: 'rm -rf',
      prompt: 'x'.repeat(200_000),
      model: 'm',
      options: { size: '1024x1024', nested: { a: 1 }, fn: 'y'.repeat(5000), n: 2, ok: true, bad: null },
      sources: ['a.png', 3, { p: 1 }],
      provider: 'openai',
      createdAt: 12,
      count: 'ten',
      truncated: ['prompt', 'evil'],
      lineage: [{ path: 'p.png', recipe: { v: 1, prompt: 'older', model: 'm2' } }, { path: 4, recipe: {} }, 'junk'],
      cost: { usd: 0.04, note: 'x' },
      usage: { total_tokens: 100 },
      callback: () => 1,
    })!;
    assert.strictEqual(r.operation, 'generate');
    assert.strictEqual(r.prompt.length, 64_000);
    assert.deepStrictEqual(r.options, { size: '1024x1024', fn: 'y'.repeat(1000), n: 2, ok: true });
    assert.deepStrictEqual(r.sources, ['a.png']);
    assert.deepStrictEqual(r.provider, { kind: 'unknown' });
    assert.strictEqual(r.createdAt, '');
    assert.strictEqual(r.count, undefined);
    assert.deepStrictEqual(r.truncated, ['prompt']);
    assert.strictEqual(r.lineage?.length, 1);
    assert.strictEqual(r.lineage?.[0].recipe.prompt, 'older');
    assert.deepStrictEqual((r as unknown as { cost: unknown }).cost, { usd: 0.04, note: 'x' });
    assert.strictEqual((r as unknown as { callback?: unknown }).callback, undefined);
  });

  test('a lineage nested deeper than the read bound is cut there (no stack exhaustion)', () => {
    let deep: Record<string, unknown> = { v: 1, prompt: 'root', model: 'm' };
    for (let i = 0; i < 5000; i++) deep = { v: 1, prompt: `p${i}`, model: 'm', lineage: [{ path: `${i}.png`, recipe: deep }] };
    const r = sanitizeRecord(deep)!;
    assert.ok(lineageDepth(r.lineage) <= 8, `depth ${lineageDepth(r.lineage)}`);
  });
});

suite('recipes: sidecars', () => {
  test('names: the image name plus .pixelwright.json, and back', () => {
    assert.strictEqual(sidecarName('a.png'), 'a.png.pixelwright.json');
    assert.strictEqual(imageNameOfSidecar('a.png.pixelwright.json'), 'a.png');
    assert.strictEqual(imageNameOfSidecar('a.png.json'), undefined);
    assert.strictEqual(imageNameOfSidecar('.pixelwright.json'), undefined);
    assert.strictEqual(sidecarPath('/w/img/a b.jpg'), '/w/img/a b.jpg.pixelwright.json');
  });

  test('written and read back: the record, the image it was written for', () => {
    const r = record({ lineage: [{ path: 'src.png', recipe: record({ prompt: 'src' }) }] });
    const read = parseSidecar(sidecarBytes(r, 'a.png', 1234));
    assert.deepStrictEqual(read.record, r);
    assert.strictEqual(read.image, 'a.png');
    assert.strictEqual(read.imageBytes, 1234);
  });

  test('malformed sidecars give their text to show, never a record', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    assert.deepStrictEqual(parseSidecar(enc('{oops')), { problem: 'not-json', raw: '{oops' });
    assert.strictEqual(parseSidecar(enc('{"pixelwright":"recipe","record":{"v":1}}')).problem, 'not-a-recipe');
    assert.strictEqual(parseSidecar(enc(JSON.stringify({ record: record() }))).problem, 'not-a-recipe', 'no pixelwright marker');
    assert.strictEqual(parseSidecar(Uint8Array.of(0xff, 0xfe, 0x00)).problem, 'not-text');
    const huge = parseSidecar(new Uint8Array(MAX_SIDECAR_BYTES + 1).fill(0x20));
    assert.strictEqual(huge.problem, 'too-large');
    assert.strictEqual(huge.record, undefined);
  });
});

suite('recipes: C2PA content credentials', () => {
  test('PNG caBX, JPEG APP11 JUMBF and WebP C2PA chunks are seen; plain images are not', async () => {
    assert.strictEqual(hasContentCredentials(PNG_1x1), false);
    assert.strictEqual(hasContentCredentials(pngWithC2pa()), true);
    const jpeg = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#369' } }).jpeg().toBuffer();
    assert.strictEqual(hasContentCredentials(jpeg), false);
    const payload = Buffer.concat([Buffer.from('JP'), Buffer.from([0, 1, 0, 0, 0, 1]), Buffer.from([0, 0, 0, 40]), Buffer.from('jumb'), Buffer.from([0, 0, 0, 32]), Buffer.from('jumd'), Buffer.alloc(16), Buffer.from('c2pa\0')]);
    const app11 = Buffer.concat([Buffer.from([0xff, 0xeb, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]), payload]);
    assert.strictEqual(hasContentCredentials(Buffer.concat([jpeg.subarray(0, 2), app11, jpeg.subarray(2)])), true);
    const other = Buffer.concat([Buffer.from([0xff, 0xeb, 0, 12]), Buffer.from('JPxxxxxxxx')]);
    assert.strictEqual(hasContentCredentials(Buffer.concat([jpeg.subarray(0, 2), other, jpeg.subarray(2)])), false, 'APP11 without a c2pa JUMBF box');
    const webp = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#369' } }).webp().toBuffer();
    assert.strictEqual(hasContentCredentials(webp), false);
    const chunk = Buffer.concat([Buffer.from('C2PA'), Buffer.from([4, 0, 0, 0]), Buffer.from('jumb')]);
    const body = Buffer.concat([webp.subarray(12), chunk]);
    const riff = Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBP'), body]);
    riff.writeUInt32LE(riff.length - 8, 4);
    assert.strictEqual(hasContentCredentials(riff), true);
  });

  test('an image with credentials is written byte for byte, its recipe in the sidecar; a plain one embeds it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-recipes-'));
    try {
      const c2pa = pngWithC2pa();
      const p = await writeImageWithRecipe(dir, 'cred.png', c2pa, record());
      assert.deepStrictEqual(fs.readFileSync(p), c2pa, 'the credentials are untouched');
      assert.deepStrictEqual(parseSidecar(fs.readFileSync(`${p}.pixelwright.json`)).record, record());
      assert.deepStrictEqual((await readRecipeFile(p)).record, record());
      assert.strictEqual((await readRecipeFile(p)).where, 'sidecar');

      // a second image of the same name: the next free name for both files, nothing overwritten
      const p2 = await writeImageWithRecipe(dir, 'cred.png', c2pa, record({ prompt: 'second' }));
      assert.notStrictEqual(p2, p);
      assert.strictEqual((await readRecipeFile(p)).record?.prompt, 'a lighthouse at dusk');
      assert.strictEqual((await readRecipeFile(p2)).record?.prompt, 'second');

      // an orphan sidecar keeps its name: the new image takes another
      fs.writeFileSync(path.join(dir, 'orphan.png.pixelwright.json'), 'keep me');
      const p3 = await writeImageWithRecipe(dir, 'orphan.png', c2pa, record());
      assert.notStrictEqual(path.basename(p3), 'orphan.png');
      assert.strictEqual(fs.readFileSync(path.join(dir, 'orphan.png.pixelwright.json'), 'utf8'), 'keep me');

      const plain = await writeImageWithRecipe(dir, 'plain.png', PNG_1x1, record());
      assert.ok(!fs.existsSync(`${plain}.pixelwright.json`));
      assert.strictEqual((await readRecipeFile(plain)).where, 'embedded');

      const forced = await writeImageWithRecipe(dir, 'forced.png', PNG_1x1, record(), 'sidecar');
      assert.deepStrictEqual(fs.readFileSync(forced), PNG_1x1, 'the setting keeps every image as it came');
      assert.strictEqual((await readRecipeFile(forced)).where, 'sidecar');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

suite('recipes: finding one', () => {
  test('embedded wins; else the sidecar (a mismatch said); else the text of a malformed one; else nothing', async () => {
    const withRec = embedRecord(PNG_1x1, record());
    assert.strictEqual((await findRecipe(memoryRecipeSource(withRec, sidecarBytes(record({ prompt: 'side' }), 'a.png', 1)), 'a.png')).record?.prompt, 'a lighthouse at dusk');
    const side = await findRecipe(memoryRecipeSource(PNG_1x1, sidecarBytes(record({ prompt: 'side' }), 'a.png', PNG_1x1.length)), 'a.png');
    assert.deepStrictEqual([side.record?.prompt, side.where, side.mismatch], ['side', 'sidecar', false]);
    const moved = await findRecipe(memoryRecipeSource(PNG_1x1, sidecarBytes(record(), 'a.png', 99)), 'a.png');
    assert.strictEqual(moved.mismatch, true);
    // a recipe that is not one: its text, never a record
    const fixed = embedRecordRaw(PNG_1x1, '{"v":9,"prompt":"<script>alert(1)</script>"}');
    const raw = await findRecipe(memoryRecipeSource(fixed), 'a.png', { raw: true });
    assert.strictEqual(raw.record, undefined);
    assert.strictEqual(raw.raw, '{"v":9,"prompt":"<script>alert(1)</script>"}');
    assert.strictEqual((await findRecipe(memoryRecipeSource(fixed), 'a.png')).raw, undefined, 'the whole file is read for raw text only when asked');
    assert.deepStrictEqual(await findRecipe(memoryRecipeSource(PNG_1x1), 'a.png', { raw: true }), { width: 1, height: 1, size: PNG_1x1.length });
  });
});

/** A PNG with `text` under Pixelwright's keyword, valid record or not. */
function embedRecordRaw(png: Buffer, text: string): Buffer {
  const data = Buffer.concat([Buffer.from('pixelwright\0', 'latin1'), Buffer.from([0, 0, 0, 0]), Buffer.from(text, 'utf8')]);
  return Buffer.concat([png.subarray(0, 33), pngChunk('iTXt', data), png.subarray(33)]);
}

suite('recipes: lineage and its bounds', () => {
  const chain = (n: number, prompt = 'p'): GenerationRecord => {
    let r = record({ prompt: `${prompt}0` });
    for (let i = 1; i < n; i++) r = record({ operation: 'edit', prompt: `${prompt}${i}`, sources: [`s${i - 1}.png`], lineage: [{ path: `s${i - 1}.png`, recipe: r }] });
    return r;
  };

  test('the sources that carried a recipe, with their own sources, within the depth', () => {
    const { lineage, cut } = buildLineage([{ path: 'a.png', recipe: chain(2) }, { path: 'plain.png' }, { path: 'bad.png', recipe: { v: 7 } }]);
    assert.strictEqual(cut, false);
    assert.deepStrictEqual(lineage.map((e) => e.path), ['a.png']);
    assert.strictEqual(lineageDepth(lineage), 2);
  });

  test(`depth: at most ${LINEAGE_LIMITS.depth} generations, and the cut is said`, () => {
    const { lineage, cut } = buildLineage([{ path: 'a.png', recipe: chain(10) }]);
    assert.strictEqual(lineageDepth(lineage), LINEAGE_LIMITS.depth);
    assert.strictEqual(cut, true);
    const kept = buildLineage([{ path: 'a.png', recipe: chain(LINEAGE_LIMITS.depth) }]);
    assert.strictEqual(lineageDepth(kept.lineage), LINEAGE_LIMITS.depth);
    assert.strictEqual(kept.cut, false, 'exactly at the bound nothing is cut');
  });

  test(`bytes: at most ${LINEAGE_LIMITS.bytes}; older generations go first, then prompts shorten, then entries`, () => {
    const long = 'ü'.repeat(3000); // 6000 UTF-8 bytes
    const deep = buildLineage([{ path: 'a.png', recipe: chain(3, long) }]);
    assert.ok(lineageBytes(deep.lineage) <= LINEAGE_LIMITS.bytes, `${lineageBytes(deep.lineage)}`);
    assert.strictEqual(deep.cut, true);
    assert.ok(lineageDepth(deep.lineage) < 3, 'older generations were left out');
    assert.ok(deep.lineage[0].recipe.prompt.startsWith(long.slice(0, 10)));

    const many = Array.from({ length: 16 }, (_, i) => ({ path: `r${i}.png`, recipe: record({ prompt: long, revisedPrompt: long }) }));
    const shortened = buildLineage(many);
    assert.ok(lineageBytes(shortened.lineage) <= LINEAGE_LIMITS.bytes);
    assert.strictEqual(shortened.lineage.length, 16, 'prompts shortened before entries are dropped');
    assert.ok(shortened.lineage[0].recipe.prompt.length < long.length);

    const tiny = buildLineage(many, { depth: 3, bytes: 600, promptChars: 100 });
    assert.ok(lineageBytes(tiny.lineage) <= 600);
    assert.ok(tiny.lineage.length < 16 && tiny.lineage.length > 0, `${tiny.lineage.length} entries`);
    assert.strictEqual(tiny.cut, true);
  });

  test('a JPEG whose record would not fit drops the lineage before cutting the prompt', async () => {
    const jpeg = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#369' } }).jpeg().toBuffer();
    const big = Array.from({ length: 40 }, (_, i) => ({ path: `r${i}.png`, recipe: record({ prompt: 'x'.repeat(3000) }) }));
    const r = record({ operation: 'edit', prompt: 'keep this prompt whole', lineage: big });
    const read = readRecord(embedRecord(jpeg, r))!;
    assert.strictEqual(read.prompt, 'keep this prompt whole');
    assert.strictEqual(read.lineage, undefined);
    assert.strictEqual(read.lineageCut, true);
    assert.strictEqual(read.truncated, undefined);
  });
});

suite('recipes: a model the provider lacks', () => {
  test('the closest offered: same family first, then the longest shared name', () => {
    const table = new ModelTable();
    const gen = table.list('generate');
    assert.strictEqual(closestModel('gpt-image-1', gen)?.family, 'gpt-image');
    assert.ok(closestModel('gpt-image-1', gen)!.id.startsWith('gpt-image-1'), closestModel('gpt-image-1', gen)!.id);
    assert.strictEqual(closestModel('dall-e-3-preview', gen)?.id, 'dall-e-3');
    assert.strictEqual(closestModel('gpt-image-1', gen.filter((m) => m.family !== 'gpt-image'))?.family !== undefined, true);
    assert.strictEqual(closestModel('anything', []), undefined);
  });
});

suite('recipes: what Show Recipe shows', () => {
  const exists = () => true;
  const offered = (m: string) => m === 'gpt-image-1.5';

  test('a hostile recipe stays plain strings: markup in the prompt, wrong types, huge values', () => {
    const hostile = sanitizeRecord({
      v: 1,
      prompt: '<img src=x onerror=alert(1)><script>alert(2)</script>',
      model: '<b>gpt</b>',
      options: { size: '<svg onload=alert(3)>' },
      sources: ['../../etc/passwd', 'ok.png'],
      provider: { kind: 'openai', baseUrl: 'javascript:alert(4)' },
      createdAt: 'not a date',
    })!;
    const view = buildRecipeView('img/a.png', { record: hostile, where: 'embedded' }, (p) => p === 'ok.png', offered);
    assert.strictEqual(view.state, 'recipe');
    assert.strictEqual(view.prompt, '<img src=x onerror=alert(1)><script>alert(2)</script>');
    assert.deepStrictEqual(view.options, [['size', '<svg onload=alert(3)>']]);
    assert.deepStrictEqual(view.sources, [{ path: '../../etc/passwd', exists: false }, { path: 'ok.png', exists: true }]);
    assert.strictEqual(view.modelMissing, true);
    const walk = (v: unknown): void => {
      if (v === null || v === undefined) return;
      if (typeof v === 'object') return void Object.values(v).forEach(walk);
      assert.ok(['string', 'number', 'boolean'].includes(typeof v), `a ${typeof v} in the view`);
    };
    walk(view);
  });

  test('a malformed recipe is its text, bounded; none is said; cost and usage when recorded', () => {
    const raw = buildRecipeView('a.png', { raw: '{"v":9}'.padEnd(RAW_SHOWN_CHARS + 10, ' ') }, exists, offered);
    assert.strictEqual(raw.state, 'malformed');
    assert.strictEqual(raw.raw!.length, RAW_SHOWN_CHARS);
    assert.strictEqual(raw.rawCut, true);
    assert.strictEqual(buildRecipeView('a.png', {}, exists, offered).state, 'none');
    const costed = sanitizeRecord({ ...record(), cost: { usd: 0.042 }, usage: { input_tokens: 10, output_tokens: 90, total_tokens: 100 } })!;
    const view = buildRecipeView('a.png', { record: costed }, exists, offered);
    assert.strictEqual(view.cost, '$0.042');
    assert.strictEqual(view.usage, '100 tokens (input 10, output 90)');
    assert.strictEqual(view.modelMissing, undefined);
  });

  test('the lineage is listed generation by generation', () => {
    const r = record({ operation: 'edit', lineage: [{ path: 's.png', recipe: record({ operation: 'edit', prompt: 'mid', lineage: [{ path: 'g.png', recipe: record({ prompt: 'first' }) }] }) }] });
    const view = buildRecipeView('a.png', { record: r }, exists, offered);
    assert.deepStrictEqual(view.lineage.map((e) => [e.depth, e.path, e.prompt]), [[1, 's.png', 'mid'], [2, 'g.png', 'first']]);
  });

  test('the page renders every value as text: no element, script or handler comes from the recipe', () => {
    const created: FakeElement[] = [];
    const doc = fakeDocument(created);
    const g = globalThis as unknown as { document?: unknown };
    const before = g.document;
    g.document = doc;
    // dom.ts reads the platform once when it loads (Node 20 has no navigator).
    const nav = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    if (!nav) Object.defineProperty(globalThis, 'navigator', { value: { platform: 'Linux', userAgent: 'test' }, configurable: true });
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { renderRecipe } = require('../../../src/webview/recipe/render') as typeof import('../../../src/webview/recipe/render');
      const hostile = sanitizeRecord({ v: 1, operation: 'edit', prompt: '<script>alert(1)</script><img src=x onerror=alert(2)>', model: 'm', options: { a: '<b>' }, sources: ['s.png'] })!;
      const view = buildRecipeView('x.png', { record: hostile }, exists, offered);
      const root = renderRecipe(view, 'en', () => undefined) as unknown as FakeElement;
      assert.ok(!created.some((e) => ['script', 'img', 'iframe', 'svg', 'object'].includes(e.tag)), created.map((e) => e.tag).join(','));
      assert.ok(!created.some((e) => Object.keys(e.attrs).some((a) => a.startsWith('on'))), 'no handler attribute');
      assert.ok(root.text().includes('<script>alert(1)</script><img src=x onerror=alert(2)>'), 'the prompt shows as its characters');
      const malformed = renderRecipe(buildRecipeView('x.png', { raw: '<script>alert(3)</script>' }, exists, offered), 'en', () => undefined) as unknown as FakeElement;
      assert.ok(malformed.text().includes('<script>alert(3)</script>'));
      assert.ok(!created.some((e) => e.tag === 'script'));
    } finally {
      g.document = before;
      if (!nav) delete (globalThis as { navigator?: unknown }).navigator;
    }
  });
});

interface FakeElement {
  tag: string;
  attrs: Record<string, string>;
  children: (FakeElement | string)[];
  text(): string;
}

/** Just enough of a DOM for render.ts; innerHTML and outerHTML throw, so markup parsing is caught. */
function fakeDocument(created: FakeElement[]) {
  const make = (tag: string): FakeElement => {
    const el: FakeElement & Record<string, unknown> = {
      tag,
      attrs: {},
      children: [],
      text() {
        return this.children.map((c) => (typeof c === 'string' ? c : c.text())).join('');
      },
      setAttribute(k: string, v: string) {
        el.attrs[k] = v;
      },
      append(...cs: (FakeElement | string)[]) {
        el.children.push(...cs);
      },
      addEventListener() {},
      classList: { add() {} },
    };
    for (const p of ['innerHTML', 'outerHTML', 'insertAdjacentHTML']) {
      Object.defineProperty(el, p, {
        get() {
          throw new Error(`${p} used`);
        },
        set() {
          throw new Error(`${p} used`);
        },
      });
    }
    created.push(el);
    return el;
  };
  return { createElement: make, createElementNS: (_ns: string, tag: string) => make(tag) };
}

suite('gallery search', () => {
  const item = { prompt: 'An otter reading', model: 'gpt-image-1.5', name: 'otter.png', operation: 'edit', createdAt: '2026-05-14T09:30:00.000Z' };
  const m = (q: string) => matchesGalleryQuery(item, parseGalleryQuery(q));

  test('words match prompt, model and name; every word must match', () => {
    assert.ok(m('otter'));
    assert.ok(m('OTTER reading'));
    assert.ok(m('1.5'));
    assert.ok(!m('otter swimming'));
  });

  test('model:, op:, and dates (after:, before:, on: a year, month or day)', () => {
    assert.ok(m('model:gpt-image-1.5'));
    assert.ok(!m('model:dall-e'));
    assert.ok(m('op:edit') && m('operation:edits'));
    assert.ok(!m('op:generate') && !m('op:variation'));
    assert.ok(m('after:2026-05-14') && m('after:2026-05') && m('after:2026'));
    assert.ok(!m('after:2026-05-15'));
    assert.ok(m('before:2026-05-15') && !m('before:2026-05-14') && !m('before:2026-05'));
    assert.ok(m('on:2026-05-14') && m('on:2026-05') && m('on:2026'));
    assert.ok(!m('on:2026-05-13') && !m('on:2026-04') && !m('on:2025'));
    assert.ok(m('on:2026-12') === false);
    assert.ok(matchesGalleryQuery({ ...item, createdAt: '2026-12-31T23:00:00Z' }, parseGalleryQuery('on:2026-12')));
    assert.ok(m('otter model:gpt op:edit on:2026-05'));
  });

  test('an unreadable field matches nothing; a field still being typed is ignored', () => {
    assert.ok(!m('after:soon'));
    assert.ok(!m('op:paint'));
    assert.ok(!m('on:2026-13'));
    assert.ok(m('model:'));
  });

  test('a generation without an operation field reads as one', () => {
    assert.ok(matchesGalleryQuery({ ...item, operation: 'generate' }, parseGalleryQuery('op:generation')));
  });
});

suite('recipe panel protocol', () => {
  test('only known actions with bounded fields pass', () => {
    assert.deepStrictEqual(parseFromRecipe({ type: 'ready' }), { type: 'ready' });
    assert.deepStrictEqual(parseFromRecipe({ type: 'action', id: 1, action: 'remake' }), { type: 'action', id: 1, action: 'remake' });
    assert.deepStrictEqual(parseFromRecipe({ type: 'action', id: 2, action: 'openSource', path: 'a.png' }), { type: 'action', id: 2, action: 'openSource', path: 'a.png' });
    for (const bad of [{ type: 'action', id: 1, action: 'eval' }, { type: 'action', id: -1, action: 'remake' }, { type: 'action', id: 1, action: 'openSource', path: 3 }, { type: 'action', id: 1, action: 'openSource', path: 'x'.repeat(5000) }, null, 'ready']) {
      assert.strictEqual(parseFromRecipe(bad), undefined, JSON.stringify(bad));
    }
  });
});
