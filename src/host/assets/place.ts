/**
 * Where every asset image lands (interactive runs, renditions, Batch API results): written at its
 * output path through `write` (the pipeline's asset saver, or the writer itself for renditions)
 * with the rule for the file there now: replaced only when it is Pixelwright's own asset,
 * unchanged since written (the state's SHA-256); else a unique name beside it. Then what was
 * written is remembered in the folder's state.
 */
import * as vscode from 'vscode';
import { readRecord } from '../../core/metadata';
import type { Log } from '../platform/log';
import type { PlacedAsset } from '../run/assets';
import { sha256, type AssetStateFile } from './state';

export type AssetWrite = (mayReplace: (existing: Uint8Array) => boolean) => Promise<PlacedAsset & { readonly bytes: Uint8Array }>;

export async function placeAsset(log: Log, root: vscode.Uri, state: AssetStateFile, path: string, recipe: string, write: AssetWrite): Promise<PlacedAsset> {
  const target = vscode.Uri.joinPath(root, ...path.split('/'));
  const existing = await vscode.workspace.fs.readFile(target).then((b) => b, () => undefined);
  const ours = existing ? await state.mayReplace(path, existing, !!readRecord(existing)?.asset) : false;
  const seen = existing && sha256(existing);
  // The writer reads the file again just before replacing it: still the same bytes, or kept.
  const placed = await write((now) => ours && sha256(now) === seen);
  const rel = vscode.workspace.asRelativePath(placed.uri, false);
  if (!placed.besides) await state.update((s) => void (s.written[path] = { sha256: sha256(placed.bytes), size: placed.bytes.length, recipe }));
  log.info(`asset ${rel}${placed.previous ? `, the one before kept as ${vscode.workspace.asRelativePath(placed.previous, false)}` : ''}${placed.besides ? ", beside a file that is not Pixelwright's own" : ''}`);
  return placed;
}
