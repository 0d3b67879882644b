/**
 * What every webview does to talk to the host, once: acquire VS Code's API, keep UI state with
 * getState/setState, check each message from the host with the view's own parser, report a
 * message that fails it (log in the host, an error in the view) instead of dropping it, and send
 * requests whose replies come back by id (./requests.ts). The host's `init` carries the view's
 * words (localized, see ./strings.ts): they are set before the view's own `init` handler runs.
 * A view adds only its parser and a handler for each message it takes, then says `ready`.
 */
import { isObj } from '../../shared/guards';
import type { ReplyEnvelope } from '../../shared/webviewMessages';
import { reportDropped } from './messages';
import { PendingRequests, type RequestBody, type RequestOptions } from './requests';
import { setStrings } from './strings';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

interface Typed {
  readonly type: string;
}

/** The host's replies among the messages it sends. */
export type ReplyIn<To> = Extract<To, ReplyEnvelope>;

/** One handler per message type the host sends (replies go to the request that asked). */
export type Handlers<To extends Typed> = { readonly [K in Exclude<To, ReplyEnvelope>['type']]: (message: Extract<To, { readonly type: K }>) => void };

/** The host as a view sees it: typed messages out, requests answered, UI state kept across reloads. */
export interface WebviewHost<From, State, Reply = never> {
  post(message: From): void;
  /** Sends a request (its id is added) and resolves with the reply; rejects with a RequestError. */
  request(message: RequestBody<From>, options?: RequestOptions): Promise<Reply>;
  /** Rejects every request still waiting (the UI that sent them is gone). */
  cancelRequests(): void;
  getState(): State;
  setState(state: State): void;
}

/** Connects the page to the host; each message that passed `parse` goes to its handler. */
export function connect<To extends Typed, From, State extends object>(parse: (raw: unknown) => To | undefined, handlers: Handlers<To>): WebviewHost<From, State, ReplyIn<To>> {
  const api = acquireVsCodeApi();
  const requests = new PendingRequests<ReplyIn<To>>();
  window.addEventListener('message', (event: MessageEvent) => {
    const m = parse(event.data);
    if (m === undefined) return reportDropped((d) => api.postMessage(d), event.data);
    if (m.type === 'reply') return void requests.settle(m as ReplyIn<To>);
    const strings = (m as { strings?: unknown }).strings;
    if (m.type === 'init' && isObj(strings)) setStrings(strings as Record<string, string>);
    (handlers[m.type as keyof Handlers<To>] as (message: To) => void)(m);
  });
  const post = (m: From) => api.postMessage(m);
  return {
    post,
    request: (m, options) => requests.send(post as (m: unknown) => void, m, options),
    cancelRequests: () => requests.rejectAll(),
    getState: () => {
      const st = api.getState();
      return (isObj(st) ? st : {}) as State;
    },
    setState: (st) => api.setState(st),
  };
}

/** Where a view builds its UI: #app of the HTML shell (src/host/webview/html.ts). */
export function mountPoint(): HTMLElement {
  return document.getElementById('app') ?? document.body;
}
