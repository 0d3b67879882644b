/**
 * Where an image's recipe is, for every reader (Show Recipe, the hover, the gallery index, the
 * agent's imageRecipe tool, the MCP server): inside the image (read from its head only: the
 * record sits near the start of a PNG or JPEG, see headScan.ts), else in its sidecar
 * (`<name>.<ext>.pixelwright.json`, sidecar.ts). The embedded record wins when both exist
 * (Pixelwright never writes both). A recipe that is not well-formed comes back as its raw text,
 * to be shown as plain text, never run. Plain Node (no `vscode`).
 */
import { open, readFile, stat } from 'node:fs/promises';
import { scanFile, scanImage, bytesSource, type ScanResult } from './headScan';
import { readRecordText, type StoredRecord } from './metadata';
import { sanitizeRecord } from './recipe';
import { MAX_SIDECAR_BYTES, parseSidecar, sidecarName } from './sidecar';

/** How a reader gets at an image and its sidecar (local files, or VS Code's file systems). */
export interface RecipeSource {
  /** The image's head scan (record, pixel size), reading as little as it can. */
  scan(): Promise<ScanResult & { readonly size?: number }>;
  /** The sidecar's bytes (at most MAX_SIDECAR_BYTES + 1 of them), undefined when there is none. */
  sidecar(): Promise<Uint8Array | undefined>;
  /** The whole image (only to show a malformed embedded recipe as text). */
  whole(): Promise<Uint8Array>;
}

export interface FoundRecipe {
  readonly record?: StoredRecord;
  /** Where the recipe (or the text that is not one) was found. */
  readonly where?: 'embedded' | 'sidecar';
  /** The text found when it is not a well-formed recipe. */
  readonly raw?: string;
  /** Why a sidecar could not be read. */
  readonly problem?: string;
  /** The sidecar was written for another file (another name or size): the image changed since. */
  readonly mismatch?: boolean;
  readonly width?: number;
  readonly height?: number;
  readonly size?: number;
}

/**
 * The recipe of an image. `raw`: also look for the text of a malformed embedded recipe (reads the
 * whole image, when the head held no valid record; Show Recipe only).
 */
export async function findRecipe(src: RecipeSource, imageName: string, opts: { readonly raw?: boolean } = {}): Promise<FoundRecipe> {
  const scan = await src.scan();
  const dims = { width: scan.width, height: scan.height, size: scan.size };
  const embedded = scan.record && sanitizeRecord(scan.record);
  if (embedded) return { record: embedded, where: 'embedded', ...dims };
  const side = await src.sidecar();
  if (side) {
    const read = parseSidecar(side);
    const mismatch = !!read.record && ((read.image !== undefined && read.image !== imageName) || (read.imageBytes !== undefined && scan.size !== undefined && read.imageBytes !== scan.size));
    return { record: read.record, raw: read.raw, problem: read.problem, where: 'sidecar', mismatch, ...dims };
  }
  if (opts.raw && scan.format) {
    const raw = readRecordText(await src.whole());
    if (raw !== undefined) return { raw, where: 'embedded', ...dims };
  }
  return dims;
}

/** The sidecar's path for an image's path (same folder). */
export function sidecarPath(imagePath: string): string {
  const slash = Math.max(imagePath.lastIndexOf('/'), imagePath.lastIndexOf('\\'));
  return imagePath.slice(0, slash + 1) + sidecarName(imagePath.slice(slash + 1));
}

/** A local image file as a {@link RecipeSource}. */
export function localRecipeSource(path: string): RecipeSource {
  return {
    scan: () => scanFile(path),
    sidecar: async () => {
      const p = sidecarPath(path);
      try {
        const st = await stat(p);
        if (!st.isFile()) return undefined;
        if (st.size <= MAX_SIDECAR_BYTES) return new Uint8Array(await readFile(p));
        // Too large to be ours: only its start is read (to say so, and show what it begins with).
        const fh = await open(p, 'r');
        try {
          const buf = new Uint8Array(MAX_SIDECAR_BYTES + 1);
          const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
          return buf.subarray(0, bytesRead);
        } finally {
          await fh.close();
        }
      } catch {
        return undefined;
      }
    },
    whole: async () => new Uint8Array(await readFile(path)),
  };
}

/** An image in memory (with its sidecar's bytes, if any) as a {@link RecipeSource}. */
export function memoryRecipeSource(bytes: Uint8Array, sidecar?: Uint8Array): RecipeSource {
  return { scan: async () => ({ ...(await scanImage(bytesSource(bytes))), size: bytes.length }), sidecar: async () => sidecar, whole: async () => bytes };
}

/** The recipe of a local image file. */
export function readRecipeFile(path: string, opts: { readonly raw?: boolean } = {}): Promise<FoundRecipe> {
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return findRecipe(localRecipeSource(path), path.slice(slash + 1), opts);
}
