/**
 * The recipe commands: Show Recipe, Remake, Rework, Remix and Copy Prompt, on the image the
 * Explorer, the image preview's title bar, the Gallery or the hover gives (a Uri, or its string
 * from a command link), else the active image preview, else one picked from the workspace.
 */
import * as vscode from 'vscode';
import type { StoredRecord } from '../../core/metadata';
import type { Log } from '../platform/log';
import type { RunPipeline } from '../run/pipeline';
import { readRecipe } from '../run/recipes';
import type { RecipeView } from '../../shared/recipeProtocol';
import { RecipeActions } from './actions';
import { RecipePanel } from './panel';

const IMAGE = /\.(png|jpe?g|webp|gif|svg)$/i;

export interface RecipeCommands {
  /** Opens the panel; resolves with what it shows (plain data) once it has read the file. */
  showRecipe(uri?: unknown, uris?: unknown): Promise<RecipeView | undefined>;
  remake(uri?: unknown): Promise<vscode.Uri[]>;
  rework(uri?: unknown): Promise<void>;
  remix(uri?: unknown): Promise<vscode.Uri[]>;
  copyPrompt(uri?: unknown): Promise<void>;
}

/** The image a command was given (a Uri, or a URI string from a command link). */
function givenImage(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg.length <= 8192) {
    try {
      return vscode.Uri.parse(arg, true);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function activePreviewImage(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom && IMAGE.test(input.uri.path) ? input.uri : undefined;
}

async function pickImage(title: string): Promise<vscode.Uri | undefined> {
  const files = await vscode.workspace.findFiles('**/*.{png,jpg,jpeg,webp,PNG,JPG,JPEG,WEBP}', '**/{node_modules,.git}/**', 5000);
  if (!files.length) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Pixelwright: there is no PNG, JPEG or WebP image in this workspace.'));
    return undefined;
  }
  const items = files
    .map((uri) => ({ label: uri.path.slice(uri.path.lastIndexOf('/') + 1), description: vscode.workspace.asRelativePath(uri, false), uri }))
    .sort((a, b) => a.description.localeCompare(b.description));
  return (await vscode.window.showQuickPick(items, { title, placeHolder: vscode.l10n.t('Pick an image'), matchOnDescription: true }))?.uri;
}

export function recipeCommands(context: vscode.ExtensionContext, log: Log, pipeline: RunPipeline): RecipeCommands {
  const t = vscode.l10n.t;
  const actions = new RecipeActions(pipeline, log);
  const target = async (arg: unknown, title: string) => {
    return givenImage(arg) ?? activePreviewImage() ?? (await pickImage(title));
  };
  /** The image and its well-formed recipe; says so when there is none. */
  const withRecipe = async (arg: unknown, title: string): Promise<{ image: vscode.Uri; record: StoredRecord } | undefined> => {
    const image = await target(arg, title);
    if (!image) return undefined;
    let found;
    try {
      found = await readRecipe(image);
    } catch (err) {
      void vscode.window.showErrorMessage(t('Pixelwright cannot read {0}: {1}', baseName(image), err instanceof Error ? err.message : String(err)));
      return undefined;
    }
    if (!found.record) {
      const show = t('Show Recipe');
      void vscode.window.showInformationMessage(t('{0} carries no recipe Pixelwright can use.', baseName(image)), show).then((a) => a && RecipePanel.show(context, log, actions, image));
      return undefined;
    }
    return { image, record: found.record };
  };
  return {
    showRecipe: async (uri) => {
      const image = await target(uri, t('Pixelwright: Show Recipe'));
      if (!image) return undefined;
      return RecipePanel.show(context, log, actions, image).shown();
    },
    remake: async (uri) => {
      const r = await withRecipe(uri, t('Pixelwright: Remake'));
      return r ? actions.remake(r.image, r.record) : [];
    },
    rework: async (uri) => {
      const r = await withRecipe(uri, t('Pixelwright: Rework'));
      if (r) await actions.rework(r.image, r.record);
    },
    remix: async (uri) => {
      const r = await withRecipe(uri, t('Pixelwright: Remix'));
      return r ? actions.remix(r.image, r.record) : [];
    },
    copyPrompt: async (uri) => {
      const r = await withRecipe(uri, t('Pixelwright: Copy Prompt'));
      if (r) void vscode.window.setStatusBarMessage(await actions.copyPrompt(r.record), 3000);
    },
  };
}

function baseName(u: vscode.Uri): string {
  return u.path.slice(u.path.lastIndexOf('/') + 1);
}
