// A plain require, not `import * as`: see the note in src/extension.ts.
import vscode = require('vscode');

/**
 * A webview's words, localized in the host (webviews have no l10n of their own), keyed by their
 * English text, which the page falls back to. Placeholders {0} to {3} stay as they are for the
 * page to fill in. `keys` is the view's UI_STRINGS list: test/unit/house/webviewStrings.test.ts
 * checks it against the page's s('...') calls, and the l10n house test against the zh-cn bundle.
 */
export function localizeAll(keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) out[key] = vscode.l10n.t(key, '{0}', '{1}', '{2}', '{3}');
  return out;
}
