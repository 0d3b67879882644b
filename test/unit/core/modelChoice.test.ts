/**
 * Which models a picker offers and preselects: with Azure the deployment's model (the
 * `pixelwright.model` setting) rules over anything remembered, in the palette, the Studio and
 * the mask editor alike.
 */
import * as assert from 'assert';
import { ModelTable } from '../../../src/core/models';
import { validateRequest } from '../../../src/core/request';
import { allowedModel, longestPromptLimit, offeredModels, preferredModel, promptLength } from '../../../src/core/modelChoice';
import { studioDraft, studioModels, studioRequest } from '../../../src/host/studio/models';

const table = new ModelTable();
const ids = (ms: readonly { id: string }[]) => ms.map((m) => m.id);
const azure = { provider: 'azure', model: 'dall-e-3' } as const;
const openai = { provider: 'openai', model: 'dall-e-3' } as const;
const draftSettings = { size: 'auto', quality: 'auto', outputFormat: 'png', count: 1 } as const;

suite('model choice: Azure runs the deployment\'s model', () => {
  test('with Azure only the configured model is offered; other providers get the whole table', () => {
    assert.deepStrictEqual(ids(offeredModels(table, azure, 'generate')), ['dall-e-3']);
    assert.deepStrictEqual(ids(offeredModels(table, { provider: 'azure', model: 'gpt-image-1' }, 'edit')), ['gpt-image-1']);
    assert.deepStrictEqual(ids(offeredModels(table, openai, 'generate')), ids(table.list('generate')));
    assert.deepStrictEqual(ids(offeredModels(table, { provider: 'compatible', model: 'dall-e-3' }, 'edit')), ids(table.list('edit')));
  });

  test('an Azure deployment whose model cannot do the operation offers none', () => {
    assert.deepStrictEqual(offeredModels(table, azure, 'edit'), []);
    assert.deepStrictEqual(offeredModels(table, azure, 'variation'), []);
  });

  test('a configured model the table does not know leaves the whole table offered', () => {
    assert.deepStrictEqual(ids(offeredModels(table, { provider: 'azure', model: 'my-own' }, 'generate')), ids(table.list('generate')));
    const custom = new ModelTable([{ id: 'my-own', like: 'dall-e-3' }]);
    assert.deepStrictEqual(ids(offeredModels(custom, { provider: 'azure', model: 'my-own' }, 'generate')), ['my-own']);
  });

  test('the last run\'s model is preselected, except with Azure where the setting rules', () => {
    assert.strictEqual(preferredModel(offeredModels(table, openai, 'generate'), openai, 'gpt-image-1.5')?.id, 'gpt-image-1.5');
    assert.strictEqual(preferredModel(offeredModels(table, openai, 'generate'), openai, undefined)?.id, 'dall-e-3');
    assert.strictEqual(preferredModel(offeredModels(table, azure, 'generate'), azure, 'gpt-image-1.5')?.id, 'dall-e-3');
    assert.strictEqual(preferredModel([], azure, 'gpt-image-1.5'), undefined);
  });

  test('a request may use only the deployment\'s model with Azure', () => {
    assert.strictEqual(allowedModel(table, azure, 'gpt-image-1.5', 'generate'), undefined);
    assert.strictEqual(allowedModel(table, azure, 'dall-e-3', 'generate')?.id, 'dall-e-3');
    assert.strictEqual(allowedModel(table, openai, 'gpt-image-1.5', 'generate')?.id, 'gpt-image-1.5');
    assert.strictEqual(allowedModel(table, openai, 'dall-e-3', 'edit'), undefined);
    assert.strictEqual(allowedModel(table, openai, 'no-such-model', 'generate'), undefined);
  });
});

suite('model choice: the Studio with Azure', () => {
  const lastGpt = { model: 'gpt-image-1.5', n: 2, size: '1536x1024', quality: 'high', background: 'transparent', outputFormat: 'webp' } as const;

  test('the form offers only the deployment\'s model', () => {
    assert.deepStrictEqual(ids(studioModels(table, azure)), ['dall-e-3']);
    assert.deepStrictEqual(ids(studioModels(table, openai)), ids(table.list('generate')));
  });

  test('after a gpt-image-1.5 run the draft starts on the deployment\'s dall-e-3, with dall-e-3 options only', () => {
    const draft = studioDraft(undefined, lastGpt, { ...azure, ...draftSettings }, table);
    assert.strictEqual(draft.options?.model, 'dall-e-3');
    assert.strictEqual(draft.options?.background, undefined);
    assert.strictEqual(draft.options?.outputFormat, undefined);
    assert.strictEqual(draft.options?.quality, 'standard');
    // and what a run from it sends is something dall-e-3 takes
    const caps = table.get('dall-e-3')!;
    validateRequest(studioRequest('a fox', draft.options!, caps, 'auto'), caps);
  });

  test('a saved Studio draft on another model moves to the deployment\'s model; on it, it is kept', () => {
    const saved = { prompt: 'a fox', options: { model: 'gpt-image-1.5', n: 1, size: '1024x1024', quality: 'high', background: 'transparent', outputFormat: 'png' } };
    const moved = studioDraft(saved, {}, { ...azure, ...draftSettings }, table);
    assert.strictEqual(moved.prompt, 'a fox');
    assert.deepStrictEqual(moved.options, { model: 'dall-e-3', n: 1, size: '1024x1024', quality: 'standard', style: 'vivid', background: undefined, outputFormat: undefined });
    assert.strictEqual(studioDraft(saved, {}, { ...openai, ...draftSettings }, table), saved);
    const onDalle = { prompt: 'x', options: { model: 'dall-e-3', n: 1, size: '1792x1024', quality: 'hd', style: 'natural' } };
    assert.strictEqual(studioDraft(onDalle, {}, { ...azure, ...draftSettings }, table), onDalle);
  });

  test('without Azure the last run\'s model still wins over the setting', () => {
    assert.strictEqual(studioDraft(undefined, lastGpt, { ...openai, ...draftSettings }, table).options?.model, 'gpt-image-1.5');
  });
});

suite('model choice: prompt lengths', () => {
  test('counted in code points, as the API counts them', () => {
    assert.strictEqual(promptLength('海獭🦦'), 3);
  });

  test('the longest limit among the models offered', () => {
    assert.strictEqual(longestPromptLimit(table.list('generate')), 32000);
    assert.strictEqual(longestPromptLimit([table.get('dall-e-2')!, table.get('dall-e-3')!]), 4000);
    assert.strictEqual(longestPromptLimit([]), 0);
  });
});
