/**
 * The webview side of what every view does with the host's messages: a message that fails the
 * view's guard is reported to the host (which logs it) and shown in the view as a visible error,
 * never dropped silently. The error's text is localized by the host into the page itself
 * (`data-bad-message` on #app, see src/host/webview/html.ts), so it is there before any message.
 */
import { messageShape, type DroppedMessage } from '../../shared/webviewMessages';

const FALLBACK = 'Pixelwright could not read a message from the extension. Reload the view; the log (Pixelwright: Show Log) has details.';

/** Tells the host and shows the error once (a banner at the top of the view). */
export function reportDropped(post: (m: DroppedMessage) => void, raw: unknown): void {
  const detail = messageShape(raw);
  console.warn(`Pixelwright: dropped a message that does not fit the protocol: ${detail}`);
  post({ type: 'dropped', detail });
  if (document.querySelector('.pw-dropped')) return;
  const text = document.getElementById('app')?.dataset.badMessage || FALLBACK;
  const banner = document.createElement('div');
  banner.className = 'pw-dropped';
  banner.setAttribute('role', 'alert');
  banner.textContent = text;
  // Styled from script (CSSOM is allowed by the CSP; inline style attributes are not).
  Object.assign(banner.style, {
    padding: '6px 8px',
    margin: '4px 0',
    border: '1px solid var(--vscode-inputValidation-errorBorder, #be1100)',
    background: 'var(--vscode-inputValidation-errorBackground, #5a1d1d)',
    color: 'var(--vscode-errorForeground, inherit)',
  });
  document.body.prepend(banner);
}
