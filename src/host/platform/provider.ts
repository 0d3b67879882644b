/** The provider settings as the engine takes them, and as a file's record shows them (no key). */
import type { ProviderConfig } from '../../core/engine';
import type { GenerationRecord } from '../../core/record';
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

/**
 * Where the image was made, as stored in every image: scheme, host and port only. A base URL's
 * user name and password, path, query and #fragment are left out (keys and tokens get put there,
 * and a file travels further than a settings file).
 */
export function providerRecord(s: PixelwrightSettings): GenerationRecord['provider'] {
  if (s.provider === 'azure') return { kind: 'azure', baseUrl: origin(s.azure.endpoint), deployment: s.azure.deployment };
  if (s.provider === 'compatible') return { kind: 'compatible', baseUrl: origin(s.baseUrl) };
  return { kind: 'openai' };
}

/** "https://host:port" of an http(s) URL; undefined for anything else. */
function origin(url: string): string | undefined {
  try {
    const u = new URL(url.trim());
    return u.protocol === 'http:' || u.protocol === 'https:' ? `${u.protocol}//${u.host}` : undefined;
  } catch {
    return undefined;
  }
}
