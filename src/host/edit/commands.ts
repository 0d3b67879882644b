/**
 * "Edit Image with Mask…" and "Create Variations…": from the Explorer (one image, or several
 * where the rest become reference images), the active image preview, or the palette (which
 * offers the workspace's images).
 */
import * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import type { EditBackend } from './session';
import { MaskEditorPanel, type EditPreset } from './panel';

const IMAGE = /\.(png|jpe?g|webp)$/i;

async function pickImage(operation: 'edit' | 'variation'): Promise<vscode.Uri | undefined> {
  const files = await vscode.workspace.findFiles('**/*.{png,jpg,jpeg,webp,PNG,JPG,JPEG,WEBP}', '**/{node_modules,.git,out,dist}/**', 5000);
  if (files.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Pixelwright: there is no PNG, JPEG or WebP image in this workspace.'));
    return undefined;
  }
  const items = files
    .map((uri) => ({ label: uri.path.slice(uri.path.lastIndexOf('/') + 1), description: vscode.workspace.asRelativePath(uri.with({ path: uri.path.replace(/\/[^/]*$/, '') })), uri }))
    .sort((a, b) => (a.description + a.label).localeCompare(b.description + b.label));
  const picked = await vscode.window.showQuickPick(items, {
    title: operation === 'edit' ? vscode.l10n.t('Pixelwright: Edit Image with Mask') : vscode.l10n.t('Pixelwright: Create Variations'),
    placeHolder: vscode.l10n.t('Pick an image'),
    matchOnDescription: true,
  });
  return picked?.uri;
}

function activePreviewImage(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom && IMAGE.test(input.uri.path) ? input.uri : undefined;
}

/** The edit feature's entry: opens the mask editor for what the Explorer, the preview or the palette gave. */
/**
 * A starting point for the editor (a Rework from a recipe): a prompt and options, untrusted (a
 * recipe comes from a file, a command argument from anyone): checked here, fitted to the model
 * by the panel. Undefined when `raw` is not one.
 */
export function parsePreset(raw: unknown): EditPreset | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const r = raw as { prompt?: unknown; options?: unknown };
  if (typeof r.prompt !== 'string' || r.prompt.length > 64_000) return undefined;
  const o = typeof r.options === 'object' && r.options !== null && !Array.isArray(r.options) ? (r.options as Record<string, unknown>) : {};
  const str = (k: string) => (typeof o[k] === 'string' && (o[k] as string).length <= 128 ? (o[k] as string) : undefined);
  return {
    prompt: r.prompt,
    options: {
      model: str('model'),
      n: typeof o.n === 'number' && Number.isInteger(o.n) ? o.n : undefined,
      size: str('size'),
      quality: str('quality'),
      outputFormat: str('outputFormat'),
      background: str('background'),
      inputFidelity: o.inputFidelity === 'high' || o.inputFidelity === 'low' ? o.inputFidelity : undefined,
      keepUnmasked: typeof o.keepUnmasked === 'boolean' ? o.keepUnmasked : undefined,
      squareMode: o.squareMode === 'crop' ? 'crop' : o.squareMode === 'pad' ? 'pad' : undefined,
    },
  };
}

export function editOpener(context: vscode.ExtensionContext, backend: EditBackend, log: Logger): { open(operation: 'edit' | 'variation', uri?: unknown, uris?: unknown, preset?: unknown): Promise<vscode.Uri | undefined> } {
  const deps = { context, backend, log, panels: new Map<string, MaskEditorPanel>() };
  const open = async (operation: 'edit' | 'variation', uri?: unknown, uris?: unknown, preset?: unknown) => {
    const given = (Array.isArray(uris) && uris.length ? uris : uri ? [uri] : []).filter((u): u is vscode.Uri => u instanceof vscode.Uri);
    let targets = given.filter((u) => IMAGE.test(u.path));
    if (given.length && targets.length === 0) {
      void vscode.window.showErrorMessage(vscode.l10n.t('Pixelwright edits PNG, JPEG and WebP images; {0} is not one.', given[0].path.slice(given[0].path.lastIndexOf('/') + 1)));
      return undefined;
    }
    if (targets.length === 0) {
      const u = activePreviewImage() ?? (await pickImage(operation));
      if (!u) return undefined;
      targets = [u];
    }
    // The image right-clicked is the one edited, whatever else is selected; the others are references.
    const clicked = uri instanceof vscode.Uri ? targets.find((u) => u.toString() === uri.toString()) : undefined;
    const primary = clicked ?? targets[0];
    const others = targets.filter((u) => u !== primary);
    MaskEditorPanel.open(deps, primary, operation, operation === 'edit' ? others : [], parsePreset(preset));
    return primary;
  };
  return { open };
}
