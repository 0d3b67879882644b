/**
 * Asset manifests in the workspace: found, read (the open editor's text when there is one),
 * checked by core (models, paths, options) and against the files (missing sources), and their
 * problems shown in the Problems panel in the user's language.
 */
import * as vscode from 'vscode';
import { MANIFEST_NAME, missingSourceProblems, readManifest, type Manifest, type ManifestProblem } from '../../core/manifest';
import { ModelTable } from '../../core/models';
import { Disposable } from '../platform/lifecycle';
import { translateMessage } from '../platform/messages';
import { readSettings } from '../platform/settings';

/** A manifest as read now, with where it is. */
export interface LoadedManifest {
  readonly uri: vscode.Uri;
  /** The workspace folder its paths live in. */
  readonly root: vscode.Uri;
  readonly text: string;
  readonly manifest: Manifest;
}

export function isManifest(uri: vscode.Uri): boolean {
  return uri.path.endsWith(`/${MANIFEST_NAME}`);
}

export class ManifestStore extends Disposable {
  private readonly diagnostics = this._register(vscode.languages.createDiagnosticCollection('pixelwright-assets'));

  /** The manifests of the workspace (at most 50), the active editor's first. */
  async find(): Promise<vscode.Uri[]> {
    const found = await vscode.workspace.findFiles(`**/${MANIFEST_NAME}`, '**/node_modules/**', 50);
    const active = vscode.window.activeTextEditor?.document.uri;
    found.sort((a, b) => (active && a.toString() === active.toString() ? -1 : active && b.toString() === active.toString() ? 1 : a.path.localeCompare(b.path)));
    return found;
  }

  /** Reads and checks a manifest, and shows its problems. Undefined outside a workspace folder. */
  async load(uri: vscode.Uri): Promise<LoadedManifest | undefined> {
    const root = vscode.workspace.getWorkspaceFolder(uri)?.uri;
    if (!root) return undefined;
    // The editor's text while it has unsaved changes (diagnostics as the user types); else the file.
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString() && d.isDirty);
    const text = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const settings = readSettings(uri);
    const dir = uri.path.slice(root.path.length).replace(/^\/+/, '');
    const manifestDir = dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '';
    let manifest = readManifest(text, { manifestDir, models: new ModelTable(settings.customModels), defaultModel: settings.model });
    const sources = [...new Set(manifest.entries.flatMap((e) => e.sources))];
    const present = new Set<string>();
    await Promise.all(
      sources.map((s) =>
        vscode.workspace.fs.stat(vscode.Uri.joinPath(root, ...s.split('/'))).then(
          (st) => (st.type & vscode.FileType.File ? present.add(s) : undefined),
          () => undefined,
        ),
      ),
    );
    manifest = missingSourceProblems(manifest, text, (p) => present.has(p));
    this.show(uri, text, manifest.problems);
    return { uri, root, text, manifest };
  }

  /** Checks a manifest open in an editor (on open and as it is typed). */
  async check(doc: vscode.TextDocument): Promise<void> {
    if (isManifest(doc.uri)) await this.load(doc.uri);
  }

  forget(uri: vscode.Uri): void {
    this.diagnostics.delete(uri);
  }

  private show(uri: vscode.Uri, text: string, problems: readonly ManifestProblem[]): void {
    const pos = positions(text);
    this.diagnostics.set(
      uri,
      problems.map((p) => {
        const d = new vscode.Diagnostic(new vscode.Range(pos(p.offset), pos(p.offset + Math.max(1, p.length))), problemMessage(p), p.severity === 'warning' ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Error);
        d.source = 'Pixelwright';
        d.code = p.code;
        return d;
      }),
    );
  }
}

/** Offset -> Position, without a TextDocument (the manifest may not be open). */
export function positions(text: string): (offset: number) => vscode.Position {
  const starts = [0];
  for (let k = text.indexOf('\n'); k >= 0; k = text.indexOf('\n', k + 1)) starts.push(k + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return new vscode.Position(lo, Math.max(0, Math.min(offset, text.length) - starts[lo]));
  };
}

/** A problem in the user's words. */
export function problemMessage(p: ManifestProblem): string {
  const t = vscode.l10n.t;
  const [a = '', b = ''] = p.args;
  switch (p.code) {
    case 'not-json':
      return t('The asset manifest is not valid JSON (line {0}): {1}. Nothing is planned or sent until it is.', a, p.detail ? translateMessage(p.detail) : '');
    case 'not-object':
      return t('The asset manifest must be an object with an "assets" list.');
    case 'no-assets':
      return t('The asset manifest has no "assets" list.');
    case 'wrong-type':
      return b === 'string' ? t('"{0}" must be text.', a) : b === 'number' ? t('"{0}" must be a number.', a) : b === 'array' ? t('"{0}" must be a list.', a) : t('"{0}" must be an object.', a);
    case 'unknown-field':
      return t('Pixelwright does not know the field "{0}"; it is ignored.', a);
    case 'missing-field':
      return a === 'prompt' ? t('This entry needs a "prompt".') : t('This entry needs a "path".');
    case 'duplicate-path':
      return t('"{0}" is already the output of another entry or rendition.', a);
    case 'outside-workspace':
      return t('"{0}" is outside the workspace folder; outputs and sources must be inside it.', a);
    case 'bad-extension':
      return t('"{0}" needs an image extension: {1}.', a, b);
    case 'format-mismatch':
      return t('The format "{0}" does not match the extension of "{1}".', a, b);
    case 'unknown-model':
      return t('Unknown model "{0}". Use a built-in model or declare it in pixelwright.customModels.', a);
    case 'refused-option':
      return t('{0} refuses this "{1}": {2}', b, a, p.detail ? translateMessage(p.detail) : '');
    case 'missing-source':
      return t('The source image "{0}" does not exist.', a);
    case 'bad-rendition':
      return renditionMessage(a);
  }
}

function renditionMessage(field: string): string {
  const t = vscode.l10n.t;
  switch (field) {
    case 'size':
      return t('A rendition needs a size ("WIDTHxHEIGHT"), a width, a height, a scale or a format.');
    case 'scale':
      return t('A rendition scale must be a number from 0.01 to 8, and not together with a size.');
    case 'fit':
      return t('"fit" must be cover, contain or pad.');
    case 'background':
      return t('"background" must be #rrggbb, #rrggbbaa or transparent.');
    case 'quality':
      return t('"quality" must be a whole number from 1 to 100.');
    case 'path':
      return t('A rendition cannot be written over the image it is made from.');
    default:
      return t('"{0}" must be a whole number from 1 to 16384.', field);
  }
}
