/**
 * The rules the host and the webviews share (src/shared/modelRules.ts): the custom-size rule,
 * the one description of a model, options fitted to a model (the palette and the Studio host,
 * the Studio's form, the mask editor's form and its starting options), and the fields an edit
 * request carries.
 */
import * as assert from 'assert';
import { BUILTIN_MODELS, ModelTable } from '../../../src/core/models';
import { validateRequest, type ImageRequest } from '../../../src/core/request';
import type { EditOptions } from '../../../src/shared/editProtocol';
import { checkCustomSize, editRequestFields, fitEditOptions, fitOptions, fitStudioOptions, guideChoice, modelInfo, parseSize } from '../../../src/shared/modelRules';

const table = new ModelTable();
const caps = (id: string) => table.get(id)!;
const generate = (id: string) => modelInfo(caps(id), 'generate');
const edit = (id: string) => modelInfo(caps(id), 'edit');

suite('model rules: the custom-size rule', () => {
  const rule = caps('gpt-image-2').customSize!;

  test('gpt-image-2: multiples of 16, ratio within 3:1, at most 3840x2160', () => {
    for (const ok of ['1536x864', '3840x2160', '2160x3840', '1536x512', '16x32']) assert.strictEqual(checkCustomSize(ok, rule), undefined, ok);
    assert.deepStrictEqual(checkCustomSize('1000x1000', rule), { kind: 'multiple', value: 16 });
    assert.deepStrictEqual(checkCustomSize('3840x800', rule), { kind: 'ratio', value: 3 });
    assert.deepStrictEqual(checkCustomSize('4096x1024', rule), { kind: 'edge', value: 3840 });
    assert.deepStrictEqual(checkCustomSize('3840x2400', rule), { kind: 'pixels', value: 3840 * 2160 });
    assert.deepStrictEqual(checkCustomSize('big', rule), { kind: 'format' });
    assert.deepStrictEqual(checkCustomSize('0x0', rule), { kind: 'min', value: 16 });
  });

  test('each side is checked on its own', () => {
    assert.strictEqual(checkCustomSize('1536x1000', rule)?.kind, 'multiple');
    assert.strictEqual(checkCustomSize('1000x1536', rule)?.kind, 'multiple');
    assert.strictEqual(checkCustomSize('16x8', rule)?.kind, 'min');
    assert.strictEqual(checkCustomSize('8x16', rule)?.kind, 'min');
    assert.strictEqual(checkCustomSize('2160x3856', rule)?.kind, 'edge');
    assert.strictEqual(checkCustomSize('3856x2160', rule)?.kind, 'edge');
    assert.strictEqual(checkCustomSize('48x16', rule), undefined, 'exactly 3:1 is allowed');
    assert.strictEqual(checkCustomSize('64x16', rule)?.kind, 'ratio');
    assert.strictEqual(checkCustomSize('16x64', rule)?.kind, 'ratio');
  });

  test('parseSize', () => {
    assert.deepStrictEqual(parseSize('1536x1024'), { width: 1536, height: 1024 });
    assert.strictEqual(parseSize('auto'), undefined);
    assert.strictEqual(parseSize('1024 x 1024'), undefined);
    for (const bad of ['1024x1024px', ' 1024x1024', '1024x1024 ', 'x1024x1024', '1024x1024x2', '1024X1024', '123456x16', '1024x']) {
      assert.strictEqual(parseSize(bad), undefined, bad);
    }
    assert.deepStrictEqual(parseSize('16x99999'), { width: 16, height: 99999 });
  });
});

suite('model rules: one description of a model', () => {
  test('what the Studio, the mask editor and the palette show, from the capability table', () => {
    const m = caps('gpt-image-1.5');
    assert.deepStrictEqual(generate('gpt-image-1.5'), {
      id: 'gpt-image-1.5',
      note: undefined,
      sizes: m.sizes,
      customSize: undefined,
      qualities: m.qualities,
      styles: [],
      backgrounds: m.backgrounds,
      outputFormats: m.outputFormats,
      maxN: 10,
      streaming: true,
      maxPromptChars: 32000,
      maxImages: 16,
      inputFidelity: false,
      squareOnly: false,
      complexity: false,
      markup: false,
    });
    assert.strictEqual(edit('gpt-image-1.5').inputFidelity, true, 'input fidelity is for edits');
    assert.strictEqual(edit('gpt-image-1-mini').inputFidelity, false);
    assert.match(generate('dall-e-3').note!, /retired/);
  });

  test("a model's note is worded by the translator the host passes (English by default)", () => {
    assert.strictEqual(generate('dall-e-3').note, 'retired at OpenAI 2026-05-12; Azure and compatible servers');
    const said: string[] = [];
    const info = modelInfo(caps('dall-e-3'), 'generate', (m) => (said.push(m.id), `[${m.id}: ${m.args.join()}]`));
    assert.deepStrictEqual([info.note, said], ['[model.retiredOn: 2026-05-12]', ['model.retiredOn']]);
    assert.strictEqual(modelInfo(caps('gpt-image-1.5'), 'generate', () => 'never').note, undefined, 'no note, nothing to word');
  });

  test('custom sizes for generations only; dall-e-2 takes a quality for generations only', () => {
    assert.deepStrictEqual(generate('gpt-image-2').customSize, caps('gpt-image-2').customSize);
    assert.strictEqual(edit('gpt-image-2').customSize, undefined);
    assert.strictEqual(modelInfo(caps('gpt-image-2'), 'variation').customSize, undefined);
    assert.deepStrictEqual(generate('dall-e-2').qualities, ['standard']);
    assert.deepStrictEqual(edit('dall-e-2').qualities, []);
    assert.deepStrictEqual(modelInfo(caps('dall-e-2'), 'variation').qualities, []);
    assert.deepStrictEqual(edit('gpt-image-1.5').qualities, caps('gpt-image-1.5').qualities);
    assert.deepStrictEqual([edit('dall-e-2').squareOnly, edit('dall-e-2').maxImages], [true, 1]);
  });
});

suite('model rules: the guide (markup)', () => {
  test('GPT Image 2.5 and its snapshots take a guide for edits; no other model, and no other operation', () => {
    const takers = table.list().filter((m) => m.markup).map((m) => m.id);
    assert.deepStrictEqual(takers, ['gpt-image-2.5-sunburst', 'gpt-image-2.5-flare']);
    for (const id of ['gpt-image-2.5-sunburst-2026-09-08', 'gpt-image-2.5-flare-2026-09-08']) assert.strictEqual(caps(id).markup, true, id);
    assert.strictEqual(new ModelTable([{ id: 'my-guided', like: 'gpt-image-2.5-flare' }]).get('my-guided')!.markup, true, 'a custom model like 2.5 takes it too');
    assert.strictEqual(new ModelTable([{ id: 'my-plain' }]).get('my-plain')!.markup, false);
    assert.strictEqual(edit('gpt-image-2.5-sunburst').markup, true);
    assert.strictEqual(generate('gpt-image-2.5-sunburst').markup, false, 'generations take no guide');
    assert.strictEqual(modelInfo(caps('gpt-image-2.5-sunburst'), 'variation').markup, false, 'variations take no guide');
    for (const id of ['gpt-image-2.6-sunburst', 'gpt-image-2', 'gpt-image-1.5', 'dall-e-2']) assert.strictEqual(edit(id).markup, false, id);
  });

  test('the editor sends the mask, the guide, or (a guide on a model without one) nothing, and offers the model that takes it', () => {
    const models = table.list('edit').map((m) => modelInfo(m, 'edit'));
    const g2 = edit('gpt-image-2');
    const g25 = edit('gpt-image-2.5-flare');
    assert.deepStrictEqual(guideChoice(models, g2, 'mask'), { sends: 'mask' });
    assert.deepStrictEqual(guideChoice(models, g25, 'mask'), { sends: 'mask' });
    assert.deepStrictEqual(guideChoice(models, g25, 'guide'), { sends: 'guide' });
    assert.deepStrictEqual(guideChoice(models, g2, 'guide'), { sends: 'nothing', switchTo: 'gpt-image-2.5-sunburst' });
    assert.deepStrictEqual(guideChoice([edit('gpt-image-1.5'), g2], g2, 'guide'), { sends: 'nothing', switchTo: undefined }, 'nothing to switch to');
  });
});

suite('model rules: options fitted to a model', () => {
  test('remembered options are fitted to the model so defaults never cause a refusal', () => {
    const base: ImageRequest = { operation: 'generate', model: 'dall-e-3', prompt: 'a sea otter in a beret', n: 1 };
    const d3 = fitOptions(generate('dall-e-3'), { size: 'auto', quality: 'high', outputFormat: 'webp', background: 'transparent' });
    assert.deepStrictEqual(d3, { size: '1024x1024', quality: 'standard', style: 'vivid', background: undefined, outputFormat: undefined });
    validateRequest({ ...base, ...d3 }, caps('dall-e-3'));
    const g2 = fitOptions(generate('gpt-image-2'), { size: '1536x864', quality: 'hd', outputFormat: 'jpeg', background: 'transparent' });
    assert.deepStrictEqual(g2, { size: '1536x864', quality: 'auto', style: undefined, background: 'auto', outputFormat: 'jpeg' });
    assert.strictEqual(fitOptions(generate('gpt-image-1.5'), { size: '1536x864' }).size, 'auto');
  });

  test('the Studio: choices the new model also offers stay; the rest fall back to its defaults', () => {
    const start = fitStudioOptions(generate('gpt-image-1.5'), { model: 'gpt-image-1.5', n: 3, size: '1536x1024', quality: 'high', background: 'transparent', outputFormat: 'webp' });
    assert.deepStrictEqual(start, { model: 'gpt-image-1.5', n: 3, size: '1536x1024', quality: 'high', style: undefined, background: 'transparent', outputFormat: 'webp' });
    const d3 = fitStudioOptions(generate('dall-e-3'), start);
    assert.deepStrictEqual(d3, { model: 'dall-e-3', n: 3, size: '1024x1024', quality: 'standard', style: 'vivid', background: undefined, outputFormat: undefined });
    const back = fitStudioOptions(generate('gpt-image-1.5'), { ...d3, quality: 'hd' });
    assert.strictEqual(back.quality, 'auto');
    assert.strictEqual(back.size, '1024x1024');
    assert.strictEqual(fitStudioOptions(generate('gpt-image-1.5'), { ...start, outputFormat: 'jpeg' }).background, 'auto', 'no transparent JPEG');
    assert.strictEqual(fitStudioOptions(generate('dall-e-2'), { n: 42 }).n, 10);
    assert.strictEqual(fitStudioOptions(generate('dall-e-2'), {}).size, '256x256');
  });

  suite('the mask editor', () => {
    const base = { model: 'gpt-image-1.5', size: '1536x1024', quality: 'high', n: 3, outputFormat: 'webp', background: 'transparent', inputFidelity: 'high', keepUnmasked: true, squareMode: 'pad' } as const;

    test('choices the model offers are kept', () => {
      assert.deepStrictEqual(fitEditOptions(edit('gpt-image-1.5'), base, true), { ...base });
    });

    test('dall-e-2: its largest size, no quality/format/background/fidelity, no keep-unmasked', () => {
      const o = fitEditOptions(edit('dall-e-2'), base, true);
      assert.deepStrictEqual(o, { model: 'dall-e-2', size: '1024x1024', quality: undefined, n: 3, outputFormat: undefined, background: undefined, inputFidelity: undefined, keepUnmasked: false, squareMode: 'pad' });
      const back = fitEditOptions(edit('gpt-image-1.5'), o, true);
      assert.strictEqual(back.size, '1024x1024', 'a size both offer is kept');
      assert.strictEqual(back.quality, 'auto');
      assert.strictEqual(back.outputFormat, 'png');
      assert.strictEqual(back.keepUnmasked, true, 'GPT image models keep unmasked pixels by default');
    });

    test('input fidelity only where the model has it; transparent never with JPEG; n within 1..10', () => {
      assert.strictEqual(fitEditOptions(edit('gpt-image-1-mini'), base, true).inputFidelity, undefined);
      assert.strictEqual(fitEditOptions(edit('gpt-image-1.5'), { ...base, outputFormat: 'jpeg' }, true).background, 'auto');
      assert.strictEqual(fitEditOptions(edit('gpt-image-1.5'), { ...base, n: 0 }, true).n, 1);
      assert.strictEqual(fitEditOptions(edit('gpt-image-1.5'), { ...base, n: 99 }, true).n, 10);
      assert.strictEqual(fitEditOptions(edit('gpt-image-1.5'), base, false).keepUnmasked, false, 'the user turned it off');
    });

    test('a custom size is not kept for an edit, even on gpt-image-2', () => {
      assert.strictEqual(fitEditOptions(edit('gpt-image-2'), { ...base, size: '1536x864' }, true).size, 'auto');
    });

    test('the host starts from the last options: nothing remembered gives the model defaults', () => {
      assert.deepStrictEqual(fitEditOptions(edit('gpt-image-1.5'), { outputFormat: 'jpeg' }, true), {
        model: 'gpt-image-1.5',
        size: 'auto',
        quality: 'auto',
        n: 1,
        outputFormat: 'jpeg',
        background: 'auto',
        inputFidelity: undefined,
        keepUnmasked: true,
        squareMode: 'pad',
      });
      assert.strictEqual(fitEditOptions(edit('dall-e-2'), { squareMode: 'crop' }, true).squareMode, 'crop');
    });
  });
});

suite('model rules: the fields an edit request carries', () => {
  const opts: EditOptions = { model: 'x', size: '1536x1024', quality: 'high', n: 2, outputFormat: 'webp', background: 'transparent', inputFidelity: 'high', keepUnmasked: true, squareMode: 'pad' };

  test('a GPT image model takes them all', () => {
    assert.deepStrictEqual(editRequestFields(caps('gpt-image-1.5'), opts), { size: '1536x1024', quality: 'high', outputFormat: 'webp', background: 'transparent', inputFidelity: 'high' });
    assert.strictEqual(editRequestFields(caps('gpt-image-1-mini'), opts).inputFidelity, undefined);
  });

  test('dall-e-2 takes only a size it offers: no quality, format, background or fidelity', () => {
    assert.deepStrictEqual(editRequestFields(caps('dall-e-2'), { ...opts, size: '512x512', quality: 'standard' }), {
      size: '512x512',
      quality: undefined,
      outputFormat: undefined,
      background: undefined,
      inputFidelity: undefined,
    });
    assert.strictEqual(editRequestFields(caps('dall-e-2'), opts).size, undefined, 'a size it does not offer is left out');
  });

  test('a size or quality the model does not offer is left out; format and background go as given, for validation to refuse', () => {
    const odd = editRequestFields(caps('gpt-image-2'), { ...opts, size: '1536x864', quality: 'hd', outputFormat: 'gif', background: 'pink' });
    // gpt-image-2 takes no input_fidelity (the SDK says to omit it): it is left out too.
    assert.deepStrictEqual(odd, { size: undefined, quality: undefined, outputFormat: 'gif', background: 'pink', inputFidelity: undefined });
  });

  test('whatever the mask editor fits, the request validates, for every built-in model that edits', () => {
    const prepared = { name: 'a.png', bytes: new Uint8Array(10), format: 'png' as const };
    for (const m of BUILTIN_MODELS.filter((x) => x.operations.includes('edit'))) {
      for (const keep of [true, false]) {
        const o = fitEditOptions(modelInfo(m, 'edit'), { size: 'nonsense', quality: 'nonsense', outputFormat: 'x', background: 'x', inputFidelity: 'high', n: 2 }, keep);
        const req: ImageRequest = { operation: 'edit', model: m.id, prompt: 'a hat', n: o.n, images: [prepared], ...editRequestFields(m, o) };
        assert.doesNotThrow(() => validateRequest(req, m), m.id);
      }
    }
  });
});
