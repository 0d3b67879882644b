/**
 * TEMPORARY: the shared rules (src/shared/modelRules.ts) against the copies they replace, over
 * every model of the table (built-in, alias, custom) and every combination of remembered or
 * typed options. Removed with the old copies once it passes.
 */
import * as assert from 'assert';
import { ModelTable, type Background, type ModelCapabilities, type OutputFormat } from '../../src/core/models';
import { fitOptions as coreFit, type ImageRequest } from '../../src/core/request';
import { studioModel } from '../../src/host/studio/models';
import type { EditOptions, ModelChoice } from '../../src/shared/editProtocol';
import { editRequestFields, fitEditOptions, fitOptions, fitStudioOptions, modelInfo } from '../../src/shared/modelRules';
import { fitOptions as oldEditFit } from '../../src/webview/edit/fitOptions';
import { fitStudioOptions as oldStudioFit } from '../../src/webview/studio/options';

const table = new ModelTable([
  { id: 'custom-plain' },
  { id: 'custom-d2', like: 'dall-e-2' },
  { id: 'custom-d3', like: 'dall-e-3' },
  { id: 'custom-g2', like: 'gpt-image-2' },
  { id: 'custom-sized', like: 'gpt-image-2', sizes: ['512x512', '2048x2048'], maxN: 2 },
  { id: 'custom-mini', like: 'gpt-image-1-mini' },
]);
const models: ModelCapabilities[] = [...table.list(), table.get('gpt-image-2-2026-04-21')!];

const all = (f: (m: ModelCapabilities) => readonly string[]) => [...new Set(models.flatMap(f))];
const junk = [undefined, '', 'nonsense'];
const sizes = [...junk, ...all((m) => m.sizes), '1536x864', '1000x1000', '3840x2160', '4096x4096', '16x64'];
const qualities = [...junk, ...all((m) => m.qualities)];
const styles = [...junk, ...all((m) => m.styles)];
const backgrounds = [...junk, ...all((m) => m.backgrounds)];
const formats = [...junk, ...all((m) => m.outputFormats)];

function* grid(): Generator<{ size?: string; quality?: string; style?: string; background?: string; outputFormat?: string }> {
  for (const size of sizes) for (const quality of qualities) for (const style of styles) for (const background of backgrounds) for (const outputFormat of formats) yield { size, quality, style, background, outputFormat };
}

/** The old toChoice of src/host/edit/backend.ts (it imports vscode, so it is copied here). */
function toChoice(m: ModelCapabilities): ModelChoice {
  return {
    id: m.id,
    note: m.note,
    sizes: m.sizes,
    qualities: m.family === 'dall-e-2' ? [] : m.qualities,
    outputFormats: m.outputFormats,
    backgrounds: m.backgrounds,
    maxImages: m.input.maxImages,
    inputFidelity: m.inputFidelity,
    squareOnly: m.input.squareOnly,
    maxPromptChars: m.maxPromptChars,
  };
}

/** The old inline options of HostEditBackend.choices(). */
function oldChoices(preferred: ModelChoice, last: Partial<EditOptions>, settingsFormat: string): EditOptions {
  return {
    model: preferred.id,
    size: last.size && preferred.sizes.includes(last.size) ? last.size : preferred.sizes.includes('auto') ? 'auto' : preferred.sizes[preferred.sizes.length - 1],
    quality: last.quality && preferred.qualities.includes(last.quality) ? last.quality : preferred.qualities[0],
    n: last.n ?? 1,
    outputFormat: preferred.outputFormats.length > 1 ? (last.outputFormat ?? settingsFormat) : undefined,
    background: preferred.backgrounds.length ? (last.background ?? 'auto') : undefined,
    inputFidelity: preferred.inputFidelity ? last.inputFidelity : undefined,
    keepUnmasked: last.keepUnmasked ?? !preferred.squareOnly,
    squareMode: last.squareMode ?? 'pad',
  };
}

/** The old inline option fields of HostEditBackend.run(). */
function oldRunFields(caps: ModelCapabilities, o: EditOptions, operation: 'edit' | 'variation') {
  const dalle2Variation = operation === 'variation' && caps.family === 'dall-e-2';
  return {
    size: o.size && caps.sizes.includes(o.size) ? o.size : undefined,
    quality: dalle2Variation ? undefined : o.quality && caps.qualities.includes(o.quality) && caps.family !== 'dall-e-2' ? o.quality : undefined,
    outputFormat: caps.outputFormats.length > 1 && o.outputFormat ? (o.outputFormat as OutputFormat) : undefined,
    background: caps.backgrounds.length && o.background ? (o.background as ImageRequest['background']) : undefined,
    inputFidelity: caps.inputFidelity && o.inputFidelity ? o.inputFidelity : undefined,
  };
}

suite('TEMPORARY: the shared model rules give what the copies gave', function () {
  this.timeout(300_000);
  test('descriptions: the Studio model and the mask editor choice are the shared ModelInfo', () => {
    for (const m of models) {
      const { pricing, ...old } = studioModel(m);
      void pricing;
      const info = modelInfo(m, 'generate');
      for (const [k, v] of Object.entries(old)) assert.deepStrictEqual(info[k as keyof typeof info], v, `${m.id} studio ${k}`);
      for (const op of ['edit', 'variation'] as const) {
        const edit = modelInfo(m, op);
        for (const [k, v] of Object.entries(toChoice(m))) assert.deepStrictEqual(edit[k as keyof typeof edit], v, `${m.id} ${op} ${k}`);
      }
    }
  });

  test('core fitOptions (palette, Studio host) = shared fitOptions on the generate description', () => {
    let count = 0;
    for (const m of models) {
      const info = modelInfo(m, 'generate');
      for (const o of grid()) {
        const prefs = { ...o, background: o.background as Background | undefined, outputFormat: o.outputFormat as OutputFormat | undefined };
        assert.deepStrictEqual(fitOptions(info, o), coreFit(m, prefs), `${m.id} ${JSON.stringify(o)}`);
        count++;
      }
    }
    assert.ok(count > 100_000, String(count));
  });

  test('the Studio form: old fitStudioOptions = shared fitStudioOptions', () => {
    for (const m of models) {
      const old = studioModel(m);
      const info = modelInfo(m, 'generate');
      for (const o of grid()) {
        for (const n of [undefined, 0, 3, 42, 2.5, Number.NaN]) {
          const input = { ...o, n: n as number, model: 'whatever' };
          assert.deepStrictEqual(fitStudioOptions(info, input), oldStudioFit(input, old), `${m.id} ${JSON.stringify(input)}`);
        }
      }
    }
  });

  test('the mask editor form: old fitOptions = shared fitEditOptions (edit and variation)', () => {
    for (const m of models.filter((x) => x.operations.includes('edit'))) {
      for (const op of ['edit', 'variation'] as const) {
        const old = toChoice(m);
        const info = modelInfo(m, op);
        for (const o of grid()) {
          for (const extra of [
            { n: 3, inputFidelity: 'high', squareMode: 'pad', keepUnmasked: true },
            { n: 0, inputFidelity: undefined, squareMode: 'crop', keepUnmasked: false },
            { n: 11, inputFidelity: 'low', squareMode: 'pad', keepUnmasked: false },
          ] as const) {
            for (const keep of [true, false]) {
              const input: EditOptions = { ...o, ...extra, model: 'whatever' };
              assert.deepStrictEqual(fitEditOptions(info, input, keep), oldEditFit(input, old, keep), `${m.id} ${op} ${keep} ${JSON.stringify(input)}`);
            }
          }
        }
      }
    }
  });

  test('choices(): what the editor shows from the old start options and from the shared fit are the same', () => {
    for (const m of models.filter((x) => x.operations.includes('edit'))) {
      for (const op of ['edit', 'variation'] as const) {
        const info = modelInfo(m, op);
        for (const o of [{}, ...grid()].filter((_, i) => i % 7 === 0)) {
          for (const more of [{}, { n: 4, inputFidelity: 'high', keepUnmasked: false, squareMode: 'crop' }, { keepUnmasked: true }, { inputFidelity: 'low', squareMode: 'pad' }] as const) {
            for (const settingsFormat of ['png', 'jpeg', 'webp']) {
              const last: Partial<EditOptions> = { ...o, ...more, model: m.id };
              const before = oldChoices(toChoice(m), last, settingsFormat);
              const after = fitEditOptions(info, { ...last, outputFormat: last.outputFormat ?? settingsFormat }, last.keepUnmasked ?? true);
              // The editor starts from fitOptions(initial, model, keepPref) with keepPref true for square-only models.
              const shown = (x: EditOptions) => oldEditFit(x, toChoice(m), toChoice(m).squareOnly ? true : x.keepUnmasked);
              assert.deepStrictEqual(shown(after), shown(before), `${m.id} ${op} ${settingsFormat} ${JSON.stringify(last)}`);
              assert.deepStrictEqual(shown(after), after, 'the host now sends options already fitted');
            }
          }
        }
      }
    }
  });

  test('run(): the request fields are the same', () => {
    for (const m of models.filter((x) => x.operations.includes('edit'))) {
      for (const op of ['edit', 'variation'] as const) {
        for (const o of grid()) {
          for (const inputFidelity of [undefined, 'low', 'high'] as const) {
            const opts: EditOptions = { ...o, inputFidelity, model: m.id, n: 2, keepUnmasked: true, squareMode: 'pad' };
            assert.deepStrictEqual(editRequestFields(m, opts), oldRunFields(m, opts, op), `${m.id} ${op} ${JSON.stringify(opts)}`);
          }
        }
      }
    }
  });
});
