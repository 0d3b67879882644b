/**
 * Results beside the original: a strip of thumbnails (the original first), each result with
 * Keep, Discard and Use as input; clicking one compares it large against the original, with a
 * swipe divider (same aspect) or side by side.
 */
import { fitTransform, type Size } from '../../shared/maskGeometry';
import type { ResultImage } from '../../shared/editProtocol';
import { h, icon } from './dom';
import { s } from '../common/strings';

export type ResultAction = 'keep' | 'discard' | 'useAsInput';

export interface ResultsEvents {
  action(id: string, action: ResultAction): Promise<{ path?: string } | undefined>;
  /** Compare mode was entered or left (the paint view hides while comparing). */
  comparing(on: boolean): void;
}

interface Entry {
  readonly result: ResultImage;
  readonly url: string;
  readonly card: HTMLElement;
  readonly status: HTMLElement;
  readonly buttons: Record<ResultAction, HTMLButtonElement>;
  keptPath?: string;
  busy: boolean;
}

export class Results {
  /** The strip (under the canvas). */
  readonly strip: HTMLElement;
  /** The compare view (takes the canvas' place while open). */
  readonly compare: HTMLElement;
  private readonly list: HTMLElement;
  private readonly originalThumb: HTMLImageElement;
  private readonly entries = new Map<string, Entry>();
  private original: { src: string; size: Size; name: string };
  private current: string | undefined;
  private mode: 'swipe' | 'side' = 'swipe';
  private swipe = 50;
  // compare view parts
  private readonly cmpTitle: HTMLElement;
  private readonly cmpBody: HTMLElement;
  private readonly cmpActions: HTMLElement;
  private readonly modeSwipe: HTMLInputElement;
  private readonly modeSide: HTMLInputElement;
  private readonly resize: ResizeObserver;
  private readonly empty: HTMLElement;

  constructor(
    original: { src: string; size: Size; name: string },
    private readonly events: ResultsEvents,
    initialMode: 'swipe' | 'side' = 'swipe',
    private readonly onModeChange: (mode: 'swipe' | 'side') => void = () => undefined,
  ) {
    this.original = original;
    this.mode = initialMode;
    this.originalThumb = h('img', { src: original.src, alt: '' });
    this.empty = h('p', { class: 'results-empty' }, s('Results appear here. Select one to compare it with the original.'));
    this.list = h('ul', { class: 'results-list', role: 'list' });
    this.strip = h(
      'section',
      { class: 'results', 'aria-label': s('Results') },
      h('figure', { class: 'original-tile' }, this.originalThumb, h('figcaption', {}, s('Original'))),
      this.empty,
      this.list,
    );

    this.cmpTitle = h('h2', { class: 'compare-title' });
    this.modeSwipe = h('input', { type: 'radio', name: 'compare-mode', value: 'swipe', id: 'compare-swipe' });
    this.modeSide = h('input', { type: 'radio', name: 'compare-mode', value: 'side', id: 'compare-side' });
    for (const r of [this.modeSwipe, this.modeSide]) r.addEventListener('change', () => this.setMode(r.value as 'swipe' | 'side'));
    this.cmpActions = h('div', { class: 'compare-actions' });
    const back = h('button', { type: 'button', class: 'icon-button', 'aria-label': s('Back to the mask'), title: s('Back to the mask (Escape)'), 'aria-keyshortcuts': 'Escape' }, icon('close'));
    back.addEventListener('click', () => this.close());
    this.cmpBody = h('div', { class: 'compare-body' });
    this.compare = h(
      'section',
      { class: 'compare', hidden: true, 'aria-label': s('Compare with the original') },
      h(
        'div',
        { class: 'compare-bar' },
        this.cmpTitle,
        h(
          'fieldset',
          { class: 'segmented' },
          h('legend', { class: 'visually-hidden' }, s('Compare mode')),
          this.modeSwipe,
          h('label', { for: 'compare-swipe' }, s('Swipe')),
          this.modeSide,
          h('label', { for: 'compare-side' }, s('Side by side')),
        ),
        this.cmpActions,
        back,
      ),
      this.cmpBody,
    );
    this.resize = new ResizeObserver(() => this.layout());
    this.resize.observe(this.cmpBody);
    this.compare.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        this.close();
      }
    });
    this.updateEmpty();
  }

  get isComparing(): boolean {
    return this.current !== undefined;
  }

  get count(): number {
    return this.entries.size;
  }

  /** The editor started over on a new image: it is the new original. */
  setOriginal(original: { src: string; size: Size; name: string }): void {
    this.original = original;
    this.originalThumb.src = original.src;
    if (this.current) this.render();
  }

  add(results: readonly ResultImage[]): void {
    let n = this.entries.size;
    for (const r of results) {
      if (this.entries.has(r.id)) continue;
      n++;
      const url = URL.createObjectURL(new Blob([r.bytes as Uint8Array<ArrayBuffer>], { type: r.mime }));
      const label = s('Result {0}', n);
      const thumb = h('button', { type: 'button', class: 'thumb', 'aria-label': s('Compare {0} with the original', label), title: s('Compare with the original') }, h('img', { src: url, alt: '' }));
      thumb.addEventListener('click', () => this.open(r.id));
      const status = h('span', { class: 'result-status', 'aria-live': 'polite' });
      const buttons = {
        keep: h('button', { type: 'button', 'aria-label': s('Keep {0}', label) }, s('Keep')),
        discard: h('button', { type: 'button', class: 'secondary', 'aria-label': s('Discard {0}', label) }, s('Discard')),
        useAsInput: h('button', { type: 'button', class: 'secondary', 'aria-label': s('Use {0} as input', label) }, s('Use as input')),
      };
      for (const [k, b] of Object.entries(buttons) as [ResultAction, HTMLButtonElement][]) b.addEventListener('click', () => void this.act(r.id, k));
      const card = h(
        'li',
        { class: 'result', 'data-result-id': r.id },
        thumb,
        h('div', { class: 'result-meta' }, h('span', { class: 'result-label' }, label), h('span', { class: 'result-size' }, r.width && r.height ? `${r.width}×${r.height}` : '')),
        status,
        h('div', { class: 'result-actions' }, buttons.keep, buttons.useAsInput, buttons.discard),
      );
      this.list.append(card);
      this.entries.set(r.id, { result: r, url, card, status, buttons, busy: false });
    }
    this.updateEmpty();
  }

  private updateEmpty(): void {
    this.empty.hidden = this.entries.size > 0;
  }

  private async act(id: string, action: ResultAction): Promise<void> {
    const e = this.entries.get(id);
    if (!e || e.busy) return;
    e.busy = true;
    this.refreshButtons(e);
    e.status.classList.remove('error');
    e.status.textContent = action === 'keep' ? s('Saving…') : action === 'useAsInput' ? s('Opening…') : '';
    try {
      const reply = await this.events.action(id, action);
      if (action === 'discard') {
        this.remove(id);
        return;
      }
      if (action === 'keep' || action === 'useAsInput') {
        if (reply?.path) e.keptPath = reply.path;
        e.status.textContent = e.keptPath ? s('Saved as {0}', e.keptPath) : '';
        e.status.title = e.keptPath ?? '';
        e.card.classList.toggle('kept', !!e.keptPath);
      }
    } catch (err) {
      e.status.textContent = err instanceof Error ? err.message : String(err);
      e.status.classList.add('error');
    } finally {
      e.busy = false;
      this.refreshButtons(e);
      if (this.current === id) this.renderActions();
    }
  }

  private refreshButtons(e: Entry): void {
    e.buttons.keep.disabled = e.busy || !!e.keptPath;
    e.buttons.keep.textContent = e.keptPath ? s('Kept') : s('Keep');
    e.buttons.discard.disabled = e.busy;
    e.buttons.useAsInput.disabled = e.busy;
  }

  private remove(id: string): void {
    const e = this.entries.get(id);
    if (!e) return;
    if (this.current === id) this.close();
    const next = e.card.nextElementSibling ?? e.card.previousElementSibling;
    e.card.remove();
    URL.revokeObjectURL(e.url);
    this.entries.delete(id);
    this.updateEmpty();
    const focusTarget = next?.querySelector('button');
    if (focusTarget instanceof HTMLElement) focusTarget.focus();
  }

  // ---- compare ------------------------------------------------------------------------------

  open(id: string): void {
    if (!this.entries.has(id)) return;
    this.current = id;
    for (const e of this.entries.values()) e.card.classList.toggle('selected', e.result.id === id);
    const r = this.entries.get(id)!.result;
    const sameAspect = r.width > 0 && r.height > 0 && Math.abs(r.width / r.height - this.original.size.width / this.original.size.height) < 0.01;
    if (!sameAspect && this.mode === 'swipe') this.mode = 'side';
    this.modeSwipe.disabled = !sameAspect;
    this.compare.hidden = false;
    this.events.comparing(true);
    this.render();
    this.modeSwipe.checked = this.mode === 'swipe';
    this.modeSide.checked = this.mode === 'side';
    (this.mode === 'swipe' ? this.cmpBody.querySelector('input') : this.modeSide)?.focus();
  }

  close(): void {
    if (this.current === undefined) return;
    const id = this.current;
    this.current = undefined;
    for (const e of this.entries.values()) e.card.classList.remove('selected');
    this.compare.hidden = true;
    this.cmpBody.replaceChildren();
    this.events.comparing(false);
    const thumb = this.entries.get(id)?.card.querySelector<HTMLButtonElement>('button.thumb');
    thumb?.focus();
  }

  private setMode(mode: 'swipe' | 'side'): void {
    this.mode = mode;
    this.onModeChange(mode);
    this.render();
  }

  private renderActions(): void {
    const e = this.current ? this.entries.get(this.current) : undefined;
    if (!e) return;
    const mk = (action: ResultAction, text: string, primary: boolean) => {
      const b = h('button', { type: 'button', class: primary ? undefined : 'secondary' }, text);
      b.disabled = e.busy || (action === 'keep' && !!e.keptPath);
      b.addEventListener('click', () => void this.act(e.result.id, action));
      return b;
    };
    this.cmpActions.replaceChildren(
      mk('keep', e.keptPath ? s('Kept') : s('Keep'), true),
      mk('useAsInput', s('Use as input'), false),
      mk('discard', s('Discard'), false),
    );
  }

  private render(): void {
    const e = this.current ? this.entries.get(this.current) : undefined;
    if (!e) return;
    const label = e.card.querySelector('.result-label')?.textContent ?? '';
    this.cmpTitle.textContent = s('{0} and the original', label);
    this.renderActions();
    if (this.mode === 'swipe') {
      const orig = h('img', { class: 'cmp-original', src: this.original.src, alt: s('Original') });
      const res = h('img', { class: 'cmp-result', src: e.url, alt: label });
      const handle = h('div', { class: 'swipe-handle', 'aria-hidden': 'true' });
      const range = h('input', { type: 'range', min: 0, max: 100, step: 1, value: this.swipe, class: 'swipe-range', 'aria-label': s('Swipe between the original (left) and the result (right)') });
      const frame = h('div', { class: 'swipe-frame' }, orig, res, handle, h('span', { class: 'tag left' }, s('Original')), h('span', { class: 'tag right' }, label));
      const set = (v: number) => {
        this.swipe = Math.max(0, Math.min(100, v));
        res.style.clipPath = `inset(0 0 0 ${this.swipe}%)`;
        handle.style.left = `${this.swipe}%`;
        range.value = String(Math.round(this.swipe));
      };
      range.addEventListener('input', () => set(Number(range.value)));
      let dragging = -1;
      frame.addEventListener('pointerdown', (ev) => {
        dragging = ev.pointerId;
        frame.setPointerCapture(ev.pointerId);
        const r = frame.getBoundingClientRect();
        set(((ev.clientX - r.left) / r.width) * 100);
      });
      frame.addEventListener('pointermove', (ev) => {
        if (ev.pointerId !== dragging) return;
        const r = frame.getBoundingClientRect();
        set(((ev.clientX - r.left) / r.width) * 100);
      });
      const stop = () => (dragging = -1);
      frame.addEventListener('pointerup', stop);
      frame.addEventListener('pointercancel', stop);
      set(this.swipe);
      this.cmpBody.className = 'compare-body swipe';
      this.cmpBody.replaceChildren(frame, range);
    } else {
      this.cmpBody.className = 'compare-body side-by-side';
      this.cmpBody.replaceChildren(
        h('figure', {}, h('img', { src: this.original.src, alt: s('Original') }), h('figcaption', {}, `${s('Original')} · ${this.original.size.width}×${this.original.size.height}`)),
        h('figure', {}, h('img', { src: e.url, alt: label }), h('figcaption', {}, e.result.width ? `${label} · ${e.result.width}×${e.result.height}` : label)),
      );
    }
    this.layout();
  }

  /** Sizes the swipe frame to the original's aspect, as large as the body allows. */
  private layout(): void {
    const frame = this.cmpBody.querySelector<HTMLElement>('.swipe-frame');
    if (!frame) return;
    const avail = { width: this.cmpBody.clientWidth, height: this.cmpBody.clientHeight - 40 };
    const t = fitTransform(this.original.size, avail, 8, 64);
    frame.style.width = `${Math.floor(this.original.size.width * t.scale)}px`;
    frame.style.height = `${Math.floor(this.original.size.height * t.scale)}px`;
  }

  dispose(): void {
    this.resize.disconnect();
    for (const e of this.entries.values()) URL.revokeObjectURL(e.url);
    this.entries.clear();
  }
}
