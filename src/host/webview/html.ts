/**
 * The one HTML shell of Pixelwright's webviews (mask editor, Studio, Gallery): a strict CSP
 * (`default-src 'none'`, the script by nonce, styles, fonts and images from the extension),
 * the view's bundle from dist/webview and its stylesheet from media/, and a loading line until
 * the script takes over.
 */
import { randomBytes } from 'crypto';
import * as vscode from 'vscode';

export interface WebviewPage {
  /** dist/webview/<name>.js and media/<name>.css */
  readonly name: string;
  readonly title: string;
  /** Shown until the script renders. */
  readonly loading: string;
  /** Extra image sources beside the extension's own: 'blob:' for canvases, 'data:'. */
  readonly imageSources: readonly ('blob:' | 'data:')[];
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, page: WebviewPage): string {
  const nonce = randomBytes(18).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', `${page.name}.js`));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', `${page.name}.css`));
  const csp = [
    "default-src 'none'",
    `img-src ${[webview.cspSource, ...page.imageSources].join(' ')}`,
    `style-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${webview.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="${escapeHtml(vscode.env.language || 'en')}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>${escapeHtml(page.title)}</title>
</head>
<body>
<div id="app" data-bad-message="${escapeHtml(vscode.l10n.t('Pixelwright could not read a message from the extension. Reload the view; the log (Pixelwright: Show Log) has details.'))}"><p class="loading">${escapeHtml(page.loading)}</p></div>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
