/**
 * activate(): builds the services, registers the contributions, hands every Disposable to the
 * context. Nothing heavy happens here: the API client and image work load on first use.
 */
import * as vscode from 'vscode';
import { HostEditBackend } from './host/edit/backend';
import { registerEditCommands } from './host/edit/commands';
import { GenerateCommand } from './host/generate/command';
import { registerGallery } from './host/gallery/view';
import { Log } from './host/platform/log';
import { ApiKeyStore } from './host/platform/secrets';
import { readSettings } from './host/platform/settings';
import { RunHistory } from './host/run/history';
import { RunPipeline } from './host/run/pipeline';
import { registerStudio } from './host/studio/view';

/** What Pixelwright offers other extensions (`extensions.getExtension(...).exports`). */
export interface PixelwrightApi {
  /** Stores a key for the provider the settings point at, as "Set API Key" does. */
  setApiKey(key: string): Promise<void>;
}

export function activate(context: vscode.ExtensionContext): PixelwrightApi {
  const log = new Log();
  const keys = new ApiKeyStore(context.secrets);
  const history = new RunHistory(context.globalState);
  const pipeline = new RunPipeline(context, log, keys, history);
  const generate = new GenerateCommand(pipeline, history, log);
  context.subscriptions.push(
    log,
    pipeline,
    vscode.commands.registerCommand('pixelwright.generate', (args?: unknown) => generate.generateCommand(args)),
    vscode.commands.registerCommand('pixelwright.setApiKey', async () => {
      const settings = readSettings();
      if (await keys.ask(settings)) {
        void vscode.window.showInformationMessage(vscode.l10n.t('Pixelwright: API key saved for {0}.', ApiKeyStore.providerLabel(settings)));
      }
    }),
    vscode.commands.registerCommand('pixelwright.clearApiKey', async () => {
      const settings = readSettings();
      await keys.clear(settings);
      void vscode.window.showInformationMessage(vscode.l10n.t('Pixelwright: API key removed for {0}.', ApiKeyStore.providerLabel(settings)));
    }),
    vscode.commands.registerCommand('pixelwright.showLog', () => log.show()),
    ...registerEditCommands(context, new HostEditBackend(context, log, keys), log),
    ...registerStudio(context, { pipeline, history, log }),
    ...registerGallery(context, { log, pipeline }),
  );
  return {
    setApiKey: async (key: string) => {
      if (typeof key !== 'string' || !key.trim()) throw new Error('Pixelwright: setApiKey needs a non-empty string');
      await keys.set(readSettings(), key);
    },
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
