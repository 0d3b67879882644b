/**
 * Writing images into the workspace with workspace.fs (local, remote, WSL, Codespaces and
 * code-server alike): a unique name (never overwrite), written under a temporary name and then
 * renamed, so a cancelled or failed run leaves nothing half-written.
 */
import * as vscode from 'vscode';
import { checkOutputFolder } from '../core/paths';
import { tempName, uniqueName } from '../core/naming';

export class OutputFolderError extends Error {
  constructor(readonly setting: string, readonly reason: string) {
    super(vscode.l10n.t('The output folder "{0}" is refused: {1}.', setting, reason));
    this.name = 'OutputFolderError';
  }
}

/** The folder to write into: the setting under the first workspace folder (or the given root). */
export function outputFolderUri(root: vscode.Uri, setting: string): vscode.Uri {
  const check = checkOutputFolder(setting);
  if (!check.ok) throw new OutputFolderError(setting, check.reason);
  return check.segments.length ? vscode.Uri.joinPath(root, ...check.segments) : root;
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

/** Writes `bytes` as `folder/name` (or a unique variant of it) and returns where it landed. */
export async function writeAsset(folder: vscode.Uri, name: string, bytes: Uint8Array): Promise<vscode.Uri> {
  await vscode.workspace.fs.createDirectory(folder);
  for (let attempt = 0; ; attempt++) {
    const finalName = await uniqueName(name, (candidate) => exists(vscode.Uri.joinPath(folder, candidate)));
    const target = vscode.Uri.joinPath(folder, finalName);
    const temp = vscode.Uri.joinPath(folder, tempName(finalName));
    try {
      await vscode.workspace.fs.writeFile(temp, bytes);
      await vscode.workspace.fs.rename(temp, target, { overwrite: false });
      written.fire(target);
      return target;
    } catch (err) {
      await vscode.workspace.fs.delete(temp, { useTrash: false }).then(undefined, () => undefined);
      // Another writer took the name between the check and the rename: pick again.
      if (err instanceof vscode.FileSystemError && err.code === 'FileExists' && attempt < 5) continue;
      throw err;
    }
  }
}
