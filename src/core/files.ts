/**
 * Writing an image file on disk without `vscode` (the MCP server's writer; the host writes
 * through workspace.fs in src/host/run/assets.ts): a unique name in the folder, never
 * overwriting, written under a temporary name and then linked into place, so a file that
 * appears meanwhile is not replaced and a failed write leaves nothing half-written.
 */
import { access, link, mkdir, unlink, writeFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { tempName, uniqueName } from './naming';
import { embedRecord, MetadataError } from './metadata';
import { hasContentCredentials } from './metadata/c2pa';
import type { GenerationRecord } from './record';
import { sidecarBytes, sidecarName } from './sidecar';

const exists = (p: string) => access(p).then(() => true, () => false);

/**
 * Writes an image with its recipe: inside the bytes, or (an image with C2PA content credentials,
 * a format that holds no recipe, or `storage` 'sidecar') in `<name>.pixelwright.json` beside it.
 * Neither file overwrites anything. Returns the image's path.
 */
export async function writeImageWithRecipe(folder: string, name: string, bytes: Uint8Array, record: GenerationRecord, storage: 'embedded' | 'sidecar' = 'embedded'): Promise<string> {
  if (storage !== 'sidecar' && !hasContentCredentials(bytes)) {
    try {
      return await writeNewFile(folder, name, embedRecord(bytes, record));
    } catch (err) {
      if (!(err instanceof MetadataError)) throw err;
    }
  }
  const path = await writeNewFile(folder, name, bytes, (c) => [sidecarName(c)]);
  const final = nodePath.basename(path);
  await writeNewFile(folder, sidecarName(final), sidecarBytes(record, final, bytes.length)).then(
    (written) => {
      // The sidecar's name was free when the image's was chosen; should another have appeared since, say so.
      if (nodePath.basename(written) !== sidecarName(final)) throw new Error(`the recipe of ${final} could not be written beside it (${sidecarName(final)} appeared meanwhile)`);
    },
  );
  return path;
}

/**
 * Writes `bytes` as `name` (or the next free name) in `folder`, creating it; returns the path
 * written. `companions`: names that must be free too for a name to be taken (a sidecar's).
 */
export async function writeNewFile(folder: string, name: string, bytes: Uint8Array, companions?: (candidate: string) => readonly string[]): Promise<string> {
  await mkdir(folder, { recursive: true });
  const temp = nodePath.join(folder, tempName(name));
  await writeFile(temp, bytes, { flag: 'wx' });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      const final = nodePath.join(
        folder,
        await uniqueName(name, async (c) => (await exists(nodePath.join(folder, c))) || (await Promise.all((companions?.(c) ?? []).map((x) => exists(nodePath.join(folder, x))))).some(Boolean)),
      );
      try {
        // link() fails when the name was taken since the check: never an overwrite.
        await link(temp, final);
        return final;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    throw new Error(`no free file name for ${name} in ${folder}`);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}
