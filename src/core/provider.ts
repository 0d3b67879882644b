/**
 * The provider settings as the engine takes them, and as a file's record shows them (no key).
 * Pure: the host builds them from VS Code's settings, the MCP server from its environment.
 */
import type { ProviderConfig } from './engine';
import type { GenerationRecord } from './record';

/** The settings that say where requests go (VS Code's `pixelwright.*`, or the MCP server's environment). */
export interface ProviderSettings {
  readonly provider: 'openai' | 'azure' | 'compatible';
  readonly baseUrl: string;
  readonly azure: { readonly endpoint: string; readonly deployment: string; readonly apiVersion: string };
  readonly organization: string;
  readonly project: string;
  readonly requestTimeoutSeconds: number;
}

export function providerConfig(s: ProviderSettings, apiKey: string): ProviderConfig {
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
export function providerRecord(s: Pick<ProviderSettings, 'provider' | 'baseUrl' | 'azure'>): GenerationRecord['provider'] {
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
