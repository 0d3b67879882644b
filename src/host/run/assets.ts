/**
 * Writing images into the workspace with workspace.fs (local, remote, WSL, Codespaces and
 * code-server alike): a unique name (never overwrite), written under a temporary name and then
 * renamed, so a cancelled or failed run leaves nothing half-written.
 */
import * as vscode from 'vscode';
import { checkOutputFolder, checkRealFolder } from '../../core/paths';
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
  if (!check.ok) throw new OutputFolderError(setting, check.reason);
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
