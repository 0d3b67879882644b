/**
 * Core's messages (ids with parameters, src/shared/messages.ts) in the user's language: each id's
 * English text is looked up in the l10n bundle like any l10n.t string, its parameters (messages
 * among them) filled in. The one l10n.t call whose message is not a literal: test/unit/l10n.test.ts
 * checks the catalog's texts against the bundle instead.
 */
// A plain require, not `import * as`: see the note in src/extension.ts.
import vscode = require('vscode');
import { CORE_MESSAGES, isCoreMessage, messageOf, type CoreMessage } from '../../shared/messages';

export function translateMessage(m: CoreMessage): string {
  const args = m.args.map((a) => (typeof a === 'object' ? translateMessage(a) : a));
  return vscode.l10n.t(CORE_MESSAGES[m.id], ...args);
}

/** A message that came from another bundle (the engine's errors), or undefined when it is not one. */
export function translateIfMessage(v: unknown): string | undefined {
  return isCoreMessage(v) ? translateMessage(v) : undefined;
}

/**
 * An error's words for the user: the message it carries as data (a preparation refusal from the
 * engine bundle, a validation error) in the user's language, else its own message.
 */
export function errorMessage(err: unknown): string {
  const m = messageOf(err);
  if (m) return translateMessage(m);
  return err instanceof Error ? err.message : String(err);
}
