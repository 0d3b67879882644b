/**
 * What every webview does to talk to the host, once: acquire VS Code's API, keep UI state with
 * getState/setState, check each message from the host with the view's own parser, and report a
 * message that fails it (log in the host, an error in the view) instead of dropping it. A view
 * adds only its parser and what it does with each message, then says `ready`.
 */
import { isObj } from '../../shared/guards';
import { reportDropped } from './messages';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** The host as a view sees it: typed messages out, UI state kept across reloads. */
export interface WebviewHost<From, State> {
  post(message: From): void;
  getState(): State;
  setState(state: State): void;
}

/** Connects the page to the host; `onMessage` gets every message that passed `parse`. */
export function connect<To, From, State extends object>(parse: (raw: unknown) => To | undefined, onMessage: (message: To) => void): WebviewHost<From, State> {
  const api = acquireVsCodeApi();
  window.addEventListener('message', (event: MessageEvent) => {
    const m = parse(event.data);
    if (m === undefined) return reportDropped((d) => api.postMessage(d), event.data);
    onMessage(m);
  });
  return {
    post: (m) => api.postMessage(m),
    getState: () => {
      const st = api.getState();
      return (isObj(st) ? st : {}) as State;
    },
    setState: (st) => api.setState(st),
  };
}
