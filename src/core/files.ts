/**
 * Writing an image file on disk without `vscode` (the MCP server's writer; the host writes
 * through workspace.fs in src/host/run/assets.ts): a unique name in the folder, never
 * overwriting, written under a temporary name and then linked into place, so a file that
 * appears meanwhile is not replaced and a failed write leaves nothing half-written.
 */
import { access, link, mkdir, unlink, writeFile } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { tempName, uniqueName } from './naming';

const exists = (p: string) => access(p).then(() => true, () => false);

/** Writes `bytes` as `name` (or the next free name) in `folder`, creating it; returns the path written. */
export async function writeNewFile(folder: string, name: string, bytes: Uint8Array): Promise<string> {
  await mkdir(folder, { recursive: true });
  const temp = nodePath.join(folder, tempName(name));
  await writeFile(temp, bytes, { flag: 'wx' });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      const final = nodePath.join(folder, await uniqueName(name, (c) => exists(nodePath.join(folder, c))));
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
