/**
 * The output folder, checked twice: the setting as text (checkOutputFolder: a workspace-relative
 * path that stays inside the workspace; pure string work, no `path` module, so it means the same
 * on every OS and remote), then on disk (checkRealFolder: no symbolic link on the way leads out
 * of the workspace; a cloned repository can commit `images/generated` as a link to anywhere).
 */
import { lstat, readlink, realpath } from 'node:fs/promises';
import * as nodePath from 'node:path';
import { msg, type CoreMessage } from '../shared/messages';

export type FolderCheck = { readonly ok: true; readonly segments: readonly string[] } | { readonly ok: false; readonly reason: CoreMessage };

export function checkOutputFolder(setting: string): FolderCheck {
  const raw = setting.trim();
  if (/^([a-zA-Z]:|[\\/]|~)/.test(raw) || /^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    return { ok: false, reason: msg('folder.absolute') };
  }
  const segments: string[] = [];
  for (const part of raw.split(/[\\/]+/)) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (segments.length === 0) return { ok: false, reason: msg('folder.outside') };
      segments.pop();
      continue;
    }
    // eslint-disable-next-line no-control-regex
    if (/[<>:"|?*\u0000-\u001f]/.test(part) || /[. ]$/.test(part)) {
      return { ok: false, reason: msg('folder.badName', part) };
    }
    segments.push(part);
  }
  return { ok: true, segments };
}

/** A folder on the way that leads outside the workspace: its workspace-relative path and where it goes. */
export type RealFolderCheck = { readonly ok: true } | { readonly ok: false; readonly folder: string; readonly target: string };

/**
 * Whether `root/segments...` stays inside `root` on disk. Each part of the path that exists is
 * resolved with symbolic links followed and must be inside the root's own real path; a link to
 * nowhere is refused too (where it points may be created later). Parts that do not exist yet are
 * fine: they will be created as plain folders inside the last one checked. A root that does not
 * resolve is left to the write itself to fail.
 */
export async function checkRealFolder(rootPath: string, segments: readonly string[]): Promise<RealFolderCheck> {
  let realRoot: string;
  try {
    realRoot = await realpath(rootPath);
  } catch {
    return { ok: true };
  }
  let current = rootPath;
  for (let i = 0; i < segments.length; i++) {
    current = nodePath.join(current, segments[i]);
    const folder = segments.slice(0, i + 1).join('/');
    let isLink: boolean;
    try {
      isLink = (await lstat(current)).isSymbolicLink();
    } catch {
      return { ok: true }; // not there yet: created inside what was checked so far
    }
    let real: string;
    try {
      real = await realpath(current);
    } catch {
      if (!isLink) return { ok: true };
      return { ok: false, folder, target: nodePath.resolve(nodePath.dirname(current), await readlink(current)) };
    }
    if (!isInsideFolder(realRoot, real)) return { ok: false, folder, target: real };
  }
  return { ok: true };
}

/** Whether `candidate` is `root` or inside it (both absolute, as this system spells paths). */
export function isInsideFolder(root: string, candidate: string, path: Pick<typeof nodePath, 'relative' | 'isAbsolute' | 'sep'> = nodePath): boolean {
  const rel = path.relative(root, candidate);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}
