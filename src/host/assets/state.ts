/**
 * What the asset feature keeps in `.pixelwright/assets.json` of a workspace folder: the SHA-256 of
 * each file it wrote (a file whose bytes differ was changed by hand and is not replaced), the
 * recipe hashes of AVIF renditions (AVIF carries no record), and the entries that failed with the
 * API's message. Also the folder's planning I/O: heads read with small reads on disk, whole files
 * through workspace.fs elsewhere.
 */
import { createHash } from 'node:crypto';
import * as vscode from 'vscode';
import { diskPlanIO, type FileHead, type PlanIO, type Sidecar } from '../../core/assetPlan';
import type { AssetEntry } from '../../core/manifest';
import { bytesSource, scanImage } from '../../core/headScan';

export interface AssetState {
  /** Workspace-relative path -> what was written there. */
  written: Record<string, { sha256: string; size: number; recipe: string }>;
  /** Workspace-relative path -> the API's message. */
  failed: Record<string, string>;
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class AssetStateFile {
  private state: AssetState | undefined;
  private saving = Promise.resolve();

  constructor(private readonly root: vscode.Uri) {}

  get uri(): vscode.Uri {
    return vscode.Uri.joinPath(this.root, '.pixelwright', 'assets.json');
  }

  async read(): Promise<AssetState> {
    if (this.state) return this.state;
    try {
      const parsed = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(this.uri))) as Partial<AssetState>;
      this.state = { written: parsed.written && typeof parsed.written === 'object' ? parsed.written : {}, failed: parsed.failed && typeof parsed.failed === 'object' ? parsed.failed : {} };
    } catch {
      this.state = { written: {}, failed: {} };
    }
    return this.state;
  }

  /** Applies `change` and writes the file (one write at a time, in order). */
  async update(change: (s: AssetState) => void): Promise<void> {
    const s = await this.read();
    change(s);
    const text = JSON.stringify(s, null, 1);
    this.saving = this.saving.then(async () => {
      await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(this.root, '.pixelwright'));
      await vscode.workspace.fs.writeFile(this.uri, new TextEncoder().encode(text));
    });
    await this.saving;
  }

  /** Whether the file now at `path` (its bytes) may be replaced: Pixelwright's asset, unchanged since written. */
  async mayReplace(path: string, existing: Uint8Array, hasAssetRecord: boolean): Promise<boolean> {
    const kept = (await this.read()).written[path];
    if (kept) return kept.sha256 === sha256(existing);
    // Not written from this workspace's state (a fresh clone, say): Pixelwright's own if it records a recipe.
    return hasAssetRecord;
  }

  sidecar(): Sidecar {
    const m = new Map<string, { recipe: string; size: number }>();
    for (const [p, w] of Object.entries(this.state?.written ?? {})) if (/\.avif$/i.test(p)) m.set(p, { recipe: w.recipe, size: w.size });
    return m;
  }
}

/** SHA-256 of every source image the entries name (edits: a changed source changes the recipe). */
export async function sourceDigests(root: vscode.Uri, entries: readonly AssetEntry[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const paths = [...new Set(entries.flatMap((e) => e.sources))];
  await Promise.all(
    paths.map(async (p) => {
      try {
        out.set(p, sha256(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(root, ...p.split('/')))));
      } catch {
        // missing: the manifest check says so
      }
    }),
  );
  return out;
}

/** How the planner reads the folder: small reads on a local disk, whole files through workspace.fs elsewhere. */
export function planIO(root: vscode.Uri, digests: Map<string, string>, sidecar: Sidecar): PlanIO {
  if (root.scheme === 'file') return diskPlanIO(root.fsPath, { sourceDigest: (p) => digests.get(p), sidecar });
  const uri = (p: string) => vscode.Uri.joinPath(root, ...p.split('/'));
  return {
    head: async (p): Promise<FileHead | undefined> => {
      let bytes: Uint8Array;
      try {
        bytes = await vscode.workspace.fs.readFile(uri(p));
      } catch {
        return undefined;
      }
      if (/\.avif$/i.test(p)) {
        const kept = sidecar.get(p);
        return { recipe: kept && kept.size === bytes.length ? kept.recipe : undefined, bytesRead: bytes.length };
      }
      const r = await scanImage(bytesSource(bytes));
      return { record: r.record, bytesRead: bytes.length };
    },
    listImages: async (folder) => {
      try {
        const entries = await vscode.workspace.fs.readDirectory(folder ? uri(folder) : root);
        return entries.filter(([n, t]) => t & vscode.FileType.File && /\.(png|jpe?g|webp|avif)$/i.test(n)).map(([n]) => (folder ? `${folder}/${n}` : n));
      } catch {
        return [];
      }
    },
    sourceDigest: (p) => digests.get(p),
  };
}
