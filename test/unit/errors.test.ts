import * as assert from 'assert';
import { classifyError, ImageApiError, redactSecrets, retryAfterSeconds } from '../../src/core/errors';
import { ValidationError } from '../../src/core/request';

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
    assert.strictEqual(k(new SyntaxError('Unexpected end of JSON input')), 'bad-response');
    assert.strictEqual(k(new ImageApiError('url-expired', 'gone')), 'url-expired');
    assert.strictEqual(k(new ValidationError('size', 'bad')), 'validation');
    assert.strictEqual(k('weird'), 'unknown');
  });

  test('details come along: param, request id, retry-after', () => {
    const info = classifyError(apiError(429, { message: 'Rate limit', code: 'rate_limit_exceeded', param: null }, { 'retry-after': '7' }));
    assert.strictEqual(info.retryAfterSeconds, 7);
    assert.strictEqual(info.requestId, 'req_1');
    assert.strictEqual(classifyError(apiError(400, { message: 'bad', param: 'size' })).param, 'size');
    assert.strictEqual(classifyError(new ValidationError('quality', 'no')).param, 'quality');
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
});
