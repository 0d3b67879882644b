/**
 * Writing images into the workspace with workspace.fs (local, remote, WSL, Codespaces and
 * code-server alike): a unique name (never overwrite), written under a temporary name and then
 * renamed, so a cancelled or failed run leaves nothing half-written.
 */
import * as vscode from 'vscode';
import { checkOutputFolder, checkRealFolder } from '../../core/paths';
import { translateMessage } from '../platform/messages';
import { tempName, uniqueName } from '../../core/naming';

export class OutputFolderError extends Error {
  constructor(readonly setting: string, readonly reason: string) {
    super(vscode.l10n.t('The output folder "{0}" is refused: {1}.', setting, reason));
    this.name = 'OutputFolderError';
  }
}

/**
 * The folder to write into: the setting under the first workspace folder (or the given root).
 * Refused when the setting leads outside the workspace, as text or on disk through a link.
 */
export async function outputFolderUri(root: vscode.Uri, setting: string): Promise<vscode.Uri> {
  const check = checkOutputFolder(setting);
  if (!check.ok) throw new OutputFolderError(setting, translateMessage(check.reason));
  await refuseLinksOut(root, check.segments, setting);
  return check.segments.length ? vscode.Uri.joinPath(root, ...check.segments) : root;
}

/**
 * Throws when a folder on the way from `root` through `segments` is a link that leads outside
 * `root`. On disk (file: URIs) the real path says where each link goes; other file systems have
 * no real path to ask for, so any link on the way is refused.
 */
async function refuseLinksOut(root: vscode.Uri, segments: readonly string[], setting: string): Promise<void> {
  if (root.scheme === 'file') {
    const real = await checkRealFolder(root.fsPath, segments);
    if (!real.ok) throw new OutputFolderError(setting, vscode.l10n.t('"{0}" is a link to {1}, outside the workspace folder', real.folder, real.target));
    return;
  }
  let current = root;
  for (let i = 0; i < segments.length; i++) {
    current = vscode.Uri.joinPath(current, segments[i]);
    let type: vscode.FileType;
    try {
      type = (await vscode.workspace.fs.stat(current)).type;
    } catch {
      return;
    }
    if (type & vscode.FileType.SymbolicLink) {
      throw new OutputFolderError(setting, vscode.l10n.t('"{0}" is a link, and where it leads cannot be checked here', segments.slice(0, i + 1).join('/')));
    }
  }
}

const written = new vscode.EventEmitter<vscode.Uri>();
/**
 * Fires with every file {@link writeAsset} wrote, once it is in place. Views that list the
 * workspace's images follow it, so they need not wait for (or depend on) the file watcher, which
 * misses files written into a folder made a moment before.
 */
export const onDidWriteAsset: vscode.Event<vscode.Uri> = written.event;

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes `bytes` as `folder/name` (or a unique variant of it) and returns where it landed. The
 * folder is checked for links out of its workspace folder again, just before writing: a run can
 * take minutes, and the folder can change meanwhile (a checkout, a pull).
 */
/** A file written together with an image, named after the name the image finally gets (a recipe sidecar). */
export type Companion = (finalName: string) => { readonly name: string; readonly bytes: Uint8Array };

export async function writeAsset(folder: vscode.Uri, name: string, bytes: Uint8Array, companion?: Companion): Promise<vscode.Uri> {
  const root = vscode.workspace.getWorkspaceFolder(folder)?.uri;
  if (root) {
    const relative = folder.path.slice(root.path.length).split('/').filter((s) => s !== '');
    await refuseLinksOut(root, relative, relative.join('/'));
  }
  await vscode.workspace.fs.createDirectory(folder);
  for (let attempt = 0; ; attempt++) {
    // The name is free only if the companion's is too (an old sidecar is never overwritten).
    const finalName = await uniqueName(name, async (candidate) => (await exists(vscode.Uri.joinPath(folder, candidate))) || (!!companion && (await exists(vscode.Uri.joinPath(folder, companion(candidate).name)))));
    const target = vscode.Uri.joinPath(folder, finalName);
    const temp = vscode.Uri.joinPath(folder, tempName(finalName));
    const extra = companion?.(finalName);
    const extraTarget = extra && vscode.Uri.joinPath(folder, extra.name);
    const extraTemp = extra && vscode.Uri.joinPath(folder, tempName(extra.name));
    let extraWritten = false;
    try {
      // The companion first: whoever sees the image appear finds its sidecar already there.
      if (extra) {
        await vscode.workspace.fs.writeFile(extraTemp!, extra.bytes);
        await vscode.workspace.fs.rename(extraTemp!, extraTarget!, { overwrite: false });
        extraWritten = true;
      }
      await vscode.workspace.fs.writeFile(temp, bytes);
      await vscode.workspace.fs.rename(temp, target, { overwrite: false });
      written.fire(target);
      return target;
    } catch (err) {
      await vscode.workspace.fs.delete(temp, { useTrash: false }).then(undefined, () => undefined);
      if (extraTemp) await vscode.workspace.fs.delete(extraTemp, { useTrash: false }).then(undefined, () => undefined);
      if (extraWritten) await vscode.workspace.fs.delete(extraTarget!, { useTrash: false }).then(undefined, () => undefined);
      // Another writer took the name between the check and the rename: pick again.
      if (err instanceof vscode.FileSystemError && err.code === 'FileExists' && attempt < 5) continue;
      throw err;
    }
  }
}

/** Where {@link writeAssetAt} put the bytes. */
export interface PlacedAsset {
  readonly uri: vscode.Uri;
  /** The file that was at the target before, moved here (kept, never deleted). */
  readonly previous?: vscode.Uri;
  /** The target held a file that may not be replaced: the bytes went to a unique name beside it. */
  readonly besides: boolean;
}

/**
 * Writes `bytes` at a fixed path (the asset manifest's outputs). A missing target is written as
 * every asset is (temporary name, then renamed into place without overwriting). A file already
 * there is replaced only when `mayReplace(itsBytes)` says it is Pixelwright's own, unchanged since
 * it was written; it is then moved to `.pixelwright/previous/` first, so nothing made or paid for
 * is lost. Any other file stays as it is and the bytes get a unique name beside it.
 */
export async function writeAssetAt(target: vscode.Uri, bytes: Uint8Array, mayReplace: (existing: Uint8Array) => boolean): Promise<PlacedAsset> {
  const slash = target.path.lastIndexOf('/');
  const folder = target.with({ path: target.path.slice(0, slash) });
  const name = target.path.slice(slash + 1);
  let existing: Uint8Array | undefined;
  try {
    existing = await vscode.workspace.fs.readFile(target);
  } catch {
    existing = undefined;
  }
  if (existing === undefined) return { uri: await writeAsset(folder, name, bytes), besides: false };
  if (!mayReplace(existing)) return { uri: await writeAsset(folder, name, bytes), besides: true };
  const root = vscode.workspace.getWorkspaceFolder(target)?.uri ?? folder;
  const rel = target.path.slice(root.path.length).replace(/^\/+/, '');
  const keptFolder = vscode.Uri.joinPath(root, '.pixelwright', 'previous', ...rel.split('/').slice(0, -1));
  await vscode.workspace.fs.createDirectory(keptFolder);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const dot = name.lastIndexOf('.');
  const keptName = await uniqueName(`${name.slice(0, dot)}-${stamp}${name.slice(dot)}`, (c) => exists(vscode.Uri.joinPath(keptFolder, c)));
  const temp = vscode.Uri.joinPath(folder, tempName(name));
  await vscode.workspace.fs.writeFile(temp, bytes);
  const previous = vscode.Uri.joinPath(keptFolder, keptName);
  try {
    await vscode.workspace.fs.rename(target, previous, { overwrite: false });
  } catch (err) {
    await vscode.workspace.fs.delete(temp, { useTrash: false }).then(undefined, () => undefined);
    throw err;
  }
  try {
    await vscode.workspace.fs.rename(temp, target, { overwrite: false });
  } catch {
    // Something took the name in between: never over it; the new image goes beside it.
    await vscode.workspace.fs.delete(temp, { useTrash: false }).then(undefined, () => undefined);
    return { uri: await writeAsset(folder, name, bytes), previous, besides: true };
  }
  written.fire(target);
  return { uri: target, previous, besides: false };
}
