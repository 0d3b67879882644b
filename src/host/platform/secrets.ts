/**
 * The API key lives in SecretStorage only, one entry per provider (and per endpoint for Azure
 * and compatible servers, which have keys of their own). It never reaches settings, logs,
 * webviews or files.
 */
// A plain require, not `import * as`: see the note in src/extension.ts.
import vscode = require('vscode');
import type { PixelwrightSettings } from './settings';

export class ApiKeyStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** The SecretStorage key for the provider the settings point at. */
  static slot(s: PixelwrightSettings): string {
    switch (s.provider) {
      case 'openai':
        return 'pixelwright.apiKey/openai';
      case 'azure':
        return `pixelwright.apiKey/azure/${s.azure.endpoint.replace(/\/+$/, '').toLowerCase()}`;
      case 'compatible':
        return `pixelwright.apiKey/compatible/${s.baseUrl.replace(/\/+$/, '').toLowerCase()}`;
    }
  }

  static providerLabel(s: PixelwrightSettings): string {
    switch (s.provider) {
      case 'openai':
        return 'OpenAI';
      case 'azure':
        return s.azure.endpoint ? `Azure OpenAI (${s.azure.endpoint})` : 'Azure OpenAI';
      case 'compatible':
        return s.baseUrl ? vscode.l10n.t('OpenAI-compatible server ({0})', s.baseUrl) : vscode.l10n.t('OpenAI-compatible server');
    }
  }

  get(s: PixelwrightSettings): Thenable<string | undefined> {
    return this.secrets.get(ApiKeyStore.slot(s));
  }

  async set(s: PixelwrightSettings, key: string): Promise<void> {
    await this.secrets.store(ApiKeyStore.slot(s), key.trim());
    // The walkthrough's first step completes on this.
    void vscode.commands.executeCommand('setContext', 'pixelwright.hasApiKey', true);
  }

  async clear(s: PixelwrightSettings): Promise<void> {
    await this.secrets.delete(ApiKeyStore.slot(s));
  }

  /** Asks with a password box; stores and returns the key, or undefined when dismissed. */
  async ask(s: PixelwrightSettings, reason?: string): Promise<string | undefined> {
    const key = await vscode.window.showInputBox({
      title: vscode.l10n.t('Pixelwright: API key for {0}', ApiKeyStore.providerLabel(s)),
      prompt: reason ?? vscode.l10n.t('Stored in VS Code Secret Storage, never in settings or files.'),
      password: true,
      ignoreFocusOut: true,
      placeHolder: s.provider === 'openai' ? 'sk-...' : undefined,
      validateInput: (v) => (v.trim().length === 0 ? vscode.l10n.t('Enter a key, or press Escape to cancel.') : /\s/.test(v.trim()) ? vscode.l10n.t('An API key has no spaces.') : undefined),
    });
    if (key === undefined) return undefined;
    await this.set(s, key);
    return key.trim();
  }

  /** The stored key, or asks for one. */
  async getOrAsk(s: PixelwrightSettings): Promise<string | undefined> {
    return (await this.get(s)) ?? this.ask(s, vscode.l10n.t('Pixelwright needs an API key to make images. It is stored in VS Code Secret Storage only.'));
  }
}
