/**
 * The one base of Pixelwright's webviews, sidebar views and editor panels alike. It owns what
 * every one of them does the same way, so that a view keeps only its own logic:
 *  - the page: options, the HTML shell and its CSP (./html.ts), and `localResourceRoots`
 *    (dist/ and media/, plus the folders the view shows, added with {@link allowFolder});
 *  - the conversation (./channel.ts): the ready gate, typed posts through postPlain,
 *    parse-or-drop with a log line, request/reply;
 *  - state re-sent: a view hidden without retained context loses its page; when it is shown
 *    again (or reloads, or is resolved anew) the page says `ready` and {@link sendState} runs;
 *  - dispose: the page's subscriptions go with the view, and everything with the owner.
 *
 * A view (WebviewView) calls {@link attach} from resolveWebviewView; a panel calls it once, with
 * the panel it created. Subclasses implement {@link onMessage}, and {@link sendState} and
 * {@link onRequest} when they have state or requests.
 */
import * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import { Disposable } from '../platform/lifecycle';
import { errorMessage } from '../platform/messages';
import { WebviewChannel, type NoticeOf, type ReadyOf, type ReplyBody, type RequestOf } from './channel';
import { webviewHtml, type WebviewPage } from './html';

/** Where a page shows: a sidebar view or an editor panel. */
export type WebviewSurface = vscode.WebviewView | vscode.WebviewPanel;

export interface WebviewSpec<From> extends Pick<WebviewPage, 'name' | 'imageSources'> {
  /** The view's name in the log ("studio", "gallery", "mask editor"). */
  readonly label: string;
  /** The feature's check of its page's messages (every one is untrusted). */
  readonly parse: (raw: unknown) => From | undefined;
  /** The page lives on while hidden (a panel made with retainContextWhenHidden): it stays ready. */
  readonly retainContextWhenHidden?: boolean;
}

export abstract class WebviewBase<To extends { readonly type: string }, From extends { readonly type: string }> extends Disposable {
  private readonly channel: WebviewChannel<To, From>;
  private surface: WebviewSurface | undefined;
  private surfaceSubscriptions: vscode.Disposable[] = [];
  private roots: vscode.Uri[];

  protected constructor(
    protected readonly extensionUri: vscode.Uri,
    protected readonly log: Logger,
    private readonly spec: WebviewSpec<From>,
  ) {
    super();
    this.roots = [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')];
    this.channel = new WebviewChannel<To, From>(
      {
        label: spec.label,
        parse: spec.parse,
        log,
        unreadableRequest: () => vscode.l10n.t('Pixelwright could not read this request. Reload the view; the log (Pixelwright: Show Log) has details.'),
        errorText: errorMessage,
      },
      {
        sendState: this.sendState && ((ready) => this.sendState!(ready)),
        onRequest: this.onRequest && ((request) => this.onRequest!(request)),
        onMessage: (message) => this.onMessage(message),
      },
    );
    this._register({ dispose: () => this.detach() });
  }

  // ---- what a view implements ------------------------------------------------------------------

  /**
   * The page said `ready` (first load, reload, shown again): post all it shows. A view without
   * it has what it posted before `ready` replayed instead.
   */
  protected sendState?(ready: ReadyOf<From>): Promise<void> | void;

  /** Answers a request (a message with an `id`); a throw becomes the reply's `error`. */
  protected onRequest?(request: RequestOf<From>): Promise<ReplyBody<To>>;

  /** Every other message of the page, checked by the spec's parser; a throw is logged. */
  protected abstract onMessage(message: NoticeOf<From>): Promise<void> | void;

  // ---- what a view uses ------------------------------------------------------------------------

  /** Shows the page in `surface` (a view resolved, again or for the first time, or a new panel). */
  protected attach(surface: WebviewSurface, page: Pick<WebviewPage, 'title' | 'loading'>): void {
    this.detach();
    this.surface = surface;
    const webview = surface.webview;
    webview.options = this.webviewOptions;
    this.channel.attach(webview);
    const visibility: vscode.Event<unknown> = 'onDidChangeVisibility' in surface ? surface.onDidChangeVisibility : surface.onDidChangeViewState;
    this.surfaceSubscriptions = [
      webview.onDidReceiveMessage((m: unknown) => void this.channel.receive(m)),
      surface.onDidDispose(() => {
        if (this.surface === surface) this.detach();
      }),
      // Hidden without retained context, the page is torn down: it says `ready` again when shown.
      visibility(() => {
        if (!surface.visible && !this.spec.retainContextWhenHidden) this.channel.unready();
      }),
    ];
    webview.html = webviewHtml(webview, this.extensionUri, { ...page, name: this.spec.name, imageSources: this.spec.imageSources });
  }

  /** The options a page is shown with (for createWebviewPanel; {@link attach} sets them too). */
  protected get webviewOptions(): vscode.WebviewOptions {
    return { enableScripts: true, localResourceRoots: this.roots };
  }

  /** Lets the page load files from `folder` (an image it shows). Changing the roots may reload the page. */
  protected allowFolder(folder: vscode.Uri): void {
    if (this.roots.some((r) => isInside(folder, r))) return;
    this.roots = [...this.roots, folder];
    const webview = this.surface?.webview;
    if (webview) webview.options = { ...webview.options, localResourceRoots: this.roots };
  }

  /** Posts to the page once it is ready (see ./channel.ts); false when it was not posted. */
  protected post(message: To): Promise<boolean> {
    return this.channel.post(message);
  }

  /** A page is shown and has said `ready`. */
  protected get isReady(): boolean {
    return this.channel.isReady;
  }

  /** A page is shown (it may still be loading). */
  protected get isAttached(): boolean {
    return this.channel.isAttached;
  }

  private detach(): void {
    for (const d of this.surfaceSubscriptions.splice(0)) d.dispose();
    this.surface = undefined;
    this.channel.detach();
  }
}

function isInside(child: vscode.Uri, parent: vscode.Uri): boolean {
  if (child.scheme !== parent.scheme || child.authority !== parent.authority) return false;
  const p = parent.path.endsWith('/') ? parent.path : `${parent.path}/`;
  return child.path === parent.path || child.path.startsWith(p);
}
