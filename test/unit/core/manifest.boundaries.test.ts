// The asset manifest's diagnostics (src/core/manifest.ts), each read whole: code, severity, the
// text it underlines, its arguments, its entry and its detail, for every kind of mistake at the top,
// in an entry and in a rendition, with each numeric bound on both sides; and the hashes that do
// not depend on how the manifest orders its fields.
import * as assert from 'assert';
import { formatOf, missingSourceProblems, readManifest, recipeHash, renditionHash, type Manifest, type Rendition } from '../../../src/core/manifest';
import { ModelTable } from '../../../src/core/models';

const models = new ModelTable();
const read = (text: string, manifestDir = '') => readManifest(text, { manifestDir, models, defaultModel: 'gpt-image-1.5' });
type Seen = [code: string, severity: string, underlined: string, args: readonly string[], entry: number | null, detail: string | null];
const seen = (text: string, m: Manifest): Seen[] =>
  m.problems.map((p) => [p.code, p.severity, text.slice(p.offset, p.offset + p.length), p.args, p.entry ?? null, (p.detail as { id?: string } | undefined)?.id ?? null]);
const problems = (text: string) => seen(text, read(text));
const A = (...entries: string[]) => `{"assets":[${entries.join(',')}]}`;
const R = (...renditions: string[]) => A(`{"path":"a.png","prompt":"p","renditions":[${renditions.join(',')}]}`);

suite('manifest diagnostics, whole', () => {
  test('the file: not JSON (with its line), not an object, no assets, wrong types, unknown fields', () => {
    assert.deepStrictEqual(problems('not json'), [['not-json', 'error', 'n', ['1'], null, 'jsonc.value']]);
    assert.deepStrictEqual(problems('\n[1'), [['not-json', 'error', '', ['2'], null, 'jsonc.atEnd']]);
    assert.deepStrictEqual(problems('[]'), [['not-object', 'error', '[]', [], null, null]]);
    assert.deepStrictEqual(problems('{"version":1}'), [['no-assets', 'error', '{', [], null, null]]);
    assert.deepStrictEqual(problems('{"assets":{}}'), [['wrong-type', 'error', '{}', ['assets', 'array'], null, null]]);
    assert.deepStrictEqual(problems('{"assets":[],"extra":1}'), [['unknown-field', 'warning', '"extra"', ['extra'], null, null]]);
    assert.deepStrictEqual(problems('{"defaults":[],"assets":[]}'), [['wrong-type', 'error', '[]', ['defaults', 'object'], null, null]]);
    assert.deepStrictEqual(problems('{"defaults":{"nope":1},"assets":[]}'), [['unknown-field', 'warning', '"nope"', ['nope'], null, null]]);
    for (const t of ['not json', '[]', '{"version":1}', '{"assets":{}}']) assert.deepStrictEqual([read(t).entries, read(t).all], [[], []], t);
  });

  test('an entry: its type, path and prompt, extension, model, format and sources', () => {
    assert.deepStrictEqual(problems(A('5')), [['wrong-type', 'error', '5', ['assets[0]', 'object'], 0, null]]);
    assert.deepStrictEqual(problems(A('{"prompt":"p"}')), [['missing-field', 'error', '{', ['path'], 0, null]]);
    assert.deepStrictEqual(problems(A('{"path":"a.png"}')), [['missing-field', 'error', '{', ['prompt'], 0, null]]);
    assert.deepStrictEqual(problems(A('{"path":"a.png","prompt":"  "}')), [['missing-field', 'error', '"prompt"', ['prompt'], 0, null]]);
    assert.deepStrictEqual(problems(A('{"path":"a.png","prompt":null}')), [['missing-field', 'error', '"prompt"', ['prompt'], 0, null]]);
    assert.deepStrictEqual(problems(A('{"path":"a.png","prompt":3}')), [['wrong-type', 'error', '3', ['prompt', 'string'], 0, null]]);
    assert.deepStrictEqual(problems(A('{"path":"a.gif","prompt":"p"}')), [['bad-extension', 'error', '"a.gif"', ['a.gif', '.png, .jpg, .webp'], 0, null]]);
    assert.deepStrictEqual(problems(A('{"path":"a.avif","prompt":"p"}')), [['bad-extension', 'error', '"a.avif"', ['a.avif', '.png, .jpg, .webp'], 0, null]]);
    assert.deepStrictEqual(problems(A('{"path":"a.png","prompt":"p","model":"nope-1"}')), [['unknown-model', 'error', '"nope-1"', ['nope-1'], 0, null]]);
    assert.deepStrictEqual(problems(A('{"path":"a.png","prompt":"p","format":"jpeg"}')), [['format-mismatch', 'error', '"jpeg"', ['jpeg', 'a.png'], 0, null]]);
    assert.deepStrictEqual(problems(A('{"path":"a.jpg","prompt":"p","format":"jpg"}')), []);
    assert.deepStrictEqual(problems(A('{"path":"a.png","prompt":"p","sources":"x"}')), [['wrong-type', 'error', '"x"', ['sources', 'array'], 0, null]]);
    assert.deepStrictEqual(problems(A('{"path":"a.png","prompt":"p","sources":["s.png",5]}')), [['wrong-type', 'error', '5', ['sources', 'string'], 0, null]]);
    const all = read(A('5', '{"path":"a.gif","prompt":"p"}', '{"path":"b.png","prompt":"p"}')).all;
    assert.deepStrictEqual(all.map((e) => [e.index, e.path ?? null]), [[0, null], [1, null], [2, 'b.png']]);
  });

  test('paths: outside the workspace, empty, backslashes, the same path twice in any case', () => {
    for (const p of ['/abs.png', 'C:/x.png', '../x.png', 'd/../../x.png']) assert.deepStrictEqual(problems(A(`{"path":"${p}","prompt":"p"}`)), [['outside-workspace', 'error', `"${p}"`, [p], 0, null]], p);
    assert.deepStrictEqual(problems(A('{"path":"","prompt":"p"}')), [['missing-field', 'error', '""', ['path'], 0, null]]);
    assert.deepStrictEqual(read(A('{"path":"sub\\\\b.png","prompt":"p"}')).entries.map((e) => e.path), ['sub/b.png']);
    assert.deepStrictEqual(read(A('{"path":"b.png","prompt":"p"}'), 'art').entries.map((e) => e.path), ['art/b.png']);
    assert.deepStrictEqual(read(A('{"path":"x/b.png","prompt":"p"}'), 'a:b').entries.map((e) => e.path), ['a:b/x/b.png'], 'only the written path is checked for a drive');
    const twice = A('{"path":"A.png","prompt":"p"}', '{"path":"a.png","prompt":"q"}');
    assert.deepStrictEqual(problems(twice), [['duplicate-path', 'error', '"a.png"', ['a.png'], 1, null]]);
    assert.deepStrictEqual(read(twice).entries.map((e) => e.path), ['A.png']);
  });

  test('options the model refuses: where they are written, what the model says', () => {
    assert.deepStrictEqual(problems(A('{"path":"a.png","prompt":"p","size":"999x999"}')), [['refused-option', 'error', '"999x999"', ['size', 'gpt-image-1.5'], 0, 'validation.reasonAllowed']]);
    assert.deepStrictEqual(problems(A('{"path":"a.png","prompt":"p","quality":"ultra"}')), [['refused-option', 'error', '"ultra"', ['quality', 'gpt-image-1.5'], 0, 'validation.reasonAllowed']]);
    assert.deepStrictEqual(problems(A('{"path":"a.jpg","prompt":"p","background":"transparent"}')), [['refused-option', 'error', '"transparent"', ['background', 'gpt-image-1.5'], 0, 'validation.reasonAllowed']]);
    assert.deepStrictEqual(problems(A('{"path":"a.png","prompt":"p","compression":50}')), [['refused-option', 'error', '50', ['compression', 'gpt-image-1.5'], 0, 'validation.reasonAllowed']]);
    const two = A('{"path":"a.png","prompt":"p","model":"dall-e-2","sources":["s.png","t.png"]}');
    const m = read(two);
    assert.deepStrictEqual(seen(two, m), [['refused-option', 'error', '["s.png","t.png"]', ['image', 'dall-e-2'], 0, 'validation.reason']]);
    const many = Array.from({ length: 17 }, (_, i) => `"s${i}.png"`).join(',');
    const m17 = read(A(`{"path":"a.png","prompt":"p","model":"gpt-image-1","sources":[${many}]}`));
    assert.notDeepStrictEqual(m.problems[0].detail, m17.problems[0].detail, 'one image only, or at most so many');
    assert.deepStrictEqual(problems(A(`{"path":"a.png","prompt":"p","model":"gpt-image-1","sources":[${Array.from({ length: 16 }, (_, i) => `"s${i}.png"`).join(',')}]}`)), []);
  });

  test('renditions: type, path, extension, its own image\'s path', () => {
    assert.deepStrictEqual(problems(A('{"path":"a.png","prompt":"p","renditions":{}}')), [['wrong-type', 'error', '{}', ['renditions', 'array'], 0, null]]);
    assert.deepStrictEqual(problems(R('5')), [['wrong-type', 'error', '5', ['renditions', 'object'], 0, null]]);
    assert.deepStrictEqual(problems(R('{}')), [['missing-field', 'error', '{', ['path'], 0, null]]);
    assert.deepStrictEqual(problems(R('{"path":3}')), [['missing-field', 'error', '3', ['path'], 0, null]]);
    assert.deepStrictEqual(problems(R('{"path":"r.gif","width":5}')), [['bad-extension', 'error', '"r.gif"', ['r.gif', '.png, .jpg, .webp, .avif'], 0, null]]);
    assert.deepStrictEqual(problems(R('{"path":"../r.png","width":5}')), [['outside-workspace', 'error', '"../r.png"', ['../r.png'], 0, null]]);
    assert.deepStrictEqual(problems(R('{"path":"a.png","width":5}')), [['bad-rendition', 'error', '"a.png"', ['path'], 0, null]]);
    assert.deepStrictEqual(problems(R('{"path":"r.png","width":5,"extra":1}')), [['unknown-field', 'warning', '"extra"', ['extra'], 0, null]]);
  });

  test('rendition sizes: each bound on both sides; a size, a scale or a format is needed, a scale alone', () => {
    assert.deepStrictEqual(problems(R('{"path":"r.png","width":1,"height":16384}', '{"path":"s.png","size":"1x16384"}', '{"path":"t.png","size":"16384x1"}')), []);
    // one mistake, one problem: a wrong width is not also "needs a size"
    for (const w of ['0', '16385', '1.5', '"5"']) assert.deepStrictEqual(problems(R(`{"path":"r.png","width":${w}}`)), [['bad-rendition', 'error', w, ['width'], 0, null]], w);
    for (const h of ['0', '16385', '2.5']) assert.deepStrictEqual(problems(R(`{"path":"r.png","height":${h}}`)), [['bad-rendition', 'error', h, ['height'], 0, null]], h);
    for (const sc of ['0', '9', '"2"']) assert.deepStrictEqual(problems(R(`{"path":"r.png","scale":${sc}}`)), [['bad-rendition', 'error', sc, ['scale'], 0, null]], sc);
    for (const s of ['"0x5"', '"5x0"', '"16385x1"', '"1x16385"', '"64x64x"', '"x64x64"', '64', '"123456x1"']) assert.deepStrictEqual(problems(R(`{"path":"r.png","size":${s}}`)), [['bad-rendition', 'error', s, ['size'], 0, null]], s);
    assert.deepStrictEqual(problems(R('{"path":"r.png","scale":0.5,"width":5}', '{"path":"s.png","scale":0.5,"height":5}')), [['bad-rendition', 'error', '0.5', ['scale'], 0, null], ['bad-rendition', 'error', '0.5', ['scale'], 0, null]]);
    assert.deepStrictEqual(problems(R('{"path":"t.png"}')), [['bad-rendition', 'error', '"t.png"', ['size'], 0, null]]);
    assert.deepStrictEqual(problems(R('{"path":"u.png","format":"png"}')), []);
    const ok = read(R('{"path":"r.avif","scale":0.5}', '{"path":"s.png","size":"64x32","fit":"pad","background":"#00ff0080"}', '{"path":"t.webp","width":5,"quality":100}', '{"path":"u.webp","width":5,"quality":1}'));
    assert.deepStrictEqual(ok.entries[0].renditions.map((r) => [r.path, r.format, r.width, r.height, r.scale, r.fit, r.background, r.quality]), [
      ['r.avif', 'avif', undefined, undefined, 0.5, 'cover', undefined, undefined],
      ['s.png', 'png', 64, 32, undefined, 'pad', '#00ff0080', undefined],
      ['t.webp', 'webp', 5, undefined, undefined, 'cover', undefined, 100],
      ['u.webp', 'webp', 5, undefined, undefined, 'cover', undefined, 1],
    ]);
  });

  test('rendition fit, format, background and quality', () => {
    assert.deepStrictEqual(problems(R('{"path":"r.png","width":5,"fit":"stretch"}')), [['bad-rendition', 'error', '"stretch"', ['fit'], 0, null]]);
    assert.deepStrictEqual(problems(R('{"path":"s.png","width":5,"format":"jpeg"}')), [['format-mismatch', 'error', '"jpeg"', ['jpeg', 's.png'], 0, null]]);
    assert.deepStrictEqual(problems(R('{"path":"t.jpg","width":5,"format":"jpg"}')), []);
    assert.deepStrictEqual(problems(R('{"path":"u.png","width":5,"format":5}')), [['format-mismatch', 'error', '5', ['?', 'u.png'], 0, null]]);
    assert.deepStrictEqual(problems(R('{"path":"r.png","width":5,"background":"red"}')), [['bad-rendition', 'error', '"red"', ['background'], 0, null]]);
    assert.deepStrictEqual(problems(R('{"path":"t.png","width":5,"background":5}')), [['bad-rendition', 'error', '5', ['background'], 0, null]]);
    for (const q of ['0', '101', '50.5']) assert.deepStrictEqual(problems(R(`{"path":"r.webp","width":5,"quality":${q}}`)), [['bad-rendition', 'error', q, ['quality'], 0, null]], q);
  });

  test('more of the same: a later entry\'s missing path, the style trimmed, paths trimmed, drive-like names, dot paths, every fit, where refusals are underlined', () => {
    assert.deepStrictEqual(problems(A('{"path":"a.gif","prompt":"p"}', '{"prompt":"q"}')), [['bad-extension', 'error', '"a.gif"', ['a.gif', '.png, .jpg, .webp'], 0, null], ['missing-field', 'error', '{', ['path'], 1, null]]);
    assert.deepStrictEqual(read(A('{"path":"a.png","prompt":"p","style":"  flat  "}')).entries[0].request.prompt, 'p\n\nflat');
    assert.deepStrictEqual(read(A('{"path":"a.png","prompt":"p","style":"   "}')).entries[0].request.prompt, 'p');
    assert.deepStrictEqual(read(A('{"path":" a.png ","prompt":"p"}')).entries.map((e) => e.path), ['a.png']);
    assert.deepStrictEqual(read(A('{"path":"dir/a:b.png","prompt":"p"}')).entries.map((e) => e.path), ['dir/a:b.png'], 'a colon inside a name is no drive');
    for (const p of ['..', '.', 'a/', 'a/..']) assert.deepStrictEqual(problems(A(`{"path":"${p}","prompt":"p"}`)), [['outside-workspace', 'error', `"${p}"`, [p], 0, null]], p);
    assert.deepStrictEqual(problems(R('{"path":"r.png","width":5,"fit":"contain"}', '{"path":"s.png","width":5,"fit":"cover"}', '{"path":"t.png","width":5,"fit":"pad"}')), []);
    assert.deepStrictEqual(problems(A('{"path":"a.jpg","prompt":"p","model":"dall-e-2","format":"jpeg"}'))[0].slice(0, 4), ['refused-option', 'error', '"jpeg"', ['format', 'dall-e-2']]);
    assert.deepStrictEqual(problems(A('{"path":"a.png","prompt":"p","moderation":"strict"}'))[0].slice(0, 4), ['refused-option', 'error', '"strict"', ['moderation', 'gpt-image-1.5']]);
    assert.deepStrictEqual(problems(A('{"path":"a.png","prompt":"p","inputFidelity":"high"}'))[0].slice(0, 4), ['refused-option', 'error', '"high"', ['inputFidelity', 'gpt-image-1.5']]);
    assert.deepStrictEqual(problems(A('{"path":"a.png","prompt":"p","model":"dall-e-3","sources":["s.png"]}'))[0].slice(0, 4), ['refused-option', 'error', '"dall-e-3"', ['model', 'dall-e-3']]);
  });

  test('missing sources keep the problems found before; a name written with escapes underlines the entry', () => {
    const text = '{"assets":[{"path":"a.png","prompt":"p","sources":["in/\\u0079.png"],"x":1}]}';
    assert.deepStrictEqual(seen(text, missingSourceProblems(read(text), text, () => false)), [['unknown-field', 'warning', '"x"', ['x'], 0, null], ['missing-source', 'error', '{', ['in/y.png'], 0, null]]);
  });

  test('a missing source is underlined by its name in the entry, and the entry left out', () => {
    const text = A('{"path":"a.png","prompt":"p","sources":["in/x.png","in/y.png"]}', '{"path":"b.png","prompt":"p"}');
    const m = missingSourceProblems(read(text), text, (p) => p === 'in/x.png');
    assert.deepStrictEqual(seen(text, m), [['missing-source', 'error', 'y.png', ['in/y.png'], 0, null]]);
    assert.deepStrictEqual(m.entries.map((e) => e.path), ['b.png']);
  });

  test('hashes do not depend on the order fields are written in; formats by extension', () => {
    const one = read(A('{"path":"a.png","prompt":"p","size":"1024x1024","quality":"low"}')).entries[0];
    const two = read(A('{"quality":"low","size":"1024x1024","prompt":"p","path":"a.png"}')).entries[0];
    assert.strictEqual(recipeHash(one), recipeHash(two));
    const src = { recipe: 'h', createdAt: 'c' };
    const r1 = { path: 'r.png', format: 'png', width: 5, fit: 'cover', offset: 1, length: 2 } as Rendition;
    const r2 = { fit: 'cover', width: 5, format: 'png', path: 'other.png', offset: 9, length: 9 } as Rendition;
    assert.strictEqual(renditionHash(r1, src), renditionHash(r2, src));
    assert.notStrictEqual(renditionHash(r1, src), renditionHash({ ...r1, width: 6 }, src));
    assert.deepStrictEqual([formatOf('dir.v2/file'), formatOf('a.PNG'), formatOf('a.jpg'), formatOf('b.jpeg'), formatOf('c.webp'), formatOf('d.avif'), formatOf('e.gif')], [undefined, 'png', 'jpeg', 'jpeg', 'webp', 'avif', undefined]);
  });
});
