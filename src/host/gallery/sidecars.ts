/**
 * Recipe sidecars follow their images: an image renamed or moved in VS Code (Explorer, refactors,
 * workspace edits) takes its `<name>.<ext>.pixelwright.json` along; an image deleted in VS Code
 * takes its sidecar with it (to the trash where there is one). A folder moved or deleted carries
 * its sidecars by itself. Renames outside VS Code (a shell, git) leave the sidecar where it was:
 * it then names an image that is not there, and readers ignore it.
 */
import * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import { sidecarUri } from '../run/recipes';

const IMAGE = /\.(png|jpe?g|webp|gif|svg)$/i;

async function isFile(uri: vscode.Uri): Promise<boolean> {
  try {
    return !!((await vscode.workspace.fs.stat(uri)).type & vscode.FileType.File);
  } catch {
    return false;
  }
}

/** Moves the sidecar of `from` to be the sidecar of `to` (never over an existing file). */
export async function moveSidecar(from: vscode.Uri, to: vscode.Uri, log?: Logger): Promise<boolean> {
  const old = sidecarUri(from);
  if (!(await isFile(old))) return false;
  const target = sidecarUri(to);
  try {
    await vscode.workspace.fs.rename(old, target, { overwrite: false });
    log?.info(`recipe: moved ${vscode.workspace.asRelativePath(old, false)} along with its image to ${vscode.workspace.asRelativePath(target, false)}`);
    return true;
  } catch (err) {
    log?.warn(`recipe: ${vscode.workspace.asRelativePath(old, false)} stays where it is: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
}

/** Deletes the sidecar of a deleted image (to the trash when there is one). */
export async function deleteSidecar(image: vscode.Uri, log?: Logger): Promise<boolean> {
  const side = sidecarUri(image);
  if (!(await isFile(side))) return false;
  try {
    await vscode.workspace.fs.delete(side, { useTrash: true }).then(undefined, () => vscode.workspace.fs.delete(side, { useTrash: false }));
    log?.info(`recipe: deleted ${vscode.workspace.asRelativePath(side, false)} along with its image`);
    return true;
  } catch (err) {
    log?.warn(`recipe: ${vscode.workspace.asRelativePath(side, false)} could not be deleted: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
}

/** Follows renames and deletes of images made in VS Code. */
export function followSidecars(log?: Logger): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.workspace.onDidRenameFiles(async (e) => {
      for (const { oldUri, newUri } of e.files) if (IMAGE.test(oldUri.path)) await moveSidecar(oldUri, newUri, log);
    }),
    vscode.workspace.onDidDeleteFiles(async (e) => {
      for (const uri of e.files) if (IMAGE.test(uri.path)) await deleteSidecar(uri, log);
    }),
  );
}
