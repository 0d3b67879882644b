// Boundaries of error classification, retry and key redaction (found by mutation testing).
import * as assert from 'assert';
import { classifyError, ImageApiError, isRetryable, redactSecrets, retryAfterSeconds, type ErrorKind } from '../../../src/core/errors';

const apiError = (status: number | undefined, error: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(String(error?.message ?? 'x')), { status, error, ...extra });
const kind = (e: unknown): ErrorKind => classifyError(e).kind;

suite('error classification: boundaries', () => {
  test('a 409 or 418 is neither a server error nor retried', () => {
    for (const status of [409, 418, 499]) {
      const info = classifyError(apiError(status, { message: 'odd' }));
      assert.strictEqual(info.kind, 'unknown', String(status));
      assert.strictEqual(isRetryable(info), false, String(status));
    }
  });

  test('500 and above are server errors and retried; 503 is overloaded', () => {
    for (const status of [500, 502, 504, 599]) {
      const info = classifyError(apiError(status, { message: 'oops' }));
      assert.strictEqual(info.kind, 'server', String(status));
      assert.strictEqual(isRetryable(info), true);
    }
    assert.strictEqual(kind(apiError(503, { message: 'busy' })), 'overloaded');
  });

  test('only rate limits, server errors and overload are retried', () => {
    const retried: ErrorKind[] = ['rate-limit', 'server', 'overloaded'];
    const all: ErrorKind[] = ['validation', 'auth', 'org-verification', 'forbidden', 'content-policy', 'bad-request', 'not-found', 'quota', 'rate-limit', 'server', 'overloaded', 'timeout', 'network', 'bad-response', 'url-expired', 'cancelled', 'unknown'];
    for (const k of all) assert.strictEqual(isRetryable({ kind: k }), retried.includes(k), k);
  });

  test('400 and 422: every content-filter code and type is a content-policy refusal', () => {
    for (const status of [400, 422]) {
      for (const code of ['moderation_blocked', 'content_policy_violation', 'contentFilter', 'content_filter']) {
        assert.strictEqual(kind(apiError(status, { message: 'no', code })), 'content-policy', `${status} ${code}`);
      }
      assert.strictEqual(kind(apiError(status, { message: 'no', type: 'image_generation_user_error' })), 'content-policy');
      assert.strictEqual(kind(apiError(status, { message: 'no', code: 'invalid_value' })), 'bad-request');
    }
  });

  test('code, type and param are read from the error itself when there is no body', () => {
    const top = Object.assign(new Error('blocked'), { status: 400, code: 'moderation_blocked', param: 'prompt' });
    const info = classifyError(top);
    assert.deepStrictEqual([info.kind, info.code, info.param, info.serverMessage], ['content-policy', 'moderation_blocked', 'prompt', 'blocked']);
    assert.strictEqual(kind(Object.assign(new Error('x'), { status: 429, type: 'insufficient_quota' })), 'quota');
  });

  test('empty codes and params count as absent', () => {
    const info = classifyError(apiError(400, { message: 'bad', code: '', param: '' }));
    assert.strictEqual(info.code, undefined);
    assert.strictEqual(info.param, undefined);
    assert.strictEqual(info.kind, 'bad-request');
  });

  test('429: quota by code, type or wording (quota, billing); else a rate limit with its wait', () => {
    assert.strictEqual(kind(apiError(429, { message: 'x', type: 'insufficient_quota' })), 'quota');
    assert.strictEqual(kind(apiError(429, { message: 'x', code: 'insufficient_quota' })), 'quota');
    assert.strictEqual(kind(apiError(429, { message: 'Billing hard limit has been reached' })), 'quota');
    assert.strictEqual(kind(apiError(429, { message: 'You exceeded your QUOTA' })), 'quota');
    const rl = classifyError(apiError(429, { message: 'Rate limit reached' }, { headers: { 'retry-after': '4' } }));
    assert.deepStrictEqual([rl.kind, rl.retryAfterSeconds], ['rate-limit', 4]);
    const busy = classifyError(apiError(503, { message: 'busy' }, { headers: { 'retry-after-ms': '250' } }));
    assert.deepStrictEqual([busy.kind, busy.retryAfterSeconds], ['overloaded', 0.25]);
  });

  test('401, 403 (verification or not), 404 and 408', () => {
    assert.strictEqual(kind(apiError(401, { message: 'bad key' })), 'auth');
    assert.strictEqual(kind(apiError(403, { message: 'Organization must be VERIFIED' })), 'org-verification');
    assert.strictEqual(kind(apiError(403, { message: 'not allowed' })), 'forbidden');
    assert.strictEqual(kind(apiError(404, { message: 'no deployment' })), 'not-found');
    assert.strictEqual(kind(apiError(408, { message: 'slow' })), 'timeout');
  });

  test('the SDK class name decides when the error name is plain "Error"', () => {
    class APIConnectionTimeoutError extends Error {}
    class APIUserAbortError extends Error {}
    class APIConnectionError extends Error {}
    class SomethingElse extends Error {}
    assert.strictEqual(kind(new APIConnectionTimeoutError('t')), 'timeout');
    assert.strictEqual(kind(new APIUserAbortError('a')), 'cancelled');
    assert.strictEqual(kind(new APIConnectionError('c')), 'network');
    assert.strictEqual(kind(Object.assign(new SomethingElse('e'), { name: 'AbortError' })), 'cancelled');
  });

  test('network failures: error codes and fetch failures up the cause chain, only without a status', () => {
    const net = (code: string) => Object.assign(new Error('x'), { code });
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE', 'UND_ERR_CONNECT_TIMEOUT']) {
      assert.strictEqual(kind(net(code)), 'network', code);
    }
    // A socket the server closed mid-answer is a cut-off answer (maybe billed), not an unreachable server.
    assert.strictEqual(kind(net('UND_ERR_SOCKET')), 'cut-off');
    assert.strictEqual(kind(net('ECONNREFUSEDX')), 'unknown');
    assert.strictEqual(kind(net('XECONNRESET')), 'unknown');
    assert.strictEqual(kind(new TypeError('terminated')), 'cut-off', 'undici: the body stopped coming');
    assert.strictEqual(kind(new TypeError('Fetch Failed')), 'network');
    assert.strictEqual(kind(new RangeError('fetch failed')), 'unknown');
    // wrapped errors are looked through (four levels here), and a cause that loops ends the search
    let deep: Error = net('ECONNRESET');
    for (let i = 0; i < 4; i++) deep = new Error('wrapped', { cause: deep });
    assert.strictEqual(kind(deep), 'network');
    const loop: Error & { cause?: unknown } = new Error('loop');
    loop.cause = loop;
    assert.strictEqual(kind(loop), 'unknown');
    assert.strictEqual(kind(Object.assign(net('ECONNRESET'), { status: 500 })), 'server');
  });

  test('the request id comes from the SDK or the x-request-id header', () => {
    assert.strictEqual(classifyError(apiError(500, { message: 'x' }, { headers: new Headers({ 'x-request-id': 'req_h' }) })).requestId, 'req_h');
    assert.strictEqual(classifyError(apiError(500, { message: 'x' }, { headers: { 'x-request-id': 'req_r' } })).requestId, 'req_r');
    assert.strictEqual(classifyError(apiError(500, { message: 'x' }, { requestID: 'req_s', headers: { 'x-request-id': 'req_r' } })).requestId, 'req_s');
  });

  test('our own errors keep their kind and details; anything else still gets a message', () => {
    const info = classifyError(new ImageApiError('bad-response', 'no image', { status: 200, requestId: 'r' }));
    assert.deepStrictEqual(info, { kind: 'bad-response', serverMessage: 'no image', status: 200, requestId: 'r' });
    assert.strictEqual(classifyError(undefined).kind, 'unknown');
    assert.strictEqual(classifyError(null).serverMessage, 'null');
    assert.strictEqual(classifyError(apiError(500, undefined)).serverMessage, 'x');
  });
});

suite('retry-after: boundaries', () => {
  test('retry-after-ms wins when it is a number, else retry-after', () => {
    assert.strictEqual(retryAfterSeconds({ 'retry-after-ms': '0', 'retry-after': '9' }), 0);
    assert.strictEqual(retryAfterSeconds({ 'retry-after-ms': 'soon', 'retry-after': '9' }), 9);
    assert.strictEqual(retryAfterSeconds({ 'retry-after-ms': '-5', 'retry-after': '9' }), 9);
    assert.strictEqual(retryAfterSeconds({ 'retry-after': '0' }), 0);
  });

  test('a negative wait is never returned', () => {
    for (const v of ['-1', '-0.5']) {
      const s = retryAfterSeconds({ 'retry-after': v }, Date.parse('2026-11-23T12:00:00Z'));
      assert.ok(s === undefined || s >= 0, `${v} gave ${s}`);
    }
  });

  test('a date in the past means now; a word means nothing', () => {
    const now = Date.parse('2026-11-23T12:00:00Z');
    assert.strictEqual(retryAfterSeconds({ 'retry-after': 'Mon, 23 Nov 2026 11:59:00 GMT' }, now), 0);
    assert.strictEqual(retryAfterSeconds({ 'retry-after': 'Mon, 23 Nov 2026 12:00:01 GMT' }, now), 1);
    assert.strictEqual(retryAfterSeconds({ 'retry-after': 'later' }, now), undefined);
    assert.strictEqual(retryAfterSeconds(undefined), undefined);
  });
});

suite('key redaction: boundaries', () => {
  test('a bearer token is masked, with the word kept', () => {
    assert.strictEqual(redactSecrets('Authorization: Bearer abcdefghijklmnop'), 'Authorization: Bearer ***');
    assert.strictEqual(redactSecrets('authorization: bearer abcdefghijklmnopqrstuvwxyz.0123_-9'), 'authorization: bearer ***');
    assert.strictEqual(redactSecrets('Bearer: abcdefghijklmnopqrstuvwxyz'), 'Bearer: ***');
    assert.strictEqual(redactSecrets('Bearer=abcdefghijklmnopqrstuvwxyz'), 'Bearer=***');
    // Whatever follows "Bearer" is a credential, short or long; three characters are too few to be one.
    assert.strictEqual(redactSecrets('Bearer abcdefghijklmno'), 'Bearer ***');
    assert.strictEqual(redactSecrets('Bearer abc'), 'Bearer abc');
  });

  test('api key spellings: api-key, api_key, api key, apikey', () => {
    const secret = '0123456789abcdef0123';
    for (const word of ['api-key', 'API_KEY', 'api key', 'apikey']) assert.strictEqual(redactSecrets(`${word}=${secret}`), `${word}=***`, word);
  });

  test('sk- keys: from three characters on, wherever they stand', () => {
    assert.strictEqual(redactSecrets('key sk-abc used'), 'key sk-*** used');
    assert.strictEqual(redactSecrets('(sk-proj-AbC_1-2*3)'), '(sk-***)');
    assert.strictEqual(redactSecrets('sk-ab'), 'sk-ab');
    assert.strictEqual(redactSecrets('task-abcdef'), 'task-abcdef');
  });

  test('known secrets are masked everywhere; ones shorter than 4 characters are not used', () => {
    assert.strictEqual(redactSecrets('abcd and abcd', ['abcd']), '*** and ***');
    assert.strictEqual(redactSecrets('abc and abc', ['abc', '']), 'abc and abc');
    const info = classifyError(apiError(401, { message: 'key my-own-secret is wrong' }), ['my-own-secret']);
    assert.strictEqual(info.serverMessage, 'key *** is wrong');
  });
});
