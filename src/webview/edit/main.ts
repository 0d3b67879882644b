/**
 * Entry of the mask editor webview (bundled to dist/webview/edit.js). Says `ready`, builds
 * the editor on `init`, and routes the host's messages to it. The host is the extension, but its
 * messages are still checked for shape before use.
 */
import { isNum, isObj, isStr } from '../../shared/guards';
import type { FromMaskEditor, InitMessage, ProgressMessage, ReplaceImageMessage, ReplyMessage, RunFinishedMessage, ToMaskEditor } from '../../shared/editProtocol';
import { isReplyEnvelope } from '../../shared/webviewMessages';
import { MaskEditorApp, type UiState } from './app';
import { connect, mountPoint } from '../common/bootstrap';

let app: MaskEditorApp | undefined;

function isImage(v: unknown): v is InitMessage['image'] {
  return isObj(v) && isStr(v.src) && isStr(v.name) && isNum(v.width) && isNum(v.height) && v.width > 0 && v.height > 0 && typeof v.hasAlpha === 'boolean';
}

/** The host's message, when it has the shape its type promises. */
function parse(v: unknown): ToMaskEditor | undefined {
  if (!isObj(v)) return undefined;
  switch (v.type) {
    case 'init':
      return (v.operation === 'edit' || v.operation === 'variation') &&
        isImage(v.image) &&
        Array.isArray(v.references) &&
        Array.isArray(v.models) &&
        v.models.length > 0 &&
        isObj(v.options) &&
        isStr(v.prompt) &&
        isObj(v.strings)
        ? (v as unknown as InitMessage)
        : undefined;
    case 'progress':
      return isNum(v.runId) && isStr(v.message) && isNum(v.done) && isNum(v.total) ? (v as unknown as ProgressMessage) : undefined;
    case 'runFinished':
      return isNum(v.runId) && Array.isArray(v.results) && v.results.every((r) => isObj(r) && isStr(r.id) && r.bytes instanceof Uint8Array && isStr(r.mime))
        ? (v as unknown as RunFinishedMessage)
        : undefined;
    case 'replaceImage':
      return isImage(v.image) ? (v as unknown as ReplaceImageMessage) : undefined;
    case 'reply':
      return isReplyEnvelope(v) && (v.path === undefined || isStr(v.path)) ? (v as unknown as ReplyMessage) : undefined;
    default:
      return undefined;
  }
}

const host = connect<ToMaskEditor, FromMaskEditor, UiState>(parse, {
  init: (m) => {
    app?.dispose();
    app = new MaskEditorApp(host, m, mountPoint());
  },
  progress: (m) => app?.onProgress(m),
  runFinished: (m) => app?.onRunFinished(m),
  replaceImage: (m) => app?.onReplaceImage(m),
});

host.post({ type: 'ready' });
