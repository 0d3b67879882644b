import * as assert from 'assert';
import { apiRequest, VARIATION_PROMPT } from '../../../src/core/apiRequest';
import { ModelTable } from '../../../src/core/models';
import { validateRequest, ValidationError, type ImageRequest } from '../../../src/core/request';

const table = new ModelTable();

suite('what an operation becomes on the wire', () => {
  test('a generation and an edit go as they are', () => {
    const gen: ImageRequest = { operation: 'generate', model: 'gpt-image-1.5', prompt: 'a fox', n: 1, quality: 'high' };
    assert.strictEqual(apiRequest(gen, table.get('gpt-image-1.5')!), gen);
    const edit: ImageRequest = { ...gen, operation: 'edit', model: 'dall-e-2' };
    assert.strictEqual(apiRequest(edit, table.get('dall-e-2')!), edit);
  });

  test('a GPT image variation is an edit asked for in words, the user\'s own words after', () => {
    const caps = table.get('gpt-image-1.5')!;
    const plain = apiRequest({ operation: 'variation', model: caps.id, prompt: '  ', n: 2, quality: 'low' } as ImageRequest, caps);
    assert.strictEqual(plain.operation, 'edit');
    assert.strictEqual(plain.prompt, VARIATION_PROMPT);
    assert.strictEqual(plain.quality, 'low');
    const worded = apiRequest({ operation: 'variation', model: caps.id, prompt: ' warmer light ', n: 1 } as ImageRequest, caps);
    assert.strictEqual(worded.prompt, `${VARIATION_PROMPT}\nwarmer light`);
  });

  test('a DALL·E 2 variation stays a variation, its prompt unsent and no quality', () => {
    const caps = table.get('dall-e-2')!;
    const wire = apiRequest({ operation: 'variation', model: 'dall-e-2', prompt: '', n: 3, quality: 'standard' } as ImageRequest, caps);
    assert.strictEqual(wire.operation, 'variation');
    assert.strictEqual(wire.prompt, '');
    assert.strictEqual(wire.quality, undefined);
  });

  test('an empty-prompt GPT variation passes validation once on the wire; as asked it would not', () => {
    const caps = table.get('gpt-image-1.5')!;
    const asked = { operation: 'variation', model: caps.id, prompt: '', n: 1 } as ImageRequest;
    assert.throws(() => validateRequest(asked, caps, { inputsLater: true }), (e: unknown) => e instanceof ValidationError && e.param === 'prompt');
    validateRequest(apiRequest(asked, caps), caps, { inputsLater: true });
  });

  test('inputsLater skips only the input images, not the rest', () => {
    const caps = table.get('gpt-image-1.5')!;
    const edit = { operation: 'edit', model: caps.id, prompt: 'x', n: 1 } as ImageRequest;
    assert.throws(() => validateRequest(edit, caps), /an input image is needed/);
    validateRequest(edit, caps, { inputsLater: true });
    assert.throws(() => validateRequest({ ...edit, n: 11 }, caps, { inputsLater: true }), /n: 11/);
  });
});
