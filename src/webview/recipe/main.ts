/**
 * Entry of the Show Recipe panel (bundled to dist/webview/recipe.js): says `ready`, renders the
 * host's view as text (./render.ts), and sends the actions as requests.
 */
import { isObj, isStr } from '../../shared/guards';
import type { FromRecipe, RecipeReplyMessage, RecipeView, ToRecipe } from '../../shared/recipeProtocol';
import { isReplyEnvelope } from '../../shared/webviewMessages';
import { connect, mountPoint } from '../common/bootstrap';
import { renderRecipe } from './render';

function parse(v: unknown): ToRecipe | undefined {
  if (!isObj(v)) return undefined;
  if (v.type === 'init')
    return isObj(v.strings) && isStr(v.locale) && isObj(v.view) && isStr(v.view.file) && Array.isArray(v.view.options) ? { type: 'init', strings: v.strings as Record<string, string>, locale: v.locale, view: v.view as unknown as RecipeView } : undefined;
  if (v.type === 'reply') return isReplyEnvelope(v) && (v.notice === undefined || isStr(v.notice)) ? (v as unknown as RecipeReplyMessage) : undefined;
  return undefined;
}

const status = document.createElement('p');
status.className = 'status';
status.setAttribute('role', 'status');

const host = connect<ToRecipe, FromRecipe, object>(parse, {
  init: (m) => {
    const app = mountPoint();
    app.replaceChildren(
      renderRecipe(m.view, m.locale, (action, path) => {
        status.textContent = '';
        host.request({ type: 'action', action, ...(path !== undefined ? { path } : {}) }).then(
          (r) => (status.textContent = r.notice ?? ''),
          (err: Error) => (status.textContent = err.message),
        );
      }),
      status,
    );
  },
});

host.post({ type: 'ready' });
