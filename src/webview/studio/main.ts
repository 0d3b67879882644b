/**
 * Entry of the Studio webview (bundled to dist/webview/studio.js). Says `ready`, builds the UI on
 * `init` (again after every reload: the host re-sends the models, the draft and the run), and
 * routes the host's messages to it. The host is the extension, but its messages are still
 * checked for shape before use.
 */
import type { FromStudio, ToStudio } from '../../shared/studioProtocol';
import { StudioApp, type UiState } from './app';
import { parseToStudio } from './parse';
import { connect, mountPoint } from '../common/bootstrap';

let app: StudioApp | undefined;

const host = connect<ToStudio, FromStudio, UiState>(parseToStudio, {
  init: (m) => {
    app?.dispose();
    app = new StudioApp(host, m, mountPoint());
  },
  run: (m) => app?.onRun(m.run),
  tile: (m) => app?.onTile(m.runId, m.tile),
  status: (m) => app?.onStatus(m.runId, m.message),
  recent: (m) => app?.setRecent(m.recent),
});

window.addEventListener('focus', () => app?.focusPromptIfNothingFocused());

host.post({ type: 'ready' });
