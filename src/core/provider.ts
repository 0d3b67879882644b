/**
 * The provider settings as the engine takes them, and as a file's record shows them (no key).
 * Pure: the host builds them from VS Code's settings, the MCP server from its environment.
 */
import { createHash } from 'node:crypto';
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
  /** The end user's id for the provider's abuse monitoring (a user name or e-mail); sent hashed only. */
  readonly safetyIdentifier?: string;
}

/**
 * The `safety_identifier` sent for a setting: the SHA-256 of the trimmed value, in hex, so that
 * no user name or e-mail address leaves the machine; undefined when the setting is empty.
 */
export function hashSafetyIdentifier(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? createHash('sha256').update(v, 'utf8').digest('hex') : undefined;
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
    safetyIdentifier: hashSafetyIdentifier(s.safetyIdentifier),
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
