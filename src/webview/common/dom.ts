/** DOM helpers shared by the webviews: elements with attributes and children, line icons, keys. No framework. */
import { IMAGE_COUNTS } from '../../shared/modelRules';

type Attr = string | number | boolean | undefined | null;
type Child = Node | string | null | undefined | false;

/**
 * Creates an element. Attributes: `true` sets an empty attribute, `false`/`undefined`/`null` leaves
 * it out; `class` and `aria-*` are plain attributes. Children may be nodes or text.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, Attr> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** Sets or removes a boolean attribute. */
export function toggleAttr(el: Element, name: string, on: boolean): void {
  if (on) el.setAttribute(name, '');
  else el.removeAttribute(name);
}

const SVG = 'http://www.w3.org/2000/svg';

/** A 16x16 line icon from an SVG path, drawn with currentColor (so it follows the theme). */
export function lineIcon(d: string, strokeWidth = 1.3): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('width', '16');
  svg.setAttribute('height', '16');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.classList.add('icon');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute('d', d);
  path.setAttribute('fill', 'none');
  path.setAttribute('stroke', 'currentColor');
  path.setAttribute('stroke-width', String(strokeWidth));
  path.setAttribute('stroke-linecap', 'round');
  path.setAttribute('stroke-linejoin', 'round');
  svg.append(path);
  return svg;
}

/** Is the event's target a control that types text (where single-key shortcuts must not fire)? */
export function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !['checkbox', 'radio', 'range', 'button', 'submit', 'reset', 'color', 'file'].includes(target.type);
  return false;
}

/** Cmd on macOS, Ctrl elsewhere. */
export const isMac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

export function modKey(e: KeyboardEvent | MouseEvent): boolean {
  return isMac ? e.metaKey : e.ctrlKey;
}

/** A labelled select (with a hint under it when `help` is given). */
export function selectField(label: string, id: string, help?: string): { field: HTMLElement; select: HTMLSelectElement } {
  const select = h('select', { id, 'aria-describedby': help ? `${id}-help` : undefined });
  const field = h('div', { class: help ? 'field wide' : 'field' }, h('label', { for: id }, label), select, help ? h('p', { class: 'hint', id: `${id}-help` }, help) : null);
  return { field, select };
}

/** Fills the "Images" select with the counts a run may ask for (1 to MAX_IMAGES) and selects `n`. */
export function fillCountSelect(select: HTMLSelectElement, n: number): void {
  fillSelect(select, IMAGE_COUNTS.map((k) => ({ value: String(k), label: String(k) })), String(n));
}

/** Replaces a select's options and selects `current`. */
export function fillSelect(select: HTMLSelectElement, values: readonly { value: string; label: string; disabled?: boolean }[], current: string | undefined): void {
  select.replaceChildren(...values.map((v) => h('option', { value: v.value, selected: v.value === current, disabled: v.disabled }, v.label)));
  if (current !== undefined) select.value = current;
}
