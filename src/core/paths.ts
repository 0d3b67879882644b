/**
 * The output folder setting, checked: a workspace-relative path that stays inside the
 * workspace. Pure string work (no `path` module) so it means the same on every OS and remote.
 */
export type FolderCheck = { readonly ok: true; readonly segments: readonly string[] } | { readonly ok: false; readonly reason: string };

export function checkOutputFolder(setting: string): FolderCheck {
  const raw = setting.trim();
  if (/^([a-zA-Z]:|[\\/]|~)/.test(raw) || /^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    return { ok: false, reason: 'it must be a path relative to the workspace folder, not an absolute path' };
  }
  const segments: string[] = [];
  for (const part of raw.split(/[\\/]+/)) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (segments.length === 0) return { ok: false, reason: 'it leads outside the workspace folder' };
      segments.pop();
      continue;
    }
    // eslint-disable-next-line no-control-regex
    if (/[<>:"|?*\u0000-\u001f]/.test(part) || /[. ]$/.test(part)) {
      return { ok: false, reason: `"${part}" is not a folder name that works on every system` };
    }
    segments.push(part);
  }
  return { ok: true, segments };
}
