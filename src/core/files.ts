/**
 * Writing an image file on disk without `vscode` (the MCP server's writer; the host writes
 * through workspace.fs in src/host/run/assets.ts): a unique name in the folder, never
 * overwriting, written under a temporary name and then linked into place, so a file that
 * appears meanwhile is not replaced and a failed write leaves nothing half-written.
 */
import { access, link, mkdir, stat, unlink, writeFile } from 'node:fs/promises';
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
  return writeWithSidecar(folder, name, bytes, (final) => sidecarBytes(record, final, bytes.length));
}

/**
 * The image and its sidecar under one free name pair (`fox.png` and `fox.png.pixelwright.json`,
 * else `fox~2.png` and its sidecar...). The sidecar goes first, so whoever sees the image finds
 * its recipe. Should either name be taken between the check and the link, what this call put in
 * place is removed and the next free pair is tried; a write that fails leaves nothing of its own
 * (and removes only files it linked itself: a file that replaced one of them is kept).
 */
async function writeWithSidecar(folder: string, name: string, bytes: Uint8Array, sidecar: (finalName: string) => Uint8Array): Promise<string> {
  await mkdir(folder, { recursive: true });
  const taken = (c: string) => exists(nodePath.join(folder, c));
  for (let attempt = 0; ; attempt++) {
    const final = await uniqueName(name, async (c) => (await taken(c)) || (await taken(sidecarName(c))));
    const side = await linkNew(folder, sidecarName(final), sidecar(final));
    if (side === 'taken') {
      if (attempt < 5) continue;
      throw new Error(`no free file name for ${name} and its recipe in ${folder}`);
    }
    let image: Awaited<ReturnType<typeof linkNew>>;
    try {
      image = await linkNew(folder, final, bytes);
    } catch (err) {
      await side.remove();
      throw err;
    }
    if (image !== 'taken') {
      await Promise.all([side.done(), image.done()]);
      return nodePath.join(folder, final);
    }
    await side.remove();
    if (attempt >= 5) throw new Error(`no free file name for ${name} and its recipe in ${folder}`);
  }
}

/**
 * Links `bytes` in as exactly `folder/name` (written under a temporary name first): 'taken' when
 * the name is taken (nothing of this call is left then). Else `done` lets go of the temporary
 * name, and `remove` takes the file away again, only while it is still the one linked here.
 */
async function linkNew(folder: string, name: string, bytes: Uint8Array): Promise<'taken' | { done(): Promise<void>; remove(): Promise<void> }> {
  const temp = nodePath.join(folder, tempName(name));
  const final = nodePath.join(folder, name);
  await writeFile(temp, bytes, { flag: 'wx' });
  const dropTemp = () => unlink(temp).catch(() => undefined);
  try {
    await link(temp, final);
  } catch (err) {
    await dropTemp();
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return 'taken';
    throw err;
  }
  return {
    done: dropTemp,
    async remove() {
      // The temporary name still holds the file linked: the name is removed only if it is still that file.
      const [mine, now] = await Promise.all([stat(temp).catch(() => undefined), stat(final).catch(() => undefined)]);
      if (mine && now && mine.ino === now.ino && mine.dev === now.dev) await unlink(final).catch(() => undefined);
      await dropTemp();
    },
  };
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
