/**
 * activate(): builds the services, registers every contribution thinly, hands every Disposable
 * to the context. The features themselves (src/features.ts, bundled as dist/features.js) load
 * the first time a command runs or a view opens; the API client and image work load later still
 * (dist/engine.js). Nothing heavy happens here.
 */
// `import x = require()`, not `import * as x`: for `import * as` of an external module esbuild
// copies the module's properties onto a new object (its __toESM), once per importing module, and
// the vscode API has about 350 of them: four copies were most of what loading this bundle cost.
// The modules loaded here (and src/host/platform/) use a plain require.
import path = require('path');
import vscode = require('vscode');
import { IMAGE_LINK_LANGUAGES, mayHoldImageReference } from './core/links';
import type * as FeaturesModule from './features';
import { Log } from './host/platform/log';
import { ApiKeyStore } from './host/platform/secrets';
import { hasPendingBatch } from './host/assets/pending';
import { readSettings } from './host/platform/settings';

/** How long after activation the walkthrough's "key stored" step is checked. */
const KEY_CHECK_DELAY_MS = 1500;

/** What Pixelwright offers other extensions (`extensions.getExtension(...).exports`). */
export interface PixelwrightApi {
  /** Stores a key for the provider the settings point at, as "Set API Key" does. */
  setApiKey(key: string): Promise<void>;
  /** What Pixelwright spent today and this month (this workspace, all of them, by model), from its usage ledger. */
  usageSummary(): Promise<import('./core/ledger').UsageSummary>;
}

export function activate(context: vscode.ExtensionContext): PixelwrightApi {
  const log = new Log();
  const keys = new ApiKeyStore(context.secrets);
  let loaded: FeaturesModule.Features | undefined;
  const usageChanged = new vscode.EventEmitter<void>();
  const features = (): FeaturesModule.Features => {
    if (!loaded) {
      // A computed path keeps esbuild from inlining the features into the activation bundle.
      const mod = require(path.join(__dirname, 'features.js')) as typeof FeaturesModule;
      loaded = mod.createFeatures(context, { log, keys });
      context.subscriptions.push(loaded, loaded.usage.onDidChangeTreeData(() => usageChanged.fire()));
    }
    return loaded;
  };
  /** A view provider that loads its feature when the view first resolves. */
  const lazyView = (pick: (f: FeaturesModule.Features) => vscode.WebviewViewProvider): vscode.WebviewViewProvider => ({
    resolveWebviewView: (view, ctx, token) => pick(features()).resolveWebviewView(view, ctx, token),
  });
  /** An agent tool that loads its feature on its first call (the names come from package.json). */
  const lazyTool = (name: string): vscode.LanguageModelTool<unknown> => ({
    prepareInvocation: (o, token) => features().tool(name).prepareInvocation?.(o, token),
    invoke: (o, token) => features().tool(name).invoke(o, token),
  });
  const tools = (context.extension.packageJSON.contributes?.languageModelTools ?? []) as { name: string }[];
  /**
   * The hover and code actions on image links: a line that names no image file is answered here,
   * so the features load only when the cursor or the mouse is on a line that may hold one.
   */
  const imageLinks: vscode.HoverProvider & vscode.CodeActionProvider = {
    provideHover: (doc, pos, token) => (mayHoldImageReference(doc.lineAt(pos.line).text) ? features().imageLinks.provideHover(doc, pos, token) : undefined),
    provideCodeActions: (doc, range, ctx, token) => (mayHoldImageReference(doc.lineAt(range.start.line).text) ? features().imageLinks.provideCodeActions(doc, range, ctx, token) : undefined),
  };
  const linkDocuments = IMAGE_LINK_LANGUAGES.map((language) => ({ language }));
  /** The asset manifest's CodeLens and diagnostics: the features load when a manifest is open. */
  const isManifest = (doc: vscode.TextDocument) => doc.uri.path.endsWith('/pixelwright.assets.json');
  const lensesChanged = new vscode.EventEmitter<void>();
  let lensesWired = false;
  const assets = () => {
    const a = features().assets;
    if (!lensesWired) {
      lensesWired = true;
      context.subscriptions.push(a.onDidChangeCodeLenses(() => lensesChanged.fire()));
    }
    return a;
  };
  const checkManifest = (doc: vscode.TextDocument) => {
    if (isManifest(doc)) void assets().store.check(doc).then(() => assets().invalidate(), (err) => log.error(`asset manifest: ${err}`));
  };
  vscode.workspace.textDocuments.forEach(checkManifest);
  context.subscriptions.push(
    log,
    usageChanged,
    // The Usage view loads the features when it is first expanded.
    vscode.window.registerTreeDataProvider('pixelwright.usage', {
      onDidChangeTreeData: usageChanged.event,
      getTreeItem: (line: unknown) => features().usage.getTreeItem(line as never),
      getChildren: (line?: unknown) => features().usage.getChildren(line as never),
    }),
    ...tools.map((t) => vscode.lm.registerTool(t.name, lazyTool(t.name))),
    // The MCP server's definition loads the features when VS Code first asks for it.
    vscode.lm.registerMcpServerDefinitionProvider('pixelwright', {
      provideMcpServerDefinitions: () => features().mcp.provideMcpServerDefinitions(),
      resolveMcpServerDefinition: (server) => features().mcp.resolveMcpServerDefinition(server as vscode.McpStdioServerDefinition),
    }),
    vscode.commands.registerCommand('pixelwright.copyMcpConfiguration', () => features().mcp.copyConfiguration()),
    vscode.commands.registerCommand('pixelwright.generate', (args?: unknown) => features().generate(args)),
    vscode.commands.registerCommand('pixelwright.editImage', (uri?: unknown, uris?: unknown, preset?: unknown) => features().editImage(uri, uris, preset)),
    vscode.commands.registerCommand('pixelwright.createVariations', (uri?: unknown, uris?: unknown, preset?: unknown) => features().createVariations(uri, uris, preset)),
    vscode.commands.registerCommand('pixelwright.showRecipe', (uri?: unknown, uris?: unknown) => features().recipes.showRecipe(uri, uris)),
    vscode.commands.registerCommand('pixelwright.remake', (uri?: unknown) => features().recipes.remake(uri)),
    vscode.commands.registerCommand('pixelwright.rework', (uri?: unknown) => features().recipes.rework(uri)),
    vscode.commands.registerCommand('pixelwright.remix', (uri?: unknown) => features().recipes.remix(uri)),
    vscode.commands.registerCommand('pixelwright.copyPrompt', (uri?: unknown) => features().recipes.copyPrompt(uri)),
    vscode.commands.registerCommand('pixelwright.generateFromSelection', () => features().generateFromSelection()),
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
    vscode.window.registerWebviewViewProvider('pixelwright.studio', lazyView((f) => f.studio)),
    vscode.window.registerWebviewViewProvider('pixelwright.gallery', lazyView((f) => f.gallery)),
    lensesChanged,
    vscode.commands.registerCommand('pixelwright.planAssets', (args?: { manifest?: string; show?: boolean }) => assets().planCommand(args)),
    vscode.commands.registerCommand('pixelwright.generateAssets', (args?: Parameters<FeaturesModule.Features['assets']['generateCommand']>[0]) => assets().generateCommand(args)),
    vscode.commands.registerCommand('pixelwright.retryFailedAssets', (args?: { manifest?: string; mode?: 'interactive' | 'batch' }) => assets().retryFailed(args?.manifest, args?.mode)),
    vscode.commands.registerCommand('pixelwright.cancelAssetBatch', (args?: { job?: string; noConfirm?: boolean; wait?: boolean }) => assets().cancelBatchCommand(args)),
    vscode.languages.registerCodeLensProvider({ pattern: '**/pixelwright.assets.json' }, {
      onDidChangeCodeLenses: lensesChanged.event,
      provideCodeLenses: (doc) => (isManifest(doc) ? assets().provideCodeLenses(doc) : []),
    }),
    vscode.workspace.onDidOpenTextDocument(checkManifest),
    vscode.workspace.onDidChangeTextDocument((e) => checkManifest(e.document)),
    vscode.languages.registerHoverProvider(linkDocuments, imageLinks),
    vscode.languages.registerCodeActionsProvider(linkDocuments, imageLinks),
  );
  // An asset batch job was running when the window closed: poll it again, after activation is over
  // (the features load then, not now; nothing is read unless the workspace state names a job).
  if (hasPendingBatch(context.workspaceState)) {
    const resume = setTimeout(() => void assets().resumeBatches().catch((err) => log.error(`asset batch: ${err}`)), 1500);
    context.subscriptions.push({ dispose: () => clearTimeout(resume) });
  }
  // A key stored before: the walkthrough's first step is already done. Looked up once the window
  // has settled (reading the settings and asking the secret store cost ~1 ms activate() need not pay).
  const keyCheck = setTimeout(() => {
    void keys.get(readSettings()).then((k) => k && vscode.commands.executeCommand('setContext', 'pixelwright.hasApiKey', true), () => undefined);
  }, KEY_CHECK_DELAY_MS);
  context.subscriptions.push({ dispose: () => clearTimeout(keyCheck) });
  return {
    setApiKey: async (key: string) => {
      if (typeof key !== 'string' || !key.trim()) throw new Error('Pixelwright: setApiKey needs a non-empty string');
      await keys.set(readSettings(), key);
    },
    usageSummary: () => features().ledger.summary(),
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
