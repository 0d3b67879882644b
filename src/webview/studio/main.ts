/**
 * Entry of the Studio webview (bundled to dist/webview/studio.js). Says `ready`, builds the UI on
 * `init` (again after every reload: the host re-sends the models, the draft and the run), and
 * routes the host's messages to it. The host is the extension, but its messages are still
 * checked for shape before use.
 */
import type { FromStudio, ToStudio } from '../../shared/studioProtocol';
import { StudioApp, type UiState } from './app';
import { parseToStudio } from './parse';
import { connect, type WebviewHost } from '../common/bootstrap';
import { setStrings } from '../common/strings';

let app: StudioApp | undefined;

const host: WebviewHost<FromStudio, UiState> = connect<ToStudio, FromStudio, UiState>(parseToStudio, (m) => {
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
