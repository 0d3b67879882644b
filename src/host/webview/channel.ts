/**
 * One webview's conversation with the host, whatever shows it (a sidebar view, an editor panel):
 *  - the ready gate: nothing is posted until the page says `ready`. A view that holds state
 *    re-sends it whole on every `ready` (first load, reload, shown again after being torn down),
 *    so what it posted meanwhile is not kept; a view without state gets those posts replayed;
 *  - typed posts, always through postPlain (binary data as plain Uint8Array);
 *  - parse-or-drop: a message that fails the view's parser is logged (and, when it was a
 *    request, answered with an error), never lost silently; a page's report that it could not
 *    read one of ours is logged (the page shows the error);
 *  - request/reply: a message with an `id` is a request; its handler's answer, or the error it
 *    threw, goes back as a reply with `inReplyTo`, to the page that asked and no other.
 * No `vscode` at run time (types only): the unit tests drive it with a fake webview.
 */
import type * as vscode from 'vscode';
import { redactSecrets } from '../../core/errors';
import type { Logger } from '../../core/log';
import { messageShape, requestId } from '../../shared/webviewMessages';
import { isDroppedReport, postPlain } from './messages';

interface Typed {
  readonly type: string;
}

/** The page's `ready` message. */
export type ReadyOf<From> = Extract<From, { readonly type: 'ready' }>;
/** The messages that are requests (they carry an `id`). */
export type RequestOf<From> = Extract<From, { readonly id: number }>;
/** Everything else a page says. */
export type NoticeOf<From> = Exclude<From, ReadyOf<From> | RequestOf<From>>;
/** What a request handler answers: the reply without its envelope (`error` for a refusal). */
export type ReplyBody<To> = Omit<Extract<To, { readonly type: 'reply' }>, 'type' | 'inReplyTo'>;

/** What the feature does with its page's messages. */
export interface ChannelHandlers<To, From> {
  /**
   * The page said `ready`: post everything it shows. Absent for a view without state of its own:
   * what was posted before `ready` is then replayed in order.
   */
  sendState?(ready: ReadyOf<From>): Promise<void> | void;
  /** Answers a request; a throw becomes the reply's `error`. Absent for a view without requests. */
  onRequest?(request: RequestOf<From>): Promise<ReplyBody<To>>;
  onMessage(message: NoticeOf<From>): Promise<void> | void;
}

export interface ChannelOptions<From> {
  /** The view's name in the log ("studio", "gallery", "mask editor"). */
  readonly label: string;
  readonly parse: (raw: unknown) => From | undefined;
  readonly log: Logger;
  /** The error a request that fails the parser gets back (the caller localizes it). */
  readonly unreadableRequest: () => string;
  /**
   * A failed request's words for the view (the caller localizes: a preparation refusal carries its
   * message id). Default: the error's own message. The log always gets the English.
   */
  readonly errorText?: (err: unknown) => string;
}

/** The one thing a channel needs of a webview. */
export type PostPort = Pick<vscode.Webview, 'postMessage'>;

/** Posts a view without state keeps for a page that is not ready yet (the oldest go beyond it). */
export const MAX_QUEUED = 256;

export class WebviewChannel<To extends Typed, From extends Typed> {
  private port: PostPort | undefined;
  private ready = false;
  private queue: To[] = [];
  private overflowed = false;
  /** Changes whenever the page does (attached, detached, torn down, loaded again): replies go to the page that asked. */
  private page = 0;

  constructor(
    private readonly options: ChannelOptions<From>,
    private readonly handlers: ChannelHandlers<To, From>,
  ) {}

  /** A (new) webview: nothing is posted to it before it says `ready`. */
  attach(port: PostPort): void {
    this.reset(port);
  }

  detach(): void {
    this.reset(undefined);
  }

  /** The page is gone (a view hidden without retained context): posts wait for the next `ready`. */
  unready(): void {
    if (!this.ready) return;
    this.ready = false;
    this.page++;
  }

  get isAttached(): boolean {
    return this.port !== undefined;
  }

  get isReady(): boolean {
    return this.port !== undefined && this.ready;
  }

  /** Posts when the page is ready; false when it was not posted (no page yet, or it went away). */
  post(message: To): Promise<boolean> {
    const port = this.port;
    if (!port) return Promise.resolve(false);
    if (!this.ready) {
      if (!this.handlers.sendState) this.enqueue(message);
      return Promise.resolve(false);
    }
    return postPlain(port, message);
  }

  /** Handles one raw message from the page. */
  async receive(raw: unknown): Promise<void> {
    const { label, log } = this.options;
    if (isDroppedReport(raw, label, log)) return;
    const message = this.options.parse(raw);
    if (message === undefined) {
      log.warn(`${label}: dropped a message that does not fit the protocol (${messageShape(raw)})`);
      const id = requestId(raw);
      if (id !== undefined && this.handlers.onRequest) await this.reply(id, this.page, { error: this.options.unreadableRequest() });
      return;
    }
    try {
      if (message.type === 'ready') return await this.onReady(message as ReadyOf<From>);
      const id = requestId(message);
      if (id !== undefined && this.handlers.onRequest) return await this.answer(id, message as RequestOf<From>);
      await this.handlers.onMessage(message as NoticeOf<From>);
    } catch (err) {
      log.error(`${label}: ${message.type} failed: ${redactSecrets(errorText(err))}`);
    }
  }

  private async onReady(ready: ReadyOf<From>): Promise<void> {
    this.ready = true;
    this.page++;
    this.overflowed = false;
    const missed = this.queue.splice(0);
    if (this.handlers.sendState) return await this.handlers.sendState(ready);
    for (const m of missed) void this.post(m);
  }

  private async answer(id: number, request: RequestOf<From>): Promise<void> {
    const page = this.page;
    let body: ReplyBody<To> | { error: string };
    try {
      body = await this.handlers.onRequest!(request);
    } catch (err) {
      this.options.log.warn(`${this.options.label}: ${request.type} failed: ${redactSecrets(errorText(err))}`);
      body = { error: redactSecrets((this.options.errorText ?? errorText)(err)) };
    }
    await this.reply(id, page, body);
  }

  /** Replies to the page that asked; a page loaded since never gets it (its ids start over). */
  private async reply(inReplyTo: number, page: number, body: ReplyBody<To> | { error: string }): Promise<void> {
    if (page !== this.page || !this.ready) return;
    await this.post({ ...body, type: 'reply', inReplyTo } as unknown as To);
  }

  private enqueue(message: To): void {
    this.queue.push(message);
    if (this.queue.length <= MAX_QUEUED) return;
    this.queue.shift();
    if (!this.overflowed) this.options.log.warn(`${this.options.label}: the view is not ready; older messages to it are left out (at most ${MAX_QUEUED} wait)`);
    this.overflowed = true;
  }

  private reset(port: PostPort | undefined): void {
    this.port = port;
    this.ready = false;
    this.queue = [];
    this.overflowed = false;
    this.page++;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
