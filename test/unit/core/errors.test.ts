import * as assert from 'assert';
import { msg } from '../../../src/shared/messages';
import { classifyError, ImageApiError, isRetryable, redactSecrets, retryAfterSeconds, withProductPrefix } from '../../../src/core/errors';
import { ValidationError } from '../../../src/core/request';

const apiError = (status: number, error: Record<string, unknown>, headers: Record<string, string> = {}) =>
  Object.assign(new Error(String(error.message)), { status, error, headers: new Headers(headers), requestID: 'req_1' });

suite('error classification', () => {
  test('HTTP statuses and codes become kinds', () => {
    const k = (e: unknown) => classifyError(e).kind;
    assert.strictEqual(k(apiError(401, { message: 'Incorrect API key provided: sk-te****-key', code: 'invalid_api_key' })), 'auth');
    assert.strictEqual(k(apiError(403, { message: 'Your organization must be verified to use the model `gpt-image-1.5`.' })), 'org-verification');
    assert.strictEqual(k(apiError(403, { message: 'Country, region, or territory not supported' })), 'forbidden');
    assert.strictEqual(k(apiError(400, { message: 'Your request was rejected by the safety system.', type: 'image_generation_user_error', code: 'moderation_blocked' })), 'content-policy');
    assert.strictEqual(k(apiError(400, { message: 'Your request was rejected as a result of our safety system.', code: 'content_policy_violation' })), 'content-policy');
    assert.strictEqual(k(apiError(400, { message: 'Invalid size', param: 'size' })), 'bad-request');
    assert.strictEqual(k(apiError(404, { message: 'Resource not found' })), 'not-found');
    assert.strictEqual(k(apiError(429, { message: 'You exceeded your current quota', code: 'insufficient_quota' })), 'quota');
    assert.strictEqual(k(apiError(429, { message: 'Rate limit reached', code: 'rate_limit_exceeded' })), 'rate-limit');
    assert.strictEqual(k(apiError(500, { message: 'oops' })), 'server');
    assert.strictEqual(k(apiError(503, { message: 'The engine is currently overloaded' })), 'overloaded');
    assert.strictEqual(k(Object.assign(new Error('Connection error.'), { name: 'APIConnectionError' })), 'network');
    assert.strictEqual(k(Object.assign(new Error('Request timed out.'), { name: 'APIConnectionTimeoutError' })), 'timeout');
    assert.strictEqual(k(Object.assign(new Error('Request was aborted.'), { name: 'APIUserAbortError' })), 'cancelled');
    assert.strictEqual(k(new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) })), 'network');
    assert.strictEqual(k(new SyntaxError('Unexpected token \'<\', "<html>" is not valid JSON')), 'bad-response');
    assert.strictEqual(k(new ImageApiError('url-expired', 'gone')), 'url-expired');
    assert.strictEqual(k(new ValidationError('size', msg('validation.promptEmpty'))), 'validation');
    assert.strictEqual(k('weird'), 'unknown');
  });

  test('details come along: param, request id, retry-after', () => {
    const info = classifyError(apiError(429, { message: 'Rate limit', code: 'rate_limit_exceeded', param: null }, { 'retry-after': '7' }));
    assert.strictEqual(info.retryAfterSeconds, 7);
    assert.strictEqual(info.requestId, 'req_1');
    assert.strictEqual(classifyError(apiError(400, { message: 'bad', param: 'size' })).param, 'size');
    assert.strictEqual(classifyError(new ValidationError('quality', msg('validation.promptEmpty'))).param, 'quality');
  });

  test('retry-after in ms, seconds or as a date', () => {
    assert.strictEqual(retryAfterSeconds(new Headers({ 'retry-after-ms': '1500', 'retry-after': '9' })), 1.5);
    assert.strictEqual(retryAfterSeconds(new Headers({ 'retry-after': '3' })), 3);
    const now = Date.parse('2026-11-23T12:00:00Z');
    assert.strictEqual(retryAfterSeconds({ 'retry-after': 'Mon, 23 Nov 2026 12:00:10 GMT' }, now), 10);
    assert.strictEqual(retryAfterSeconds(new Headers()), undefined);
  });

  test('keys never survive into messages', () => {
    const key = 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789';
    const info = classifyError(apiError(401, { message: `Incorrect API key provided: ${key}.` }), [key]);
    assert.ok(!info.serverMessage!.includes(key));
    assert.ok(!redactSecrets('Incorrect API key provided: sk-te****-key').includes('sk-te'));
    assert.strictEqual(redactSecrets('api-key: 0123456789abcdef0123456789abcdef'), 'api-key: ***');
    assert.strictEqual(redactSecrets('custom-secret-value here', ['custom-secret-value']), '*** here');
  });

  test('409 and 418 are not server errors and are not retried; 500, 502, 503, 504 are', () => {
    for (const status of [409, 418]) {
      const info = classifyError(apiError(status, { message: 'no' }));
      assert.notStrictEqual(info.kind, 'server', String(status));
      assert.strictEqual(isRetryable(info), false, `${status} is not retried`);
      assert.strictEqual(info.status, status);
    }
    for (const status of [500, 502, 503, 504]) assert.strictEqual(isRetryable(classifyError(apiError(status, { message: 'x' }))), true, String(status));
    assert.strictEqual(isRetryable(classifyError(apiError(499, { message: 'x' }))), false);
  });

  test('a cut-off answer is its own kind, never "could not reach"', () => {
    const socketClosed = () => Object.assign(new Error('other side closed'), { name: 'SocketError', code: 'UND_ERR_SOCKET' });
    // The body stopped coming after the answer had started (undici's words for it).
    assert.strictEqual(classifyError(new TypeError('terminated', { cause: socketClosed() })).kind, 'cut-off');
    // The server took the request and closed the connection before answering.
    const closed = Object.assign(new Error('Connection error.', { cause: new TypeError('fetch failed', { cause: socketClosed() }) }), { name: 'APIConnectionError' });
    assert.strictEqual(classifyError(closed).kind, 'cut-off');
    // The JSON stops in the middle.
    assert.strictEqual(classifyError(new SyntaxError('Unexpected end of JSON input')).kind, 'cut-off');
    assert.strictEqual(classifyError(new SyntaxError('Unterminated string in JSON at position 79 (line 5 column 40)')).kind, 'cut-off');
    // A provider that cannot be reached at all is still a network problem, and HTML is still unreadable.
    const refused = Object.assign(new Error('Connection error.', { cause: new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }) }), { name: 'APIConnectionError' });
    assert.strictEqual(classifyError(refused).kind, 'network');
    assert.strictEqual(classifyError(new SyntaxError('Unexpected token \'<\', "<!DOCTYPE "... is not valid JSON')).kind, 'bad-response');
    // Not retried on its own: the image may have been made and billed.
    assert.strictEqual(isRetryable({ kind: 'cut-off' }), false);
  });

  test('Azure keys, api-key fields and Bearer tokens are masked', () => {
    const azure = '0123456789abcdef0123456789ABCDEF';
    assert.strictEqual(redactSecrets(`Access denied due to invalid subscription key ${azure}.`), 'Access denied due to invalid subscription key ***.');
    assert.strictEqual(redactSecrets(`{"api-key": "${azure}"}`), '{"api-key": "***"}');
    assert.strictEqual(redactSecrets(`{"api_key":"short-secret-1"}`), '{"api_key":"***"}');
    assert.strictEqual(redactSecrets(`api-key: abc123secretvalue`), 'api-key: ***');
    assert.strictEqual(redactSecrets(`Ocp-Apim-Subscription-Key: k3y-v4lue`), 'Ocp-Apim-Subscription-Key: ***');
    assert.strictEqual(redactSecrets(`https://x.example/v1?api-key=s3cr3t&x=1`), 'https://x.example/v1?api-key=***&x=1');
    assert.strictEqual(redactSecrets('Authorization: Bearer eyJhbGciOi.payload.sig'), 'Authorization: Bearer ***');
    assert.strictEqual(redactSecrets('"authorization":"Bearer abc/def+ghi="'), '"authorization":"Bearer ***"');
    assert.strictEqual(redactSecrets('bearer short1'), 'bearer ***');
    const longAzure = 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0U1v2W3x4Y5z6A7b8C9d0E1f2G3h4I5j6K7l8M9n0P1q2';
    assert.strictEqual(redactSecrets(`key ${longAzure} refused`), 'key *** refused');
    // What is not a secret stays readable.
    for (const plain of ['Incorrect API key provided.', 'request req_0123456789abcdef0123456789abcdef failed', 'Invalid size 1536x1000', 'the model gpt-image-1.5 is not available']) {
      assert.strictEqual(redactSecrets(plain), plain);
    }
  });

  test('the product name is put in front of a message once', () => {
    assert.strictEqual(withProductPrefix('Pixelwright cannot send this request: size'), 'Pixelwright cannot send this request: size');
    assert.strictEqual(withProductPrefix('Pixelwright 无法发送此请求：size'), 'Pixelwright 无法发送此请求：size');
    assert.strictEqual(withProductPrefix('The request timed out.'), 'Pixelwright: The request timed out.');
    assert.strictEqual(withProductPrefix('Pixelwright: already said'), 'Pixelwright: already said');
    assert.strictEqual(withProductPrefix('PixelwrightX is not the product'), 'Pixelwright: PixelwrightX is not the product');
  });
});
