/**
 * What crosses to a webview: binary data as plain Uint8Array whatever made it (a Node Buffer
 * from base64, sharp's output, a download), and the mask editor's messages kept to their fields.
 */
import * as assert from 'assert';
import { fromBase64 } from '../../../src/core/engine';
import { parseFromMaskEditor } from '../../../src/shared/editProtocol';
import { messageShape, parseDropped, plainMessage } from '../../../src/shared/webviewMessages';

/** Every Uint8Array in a message, with where it is. */
function typedArrays(v: unknown, at = '$', out: { at: string; ctor: string }[] = []): { at: string; ctor: string }[] {
  if (v instanceof Uint8Array) out.push({ at, ctor: v.constructor.name });
  else if (Array.isArray(v)) v.forEach((x, i) => typedArrays(x, `${at}[${i}]`, out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) typedArrays(x, `${at}.${k}`, out);
  return out;
}

suite('messages to webviews', () => {
  test('the engine decodes base64 into a plain Uint8Array, not a Buffer', () => {
    const bytes = fromBase64(Buffer.from([1, 2, 3, 250]).toString('base64'));
    assert.strictEqual(bytes.constructor, Uint8Array);
    assert.deepStrictEqual([...bytes], [1, 2, 3, 250]);
  });

  test('plainMessage turns every nested Buffer into a plain Uint8Array with the same bytes', () => {
    const big = Buffer.alloc(10_000, 7);
    const message = {
      type: 'runFinished',
      runId: 3,
      results: [
        { id: 'r1', bytes: Buffer.from([9, 8, 7]), mime: 'image/png' },
        { id: 'r2', bytes: big.subarray(100, 110), mime: 'image/png' },
        { id: 'r3', bytes: new Uint8Array([1]), mime: 'image/png' },
      ],
    };
    const out = plainMessage(message);
    assert.deepStrictEqual(typedArrays(out).map((t) => t.ctor), ['Uint8Array', 'Uint8Array', 'Uint8Array']);
    assert.deepStrictEqual([...out.results[0].bytes], [9, 8, 7]);
    assert.strictEqual(out.results[1].bytes.byteLength, 10, 'a view into a larger buffer sends only its own bytes');
    assert.strictEqual(out.results[1].bytes.buffer.byteLength, 10);
    assert.strictEqual(out.results[2].bytes, message.results[2].bytes, 'a plain Uint8Array is passed as is');
    assert.ok(Buffer.isBuffer(message.results[0].bytes), 'the original message is not changed');
    assert.deepStrictEqual({ ...out, results: undefined }, { ...message, results: undefined });
  });

  test('plainMessage keeps messages without binary data as they are', () => {
    const m = { type: 'progress', runId: 1, message: 'x', done: 0, total: 2, list: [1, 'a', null] };
    assert.strictEqual(plainMessage(m), m);
    assert.strictEqual(plainMessage('text'), 'text');
  });

  test('a view reports a dropped message by its shape, never its contents', () => {
    assert.strictEqual(messageShape({ type: 'runFinished', runId: 1, results: [] }), 'runFinished {type, runId, results}');
    assert.strictEqual(messageShape({ type: 'a b', secret: 'sk-123' }), 'no known type {type, secret}');
    assert.deepStrictEqual(parseDropped({ type: 'dropped', detail: 'runFinished {type}' }), { type: 'dropped', detail: 'runFinished {type}' });
    assert.strictEqual(parseDropped({ type: 'dropped', detail: 'x'.repeat(301) }), undefined);
    assert.strictEqual(parseDropped({ type: 'dropped' }), undefined);
  });
});

suite('mask editor messages (host side)', () => {
  const options = { model: 'gpt-image-1.5', n: 1, keepUnmasked: true, squareMode: 'pad' };
  test('run options keep only the fields the editor has (nothing extra is stored)', () => {
    const m = parseFromMaskEditor({ type: 'run', runId: 1, prompt: 'p', options: { ...options, size: '1024x1024', evil: 'x'.repeat(1000), __proto__x: 1 } });
    assert.ok(m && m.type === 'run');
    assert.deepStrictEqual(Object.keys(m.options).filter((k) => (m.options as unknown as Record<string, unknown>)[k] !== undefined).sort(), ['keepUnmasked', 'model', 'n', 'size', 'squareMode']);
  });

  test('a run carries the mask or the guide as bytes, never both', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    const run = (extra: Record<string, unknown>) => parseFromMaskEditor({ type: 'run', runId: 2, prompt: 'p', options, ...extra });
    const guided = run({ guide: bytes });
    assert.ok(guided && guided.type === 'run');
    assert.strictEqual(guided.guide, bytes);
    assert.strictEqual(guided.mask, undefined);
    assert.strictEqual(run({ mask: bytes, guide: bytes }), undefined, 'both: refused');
    assert.strictEqual(run({ guide: 'iVBORw0K' }), undefined, 'not bytes: refused');
    assert.strictEqual(run({ guide: { type: 'Buffer', data: [1] } }), undefined);
  });

  test('removeReference names a path', () => {
    assert.deepStrictEqual(parseFromMaskEditor({ type: 'removeReference', id: 4, path: 'img/a.png' }), { type: 'removeReference', id: 4, path: 'img/a.png' });
    assert.strictEqual(parseFromMaskEditor({ type: 'removeReference', id: 4, path: '' }), undefined);
    assert.strictEqual(parseFromMaskEditor({ type: 'removeReference', id: 4 }), undefined);
  });
});
