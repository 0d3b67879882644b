/**
 * Recipes in the workspace, for every host feature: where an image's recipe goes when it is
 * written (inside the image, or a sidecar next to it: for images with C2PA content credentials,
 * whose bytes must not change, for formats that hold none, and for all when
 * `pixelwright.recipe.storage` is `sidecar`), and reading it back from either place through
 * VS Code's file systems (local files with positional reads of the head only).
 */
import * as vscode from 'vscode';
import { hasContentCredentials } from '../../core/metadata/c2pa';
import { embedRecord, MetadataError } from '../../core/metadata';
import { findRecipe, memoryRecipeSource, readRecipeFile, type FoundRecipe } from '../../core/recipeFile';
import type { GenerationRecord } from '../../core/record';
import { MAX_SIDECAR_BYTES, sidecarBytes, sidecarName } from '../../core/sidecar';
import { writeAsset } from './assets';

export type { FoundRecipe };

/** The sidecar of an image (same folder, `<name>.<ext>.pixelwright.json`). */
export function sidecarUri(image: vscode.Uri): vscode.Uri {
  const slash = image.path.lastIndexOf('/');
  return image.with({ path: image.path.slice(0, slash + 1) + sidecarName(image.path.slice(slash + 1)) });
}

/** How an image's recipe is stored, and why. */
export function recipePlacement(bytes: Uint8Array, storage: 'embedded' | 'sidecar'): { readonly sidecar: boolean; readonly reason: 'setting' | 'c2pa' | 'format' | 'embedded'; readonly bytes: Uint8Array } {
  if (storage === 'sidecar') return { sidecar: true, reason: 'setting', bytes };
  if (hasContentCredentials(bytes)) return { sidecar: true, reason: 'c2pa', bytes };
  return { sidecar: false, reason: 'embedded', bytes };
}

/**
 * Writes a new image with its recipe (never overwriting: the image and its sidecar get a name
 * free for both). The recipe goes inside the bytes unless the image has C2PA credentials, its
 * format holds no recipe, or the setting asks for sidecars.
 */
export async function writeImageWithRecipe(folder: vscode.Uri, name: string, bytes: Uint8Array, record: GenerationRecord, storage: 'embedded' | 'sidecar'): Promise<vscode.Uri> {
  const placed = recipePlacement(bytes, storage);
  if (!placed.sidecar) {
    try {
      return await writeAsset(folder, name, embedRecord(bytes, record));
    } catch (err) {
      // A format that holds no recipe (GIF, or a container the codecs refuse): the image is kept
      // as it came (it was paid for), its recipe beside it.
      if (!(err instanceof MetadataError)) throw err;
    }
  }
  return writeAsset(folder, name, bytes, (finalName) => ({ name: sidecarName(finalName), bytes: sidecarBytes(record, finalName, bytes.length) }));
}

/**
 * The recipe of an image in the workspace: embedded (head only), else its sidecar. `raw`: also
 * find the text of a malformed embedded recipe (Show Recipe). Never throws for a missing file:
 * it rejects only when the image itself cannot be read.
 */
export async function readRecipe(image: vscode.Uri, opts: { readonly raw?: boolean } = {}): Promise<FoundRecipe> {
  if (image.scheme === 'file') return readRecipeFile(image.fsPath, opts);
  const bytes = await vscode.workspace.fs.readFile(image);
  let side: Uint8Array | undefined;
  try {
    const uri = sidecarUri(image);
    const st = await vscode.workspace.fs.stat(uri);
    side = st.size > MAX_SIDECAR_BYTES ? new Uint8Array(MAX_SIDECAR_BYTES + 1) : await vscode.workspace.fs.readFile(uri);
  } catch {
    side = undefined;
  }
  return findRecipe(memoryRecipeSource(bytes, side), image.path.slice(image.path.lastIndexOf('/') + 1), opts);
}

/** Whether an image has a sidecar. */
export async function hasSidecar(image: vscode.Uri): Promise<boolean> {
  try {
    return !!((await vscode.workspace.fs.stat(sidecarUri(image))).type & vscode.FileType.File);
  } catch {
    return false;
  }
}
