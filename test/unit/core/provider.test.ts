import * as assert from 'assert';
import { providerRecord } from '../../../src/core/provider';
import type { PixelwrightSettings } from '../../../src/host/platform/settings';

const base = {
  provider: 'openai',
  baseUrl: '',
  azure: { endpoint: '', deployment: '', apiVersion: '2025-04-01-preview' },
} as unknown as PixelwrightSettings;
const settings = (o: Partial<PixelwrightSettings>) => ({ ...base, ...o }) as PixelwrightSettings;

suite('the provider record stored in every image', () => {
  test('a compatible base URL keeps only scheme, host and port', () => {
    const r = providerRecord(settings({ provider: 'compatible', baseUrl: 'https://user:pa55@images.example.com:8443/tenant-s3cret/v1?key=abc#token=xyz' }));
    assert.deepStrictEqual(r, { kind: 'compatible', baseUrl: 'https://images.example.com:8443' });
    assert.deepStrictEqual(providerRecord(settings({ provider: 'compatible', baseUrl: 'http://localhost:8080/v1' })), { kind: 'compatible', baseUrl: 'http://localhost:8080' });
    assert.deepStrictEqual(providerRecord(settings({ provider: 'compatible', baseUrl: 'https://api.example.com/v1#s3cret' })), { kind: 'compatible', baseUrl: 'https://api.example.com' });
  });

  test('Azure keeps the endpoint host and the deployment, nothing else', () => {
    const r = providerRecord(settings({ provider: 'azure', azure: { endpoint: 'https://my-res.openai.azure.com/openai?api-key=0123456789abcdef0123456789abcdef#frag', deployment: 'gpt-image', apiVersion: 'x' } }));
    assert.deepStrictEqual(r, { kind: 'azure', baseUrl: 'https://my-res.openai.azure.com', deployment: 'gpt-image' });
  });

  test('nothing that is not an http(s) URL is recorded; OpenAI records no URL', () => {
    assert.deepStrictEqual(providerRecord(settings({ provider: 'compatible', baseUrl: 'not a url' })), { kind: 'compatible', baseUrl: undefined });
    assert.deepStrictEqual(providerRecord(settings({ provider: 'compatible', baseUrl: 'javascript:alert(1)' })), { kind: 'compatible', baseUrl: undefined });
    assert.deepStrictEqual(providerRecord(settings({ provider: 'openai', baseUrl: 'https://x.example/secret' })), { kind: 'openai' });
  });
});
