/**
 * The host side of what every webview shares: the one post function (binary data converted to
 * plain Uint8Array, whatever path made it) and the handling of a view's report that it could
 * not read one of our messages.
 */
import type * as vscode from 'vscode';
import { parseDropped, plainMessage } from '../../shared/webviewMessages';

/** Posts a message with every Buffer made a plain Uint8Array; false when the webview is gone. */
export async function postPlain(webview: Pick<vscode.Webview, 'postMessage'>, message: unknown): Promise<boolean> {
  try {
    return await webview.postMessage(plainMessage(message));
  } catch {
    return false; // the webview went away meanwhile
  }
}

/** True (and logged) when `raw` is a view's report of a message it dropped. */
export function isDroppedReport(raw: unknown, view: string, log: { error(message: string): void }): boolean {
  const dropped = parseDropped(raw);
  if (!dropped) return false;
  log.error(`${view}: the view could not read a message from the host (${dropped.detail}); it shows an error`);
  return true;
}
