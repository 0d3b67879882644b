/**
 * Entry of the Studio webview (bundled to dist/webview/studio.js). Says `ready`, builds the UI on
 * `init` (again after every reload: the host re-sends the models, the draft and the run), and
 * routes the host's messages to it. The host is the extension, but its messages are still
 * checked for shape before use.
 */
import type { FromStudio } from '../../shared/studioProtocol';
import { StudioApp, type UiState } from './app';
import { isObj, parseToStudio } from './parse';
import { reportDropped } from '../common/messages';
import { setStrings } from './strings';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
let app: StudioApp | undefined;

const host = {
  post: (m: FromStudio) => vscode.postMessage(m),
  getState: () => {
    const st = vscode.getState();
    return (isObj(st) ? st : {}) as UiState;
  },
  setState: (st: UiState) => vscode.setState(st),
};

window.addEventListener('message', (event: MessageEvent) => {
  const m = parseToStudio(event.data);
  if (!m) return reportDropped((d) => vscode.postMessage(d), event.data);
  switch (m.type) {
    case 'init': {
      setStrings(m.strings);
      app?.dispose();
      const mount = document.getElementById('app') ?? document.body;
      app = new StudioApp(host, m, mount);
      break;
    }
    case 'run':
      app?.onRun(m.run);
      break;
    case 'tile':
      app?.onTile(m.runId, m.tile);
      break;
    case 'status':
      app?.onStatus(m.runId, m.message);
      break;
    case 'recent':
      app?.setRecent(m.recent);
      break;
  }
});

window.addEventListener('focus', () => app?.focusPromptIfNothingFocused());

host.post({ type: 'ready' });
