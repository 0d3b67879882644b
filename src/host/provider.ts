/** The provider settings as the engine takes them, and as a file's record shows them (no key). */
import type { ProviderConfig } from '../core/engine';
import type { GenerationRecord } from '../core/record';
import type { PixelwrightSettings } from './settings';

export function providerConfig(s: PixelwrightSettings, apiKey: string): ProviderConfig {
  return {
    kind: s.provider,
    apiKey,
    baseUrl: s.baseUrl || undefined,
    azure: s.provider === 'azure' ? s.azure : undefined,
    organization: s.organization || undefined,
    project: s.project || undefined,
    timeoutMs: s.requestTimeoutSeconds * 1000,
  };
}

/** Where the image was made, without credentials or query strings. */
export function providerRecord(s: PixelwrightSettings): GenerationRecord['provider'] {
  const clean = (url: string) => {
    try {
      const u = new URL(url);
      u.username = '';
      u.password = '';
      u.search = '';
      return u.toString();
    } catch {
      return undefined;
    }
  };
  if (s.provider === 'azure') return { kind: 'azure', baseUrl: clean(s.azure.endpoint), deployment: s.azure.deployment };
  if (s.provider === 'compatible') return { kind: 'compatible', baseUrl: clean(s.baseUrl) };
  return { kind: 'openai' };
}
