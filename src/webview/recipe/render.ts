/**
 * The Show Recipe page, built from the host's RecipeView. Every value goes into the page as text
 * (DOM text nodes through h()), never as markup: a prompt holding `<script>` or `<img onerror>`
 * shows as those characters. No innerHTML anywhere in this view.
 */
import type { RecipeAction, RecipeView } from '../../shared/recipeProtocol';
import { h } from '../common/dom';
import { s } from '../common/strings';

export type Act = (action: RecipeAction, path?: string) => void;

function operationLabel(op: string | undefined): string {
  return op === 'edit' ? s('edit') : op === 'variation' ? s('variation') : s('generation');
}

function row(label: string, value: string | Node | undefined): HTMLElement | undefined {
  if (value === undefined || value === '') return undefined;
  return h('div', { class: 'row' }, h('dt', {}, label), h('dd', {}, value));
}

function when(iso: string | undefined, locale: string): string | undefined {
  if (!iso) return undefined;
  const d = new Date(iso);
  return Number.isFinite(d.getTime()) ? `${d.toLocaleString(locale)} (${iso})` : iso;
}

/** Builds the page for `view` (a new element; the caller mounts it). */
export function renderRecipe(view: RecipeView, locale: string, act: Act): HTMLElement {
  const root = h('main', { class: 'recipe' });
  const title = h('h1', {}, view.file);
  const open = h('button', { type: 'button', class: 'link', 'data-action': 'openImage' }, s('Open Image'));
  open.addEventListener('click', () => act('openImage'));
  root.append(h('header', {}, title, open));

  if (view.state === 'none') {
    root.append(h('p', { class: 'empty' }, s('No Pixelwright recipe in this image.')));
    return root;
  }
  if (view.state === 'malformed') {
    root.append(
      h('p', { class: 'warning', role: 'alert' }, s('This recipe is not one Pixelwright can read: it is shown as plain text, and nothing in it can run.')),
      h('pre', { class: 'raw' }, view.raw ?? ''),
    );
    if (view.rawCut) root.append(h('p', { class: 'note' }, s('Only the beginning is shown.')));
    return root;
  }

  const actions = h('div', { class: 'actions', role: 'toolbar', 'aria-label': s('Recipe actions') });
  const button = (action: RecipeAction, label: string, hint: string, primary = false) => {
    const b = h('button', { type: 'button', class: primary ? 'primary' : undefined, title: hint, 'data-action': action }, label);
    b.addEventListener('click', () => act(action));
    actions.append(b);
  };
  button('remake', s('Remake'), s('Make it again with the same settings (asks first)'), true);
  if (view.operation === 'edit' || view.operation === 'variation') button('rework', s('Rework…'), s('Open the mask editor with these settings and sources'));
  button('remix', s('Remix…'), s('The same settings with a new prompt'));
  button('copyPrompt', s('Copy Prompt'), s('Copy the prompt to the clipboard'));
  root.append(actions);

  if (view.mismatch) root.append(h('p', { class: 'warning' }, s('The recipe file was written for another version of this image: the image has changed since.')));
  if (view.modelMissing) root.append(h('p', { class: 'note' }, s('{0} is not offered by the configured provider: Remake offers the closest model.', view.model ?? '')));

  const list = h('dl', {});
  const add = (e: HTMLElement | undefined) => e && list.append(e);
  add(row(s('Prompt'), h('span', { class: 'prompt' }, view.prompt ?? '')));
  add(row(s('Revised prompt (by the model)'), view.revisedPrompt));
  add(row(s('Model'), view.model));
  add(row(s('Operation'), operationLabel(view.operation)));
  if (view.options.length) {
    const ul = h('ul', { class: 'options' });
    for (const [k, v] of view.options) ul.append(h('li', {}, h('code', {}, k), ': ', v));
    add(row(s('Options'), ul));
  }
  if (view.sources.length) {
    const ul = h('ul', { class: 'sources' });
    for (const src of view.sources) {
      if (src.exists) {
        const b = h('button', { type: 'button', class: 'link', 'data-path': src.path }, src.path);
        b.addEventListener('click', () => act('openSource', src.path));
        ul.append(h('li', {}, b));
      } else ul.append(h('li', {}, src.path, ' ', h('span', { class: 'note' }, s('(no longer in the workspace)'))));
    }
    add(row(s('Sources'), ul));
  }
  add(row(s('Cost'), [view.cost, view.usage].filter(Boolean).join(' · ') || undefined));
  add(row(s('Provider'), view.provider));
  add(row(s('Created'), when(view.createdAt, locale)));
  add(row(s('Tool'), view.tool));
  add(row(s('Request ID'), view.requestId));
  add(row(s('Size'), view.width && view.height ? `${view.width} × ${view.height}` : undefined));
  add(row(s('Stored'), view.where === 'sidecar' ? s('in a sidecar file next to the image') : s('inside the image')));
  if (view.truncated.length) add(row(s('Shortened to fit the file'), view.truncated.join(', ')));
  root.append(list);

  if (view.lineage.length) {
    const ol = h('ol', { class: 'lineage' });
    for (const e of view.lineage) {
      ol.append(
        h('li', { style: undefined, 'data-depth': e.depth }, h('span', { class: 'path' }, e.path), ' · ', e.model, ' · ', operationLabel(e.operation), h('div', { class: 'prompt' }, e.prompt)),
      );
    }
    root.append(h('h2', {}, s('Made from')), ol);
    if (view.lineageCut) root.append(h('p', { class: 'note' }, s('Older steps were left out to keep the recipe small.')));
  }
  return root;
}
