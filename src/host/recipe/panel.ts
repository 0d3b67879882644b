/**
 * "Pixelwright: Show Recipe": a panel with everything an image's recipe says (prompt, revised
 * prompt, model, options, sources as links, cost, provider, time, lineage) and its actions
 * (Remake, Rework, Remix, Copy Prompt). One panel per image; shown again, it reads the file again.
 *
 * A webview panel through the shared base, rather than a Markdown preview or a hover: it has
 * buttons (the actions) and links that run commands without trusting the document's content,
 * and its page renders every value as text (src/webview/recipe/render.ts). Whatever the file
 * holds (malformed, huge, wrongly typed or hostile) reaches the page only as bounded strings
 * (core/recipe.ts, core/recipeView.ts), under the base's CSP (scripts by nonce only).
 * retainContextWhenHidden stays off: the page holds nothing the host cannot send again.
 */
import * as vscode from 'vscode';
import { redactSecrets } from '../../core/errors';
import type { Logger } from '../../core/log';
import { offeredModels } from '../../core/modelChoice';
import { ModelTable } from '../../core/models';
import { buildRecipeView } from '../../core/recipeView';
import { parseFromRecipe, type FromRecipe, type RecipeActionMessage, type RecipeView, type ToRecipe } from '../../shared/recipeProtocol';
import { readSettings } from '../platform/settings';
import { readRecipe, type FoundRecipe } from '../run/recipes';
import { WebviewBase } from '../webview/base';
import type { NoticeOf, ReplyBody } from '../webview/channel';
import { resolveWorkspacePath, type RecipeActions } from './actions';
import { localizeAll } from '../webview/strings';

export class RecipePanel extends WebviewBase<ToRecipe, FromRecipe> {
  static readonly viewType = 'pixelwright.recipe';
  private static readonly open = new Map<string, RecipePanel>();

  /** Shows the recipe of `image` (reveals its panel when one is open, reading the file again). */
  static show(context: vscode.ExtensionContext, log: Logger, actions: RecipeActions, image: vscode.Uri): RecipePanel {
    const existing = RecipePanel.open.get(image.toString());
    if (existing) {
      existing.panel.reveal();
      void existing.refresh();
      return existing;
    }
    return new RecipePanel(context, log, actions, image);
  }

  private readonly panel: vscode.WebviewPanel;
  private found: FoundRecipe | undefined;
  private loading: Promise<RecipeView | undefined> | undefined;

  private constructor(
    context: vscode.ExtensionContext,
    log: Logger,
    private readonly actions: RecipeActions,
    readonly image: vscode.Uri,
  ) {
    super(context.extensionUri, log, { name: 'recipe', label: 'recipe', parse: parseFromRecipe, imageSources: [] });
    const t = vscode.l10n.t;
    this.panel = this._register(vscode.window.createWebviewPanel(RecipePanel.viewType, t('Recipe: {0}', baseName(image)), { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, this.webviewOptions));
    this.panel.iconPath = vscode.Uri.joinPath(context.extensionUri, 'media', 'pixelwright.svg');
    RecipePanel.open.set(image.toString(), this);
    this._register({ dispose: () => RecipePanel.open.get(image.toString()) === this && RecipePanel.open.delete(image.toString()) });
    this._register(this.panel.onDidDispose(() => this.dispose()));
    this.attach(this.panel, { title: t('Recipe: {0}', baseName(image)), loading: t('Reading the recipe…') });
  }

  /** Reads the file again and re-sends the page. */
  async refresh(): Promise<void> {
    this.loading = undefined;
    if (this.isReady) await this.sendState();
  }

  protected override async sendState(): Promise<void> {
    const view = await this.shown();
    if (view) await this.post({ type: 'init', strings: uiStrings(), locale: vscode.env.language || 'en', view });
  }

  /** What the panel shows, once it has read the file (undefined when it could not: the panel closes). */
  shown(): Promise<RecipeView | undefined> {
    this.loading ??= this.load();
    return this.loading;
  }

  private async load(): Promise<RecipeView | undefined> {
    const t = vscode.l10n.t;
    let found: FoundRecipe;
    try {
      found = await readRecipe(this.image, { raw: true });
    } catch (err) {
      void vscode.window.showErrorMessage(t('Pixelwright cannot read {0}: {1}', baseName(this.image), redactSecrets(err instanceof Error ? err.message : String(err))));
      this.panel.dispose();
      return undefined;
    }
    this.found = found;
    const existing = new Set<string>();
    for (const p of found.record?.sources ?? []) if (await resolveWorkspacePath(p, this.image)) existing.add(p);
    const settings = readSettings();
    const table = new ModelTable(settings.customModels);
    const offered = new Set(offeredModels(table, settings, found.record?.operation ?? 'generate').map((m) => m.id));
    return buildRecipeView(vscode.workspace.asRelativePath(this.image, false), found, (p) => existing.has(p), (m) => offered.has(m));
  }

  protected override onMessage(_message: NoticeOf<FromRecipe>): void {
    // The page sends only `ready` (handled by the base) and requests.
  }

  protected override async onRequest(msg: RecipeActionMessage): Promise<ReplyBody<ToRecipe>> {
    return this.act(msg.action, msg.path);
  }

  /** Runs an action of the page (also called by host tests, as the page would). */
  async act(action: RecipeActionMessage['action'], path?: string): Promise<{ error?: string; notice?: string }> {
    const t = vscode.l10n.t;
    if (action === 'openImage') {
      await vscode.commands.executeCommand('vscode.open', this.image);
      return {};
    }
    if (action === 'openSource') {
      // Only a source the recipe names, resolved inside the workspace.
      const record = this.found?.record;
      if (!path || !record?.sources?.includes(path)) return { error: t('This source is not in the recipe.') };
      const uri = await resolveWorkspacePath(path, this.image);
      if (!uri) return { error: t('{0} is no longer in the workspace.', path) };
      await vscode.commands.executeCommand('vscode.open', uri);
      return {};
    }
    const record = this.found?.record;
    if (!record) return { error: t('This image carries no recipe Pixelwright can use.') };
    switch (action) {
      case 'copyPrompt':
        return { notice: await this.actions.copyPrompt(record) };
      case 'remake':
        void this.actions.remake(this.image, record);
        return {};
      case 'remix':
        void this.actions.remix(this.image, record);
        return {};
      case 'rework':
        await this.actions.rework(this.image, record);
        return {};
    }
  }
}

/**
 * Every string the page shows, localized, keyed by its English text. test/unit/webviewStrings.test.ts
 * checks that every s('...') in src/webview/recipe has its entry here.
 */
const UI_STRINGS = [
  '(no longer in the workspace)',
  'Copy Prompt',
  'Copy the prompt to the clipboard',
  'Cost',
  'Created',
  'Made from',
  'Make it again with the same settings (asks first)',
  'Model',
  'No Pixelwright recipe in this image.',
  'Older steps were left out to keep the recipe small.',
  'Only the beginning is shown.',
  'Open Image',
  'Open the mask editor with these settings and sources',
  'Operation',
  'Options',
  'Prompt',
  'Provider',
  'Recipe actions',
  'Remake',
  'Remix…',
  'Request ID',
  'Revised prompt (by the model)',
  'Rework…',
  'Shortened to fit the file',
  'Size',
  'Sources',
  'Stored',
  'The recipe file was written for another version of this image: the image has changed since.',
  'The same settings with a new prompt',
  'This recipe is not one Pixelwright can read: it is shown as plain text, and nothing in it can run.',
  'Tool',
  'edit',
  'generation',
  'in a sidecar file next to the image',
  'inside the image',
  'variation',
  '{0} is not offered by the configured provider: Remake offers the closest model.',
] as const;

function uiStrings(): Record<string, string> {
  return localizeAll(UI_STRINGS);
}

function baseName(u: vscode.Uri): string {
  return u.path.slice(u.path.lastIndexOf('/') + 1);
}
