/**
 * The Studio: a prompt, a model and the options it offers, an estimate of the cost, Generate and
 * Cancel; below, one tile per image that shows its state, its partial images as they stream in,
 * and the saved result with an Open button.
 *
 * UI state (the draft prompt, the options, a half-typed custom size) is kept with setState on
 * every change and sent to the host (debounced) so it survives a restart; the models, recent
 * prompts and the run come from the host.
 */
import { checkCustomSize, COMPLEXITIES, fitStudioOptions, GIF_FRAME_MS, GIF_FRAMES, type SizeProblem } from '../../shared/modelRules';
import { MAX_PROMPT_CHARS, type FromStudio, type StudioDraft, type StudioInitMessage, type StudioModel, type StudioOptions, type StudioRun, type StudioTile } from '../../shared/studioProtocol';
import { detectImageFormat, MIME_TYPES } from '../../shared/imageFormat';
import { costOf, usd } from './options';
import type { WebviewHost } from '../common/bootstrap';
import { fillCountSelect, fillSelect, h, isMac, modKey, selectField } from '../common/dom';
import { s } from '../common/strings';

export interface UiState {
  readonly draft?: StudioDraft;
  /** What is in the custom size box (also when it is not valid yet). */
  readonly customSize?: string;
  /** Whether "Model and options" is expanded. */
  readonly optionsOpen?: boolean;
}

export type Host = WebviewHost<FromStudio, UiState>;

const CUSTOM = '__custom__';


function optionLabel(v: string): string {
  switch (v) {
    case 'auto':
      return s('auto');
    case 'low':
      return s('low');
    case 'medium':
      return s('medium');
    case 'high':
      return s('high');
    case 'standard':
      return s('standard');
    case 'hd':
      return 'HD';
    case 'vivid':
      return s('vivid');
    case 'natural':
      return s('natural');
    case 'transparent':
      return s('transparent');
    case 'opaque':
      return s('opaque');
    default:
      return /^\d+x\d+$/.test(v) ? v.replace('x', '×') : v.toUpperCase();
  }
}

function sizeProblemText(p: SizeProblem): string {
  switch (p.kind) {
    case 'format':
      return s('Write it as width×height, for example 1536x864.');
    case 'min':
      return s('Width and height must each be at least {0}.', p.value);
    case 'multiple':
      return s('Width and height must both be multiples of {0}.', p.value);
    case 'edge':
      return s('The longer side must be at most {0}.', p.value);
    case 'pixels':
      return s('At most {0} pixels (3840×2160).', p.value.toLocaleString());
    case 'ratio':
      return s('The long side may be at most {0} times the short side.', p.value);
  }
}

/** Frame times offered for GIF output, in milliseconds. */
const FRAME_TIMES = [50, 100, 150, 200, 300, 500, 1000, 2000];

/** The MIME type to give a blob, from the image's first bytes. */
function mimeOf(bytes: Uint8Array, fallback: string): string {
  const format = detectImageFormat(bytes);
  return format ? MIME_TYPES[format] : fallback;
}

export class StudioApp {
  readonly element: HTMLElement;
  private models: readonly StudioModel[];
  private opts: StudioOptions;
  private customSize: string;
  private run: StudioRun | undefined;
  private runIdPending = false;
  private readonly urls = new Map<string, string>();
  private saveTimer: number | undefined;
  private readonly priceListDate: string;
  private recentPrompts: readonly string[] = [];
  private wasRunning = false;

  private readonly prompt = h('textarea', { id: 'prompt', rows: 5, spellcheck: true, 'aria-describedby': 'prompt-help prompt-count' });
  private readonly promptCount = h('span', { id: 'prompt-count', class: 'count' });
  private readonly promptProblem = h('p', { id: 'prompt-problem', class: 'problem', role: 'alert', hidden: true });
  private readonly recent = h('select', { id: 'recent' });
  private readonly optionsBox = h('details', { class: 'options' });
  private readonly optionsSummary = h('span', { class: 'summary-value' });
  private readonly model = selectField(s('Model'), 'opt-model');
  private readonly modelNote = h('p', { class: 'hint model-note' });
  private readonly size = selectField(s('Size'), 'opt-size');
  private readonly quality = selectField(s('Quality'), 'opt-quality');
  private readonly n = selectField(s('Images'), 'opt-n');
  private readonly style = selectField(s('Style'), 'opt-style');
  private readonly background = selectField(s('Background'), 'opt-background');
  private readonly format = selectField(s('File format'), 'opt-format');
  private readonly complexity = selectField(s('Complexity'), 'opt-complexity', s('How much the model plans the image, apart from its quality.'));
  private readonly frames = selectField(s('Frames'), 'opt-frames');
  private readonly frameMs = selectField(s('Frame time'), 'opt-frame-ms');
  private readonly previewNote = h('p', { class: 'hint preview-note', hidden: true });
  private readonly custom = h('input', { id: 'custom-size', type: 'text', inputmode: 'numeric', autocomplete: 'off', spellcheck: false, placeholder: '1536x864', 'aria-describedby': 'custom-size-help' });
  private readonly customHelp = h('p', { id: 'custom-size-help', class: 'hint' });
  private readonly customField: HTMLElement;
  private readonly cost = h('p', { id: 'cost', class: 'cost' });
  private readonly costNote = h('p', { id: 'cost-note', class: 'hint' });
  private readonly generate = h('button', { type: 'submit', id: 'generate', class: 'primary' }, s('Generate'));
  private readonly cancel = h('button', { type: 'button', id: 'cancel', class: 'secondary', hidden: true }, s('Cancel'));
  private readonly status = h('p', { id: 'run-status', class: 'status', role: 'status', 'aria-live': 'polite' });
  private readonly tiles = h('ul', { class: 'tiles', 'aria-label': s('Images') });
  private readonly runSection = h('section', { class: 'run', 'aria-label': s('Images') }, this.status, this.tiles);

  constructor(
    private readonly host: Host,
    init: StudioInitMessage,
    mount: HTMLElement,
  ) {
    this.models = init.models;
    this.priceListDate = init.priceListDate;
    const saved = host.getState();
    const draft = saved.draft ?? init.draft;
    const m = this.models.find((x) => x.id === draft.options?.model) ?? this.models[0];
    this.opts = fitStudioOptions(m, draft.options ?? {});
    this.customSize = saved.customSize ?? (this.opts.size && !m.sizes.includes(this.opts.size) ? this.opts.size : '');
    this.prompt.value = draft.prompt;
    this.prompt.placeholder = s('Describe the image to make');

    const shortcut = isMac ? '⌘+Enter' : 'Ctrl+Enter';
    this.recent.setAttribute('aria-label', s('Recent prompts'));
    this.recent.classList.add('recent');
    this.customField = h('div', { class: 'field custom-size' }, h('label', { for: 'custom-size' }, s('Custom size (width×height)')), this.custom, this.customHelp);
    this.optionsBox.open = saved.optionsOpen ?? true;
    this.optionsBox.append(
      h('summary', {}, h('span', { class: 'summary-title' }, s('Model and options')), this.optionsSummary),
      h(
        'div',
        { class: 'options-body' },
        this.model.field,
        this.modelNote,
        h(
          'div',
          { class: 'grid' },
          this.size.field,
          this.customField,
          this.quality.field,
          this.n.field,
          this.style.field,
          this.background.field,
          this.format.field,
          this.complexity.field,
          this.frames.field,
          this.frameMs.field,
        ),
        this.previewNote,
      ),
    );
    const form = h(
      'form',
      { class: 'form', 'aria-label': s('Prompt and options'), novalidate: true },
      h(
        'div',
        { class: 'field' },
        h('div', { class: 'label-row' }, h('label', { for: 'prompt' }, s('Prompt')), this.recent),
        this.prompt,
        h('div', { class: 'below-prompt hint' }, h('span', { id: 'prompt-help' }, s('{0} to generate', shortcut)), this.promptCount),
        this.promptProblem,
      ),
      this.optionsBox,
      h('div', { class: 'estimate' }, this.cost, this.costNote),
      h('div', { class: 'actions' }, this.generate, this.cancel),
    );
    this.element = h('main', { class: 'studio', 'data-phase': 'idle' }, form, this.runSection);
    mount.replaceChildren(this.element);

    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    this.prompt.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && modKey(e)) {
        e.preventDefault();
        this.submit();
      }
    });
    this.prompt.addEventListener('input', () => {
      this.promptProblem.hidden = true;
      this.prompt.removeAttribute('aria-invalid');
      this.renderCount();
      this.changed();
    });
    this.recent.addEventListener('change', () => {
      const i = Number(this.recent.value);
      const text = this.recentPrompts[i];
      if (text !== undefined) {
        this.prompt.value = text;
        this.renderCount();
        this.changed();
        this.prompt.focus();
      }
      this.recent.value = '';
    });
    this.model.select.addEventListener('change', () => {
      const next = this.models.find((x) => x.id === this.model.select.value);
      if (next) this.update({ ...this.opts, model: next.id }, next);
    });
    this.size.select.addEventListener('change', () => {
      const v = this.size.select.value;
      if (v === CUSTOM) {
        this.customField.hidden = false;
        const c = this.customSize.trim();
        this.update({ ...this.opts, size: c && this.current.customSize && !checkCustomSize(c, this.current.customSize) ? c : this.opts.size }, undefined, true);
        this.custom.focus();
      } else {
        this.update({ ...this.opts, size: v });
      }
    });
    this.custom.addEventListener('input', () => {
      this.customSize = this.custom.value;
      const v = this.custom.value.trim().toLowerCase().replace('×', 'x');
      const rule = this.current.customSize;
      if (rule && !checkCustomSize(v, rule)) this.update({ ...this.opts, size: v }, undefined, true);
      else this.renderCustom();
      this.changed();
    });
    const choices = [
      [this.quality, 'quality'],
      [this.style, 'style'],
      [this.background, 'background'],
      [this.format, 'outputFormat'],
      [this.complexity, 'complexity'],
      [this.frames, 'frames'],
      [this.frameMs, 'frameMs'],
    ] as const;
    for (const [f, key] of choices) f.select.addEventListener('change', () => this.update({ ...this.opts, [key]: f.select.value }));
    this.n.select.addEventListener('change', () => this.update({ ...this.opts, n: Number(this.n.select.value) }));
    this.cancel.addEventListener('click', () => {
      if (this.run?.phase === 'running') {
        this.host.post({ type: 'cancel', runId: this.run.runId });
        this.cancel.disabled = true;
        this.status.textContent = s('Cancelling…');
      }
    });
    this.optionsBox.addEventListener('toggle', () => this.persistLocal());
    window.addEventListener('pagehide', () => this.flushDraft());

    this.setRecent(init.recent);
    this.render();
    this.renderCount();
    this.renderRun(init.run);
    this.persistLocal();
  }

  /**
   * "Focus on Studio View" (or clicking the view's title) focuses the page itself; the prompt is
   * what a user came to type in, so it takes the focus when nothing inside the view has it.
   */
  focusPromptIfNothingFocused(): void {
    const active = document.activeElement;
    if (!active || active === document.body || active === document.documentElement) this.prompt.focus();
  }

  dispose(): void {
    this.flushDraft();
    for (const url of this.urls.values()) URL.revokeObjectURL(url);
    this.urls.clear();
  }

  private get current(): StudioModel {
    return this.models.find((x) => x.id === this.opts.model) ?? this.models[0];
  }

  private get customChosen(): boolean {
    return this.opts.size !== undefined && !this.current.sizes.includes(this.opts.size);
  }

  // ---- host messages -------------------------------------------------------------------------

  setRecent(recent: readonly string[]): void {
    this.recentPrompts = recent.slice(0, 20);
    const oneLine = (t: string) => (t.length > 80 ? `${t.slice(0, 79).replace(/\s+/g, ' ')}…` : t.replace(/\s+/g, ' '));
    this.recent.replaceChildren(
      h('option', { value: '' }, s('Recent prompts…')),
      ...this.recentPrompts.map((t, i) => h('option', { value: String(i), title: t }, oneLine(t))),
    );
    this.recent.value = '';
    this.recent.hidden = this.recentPrompts.length === 0;
  }

  onRun(run: StudioRun): void {
    this.runIdPending = false;
    this.renderRun(run);
  }

  onTile(runId: number, tile: StudioTile): void {
    if (!this.run || this.run.runId !== runId || this.run.phase !== 'running') return;
    const tiles = this.run.tiles.map((t) => (t.index === tile.index ? tile : t));
    const firstImage = !this.run.tiles.some((t) => t.partial || t.result) && !!(tile.partial || tile.result);
    this.run = { ...this.run, tiles };
    this.renderTile(tile);
    // The first picture makes the tiles taller: keep them in view.
    if (firstImage) this.runSection.scrollIntoView({ block: 'nearest' });
  }

  onStatus(runId: number, message: string): void {
    if (this.run?.runId === runId && this.run.phase === 'running' && !this.cancel.disabled) this.status.textContent = message;
  }

  // ---- form ----------------------------------------------------------------------------------

  private update(next: Partial<StudioOptions>, model?: StudioModel, keepCustomOpen = false): void {
    const m = model ?? this.models.find((x) => x.id === next.model) ?? this.current;
    this.opts = fitStudioOptions(m, next);
    this.render(keepCustomOpen);
    this.changed();
  }

  /** The prompt or an option changed: keep it here at once, and with the host shortly. */
  private changed(): void {
    this.persistLocal();
    if (this.saveTimer !== undefined) clearTimeout(this.saveTimer);
    this.saveTimer = window.setTimeout(() => this.flushDraft(), 400);
  }

  private draft(): StudioDraft {
    return { prompt: this.prompt.value, options: this.opts };
  }

  private persistLocal(): void {
    this.host.setState({ draft: this.draft(), customSize: this.customSize, optionsOpen: this.optionsBox.open });
  }

  private flushDraft(): void {
    if (this.saveTimer !== undefined) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    this.host.post({ type: 'saveDraft', draft: this.draft() });
  }

  private render(keepCustomOpen = false): void {
    const m = this.current;
    const o = this.opts;
    fillSelect(
      this.model.select,
      this.models.map((x) => ({ value: x.id, label: x.id })),
      m.id,
    );
    this.modelNote.textContent = m.note ?? '';
    this.modelNote.hidden = !m.note;

    const custom = this.customChosen;
    const sizes = m.sizes.map((v) => ({ value: v, label: optionLabel(v) }));
    if (m.customSize) sizes.push({ value: CUSTOM, label: s('Custom…') });
    fillSelect(this.size.select, sizes, custom || (keepCustomOpen && !this.customField.hidden) ? CUSTOM : o.size);
    this.size.field.hidden = sizes.length < 2;
    this.customField.hidden = !m.customSize || this.size.select.value !== CUSTOM;
    if (!this.customField.hidden && custom && document.activeElement !== this.custom) this.custom.value = o.size ?? '';
    else if (document.activeElement !== this.custom) this.custom.value = this.customSize;
    this.renderCustom();

    const show = (f: { field: HTMLElement; select: HTMLSelectElement }, list: readonly string[], value: string | undefined) => {
      fillSelect(
        f.select,
        list.map((v) => ({ value: v, label: optionLabel(v), disabled: f === this.background && v === 'transparent' && o.outputFormat === 'jpeg' })),
        value,
      );
      f.field.hidden = list.length < 2;
    };
    show(this.quality, m.qualities, o.quality);
    show(this.style, m.styles, o.style);
    show(this.background, m.backgrounds, o.background);
    show(this.format, m.outputFormats, o.outputFormat);
    fillSelect(
      this.complexity.select,
      [{ value: '', label: s('default') }, ...COMPLEXITIES.map((v) => ({ value: v, label: optionLabel(v) }))],
      o.complexity ?? '',
    );
    this.complexity.field.hidden = !m.complexity;
    const gif = o.outputFormat === 'gif';
    fillSelect(
      this.frames.select,
      [{ value: '', label: s('default ({0})', GIF_FRAMES.default) }, ...Array.from({ length: GIF_FRAMES.max - GIF_FRAMES.min + 1 }, (_, i) => ({ value: String(GIF_FRAMES.min + i), label: String(GIF_FRAMES.min + i) }))],
      o.frames ?? '',
    );
    fillSelect(
      this.frameMs.select,
      [{ value: '', label: s('default ({0})', `${GIF_FRAME_MS.default} ms`) }, ...FRAME_TIMES.map((v) => ({ value: String(v), label: `${v} ms` }))],
      o.frameMs ?? '',
    );
    this.frames.field.hidden = !gif;
    this.frameMs.field.hidden = !gif;
    const preview = o.outputFormat === 'svg' || gif;
    this.previewNote.hidden = !preview;
    this.previewNote.textContent = preview ? s('{0} output is a preview: your project needs access to it. One image per request, no previews while it is made.', o.outputFormat!.toUpperCase()) : '';
    fillCountSelect(this.n.select, o.n);
    const parts = [m.id, o.size === 'auto' ? s('auto size') : optionLabel(o.size ?? ''), o.quality && m.qualities.length > 1 ? optionLabel(o.quality) : '', o.style && m.styles.length > 1 ? optionLabel(o.style) : '', `× ${o.n}`];
    this.optionsSummary.textContent = parts.filter(Boolean).join(' · ');
    this.renderCost();
    this.renderCount();
  }

  private renderCustom(): void {
    const rule = this.current.customSize;
    if (!rule || this.customField.hidden) {
      this.custom.removeAttribute('aria-invalid');
      return;
    }
    const v = this.custom.value.trim().toLowerCase().replace('×', 'x');
    const problem = v ? checkCustomSize(v, rule) : undefined;
    this.custom.toggleAttribute('aria-invalid', !!problem);
    if (problem) this.custom.setAttribute('aria-invalid', 'true');
    this.customHelp.classList.toggle('problem', !!problem);
    this.customHelp.textContent = problem
      ? sizeProblemText(problem)
      : v
        ? s('{0} × {1}: fine.', ...v.split('x'))
        : s('Multiples of {0}, up to {1}:1, at most 3840×2160.', rule.multiple, rule.maxRatio);
  }

  private renderCost(): void {
    const m = this.current;
    const c = costOf(m, this.opts);
    this.costNote.hidden = false;
    switch (c.kind) {
      case 'per-image': {
        const total = c.min === c.max ? usd(c.min) : `${usd(c.min)}–${usd(c.max)}`;
        const each = c.minEach === c.maxEach ? usd(c.minEach) : `${usd(c.minEach)}–${usd(c.maxEach)}`;
        this.cost.textContent = s('Estimated cost: {0} ({1} per image)', total, each);
        this.costNote.textContent = s('An estimate from the price list of {0}; your provider may charge differently.', this.priceListDate);
        break;
      }
      case 'tokens':
        this.cost.textContent =
          c.imageOutputPerMillion !== undefined
            ? s('{0} is billed by tokens (image output {1} per 1M tokens): no estimate, since the tokens per image are not published.', m.id, usd(c.imageOutputPerMillion))
            : s('{0} is billed by tokens: no fixed estimate.', m.id);
        this.costNote.textContent = s('Price list of {0}.', this.priceListDate);
        break;
      case 'unpublished':
        this.cost.textContent = s('No published price for {0}: no estimate.', m.id);
        this.costNote.textContent = s('Price list of {0}.', this.priceListDate);
        break;
      default:
        this.cost.textContent = s('No price is known for {0}.', m.id);
        this.costNote.hidden = true;
    }
  }

  private renderCount(): void {
    const max = this.current.maxPromptChars;
    const len = [...this.prompt.value].length;
    this.promptCount.textContent = `${len.toLocaleString()} / ${max.toLocaleString()}`;
    this.promptCount.classList.toggle('over', len > max);
  }

  /** What keeps the form from running, said next to the field; undefined when it can run. */
  private problem(): { field: HTMLElement; text: string } | undefined {
    const text = this.prompt.value.trim();
    if (!text) return { field: this.prompt, text: s('Describe the image first.') };
    const len = [...this.prompt.value].length;
    const m = this.current;
    if (len > m.maxPromptChars || len > MAX_PROMPT_CHARS) return { field: this.prompt, text: s('{0} accepts at most {1} characters; this prompt has {2}.', m.id, m.maxPromptChars, len) };
    if (!this.customField.hidden && m.customSize) {
      const v = this.custom.value.trim().toLowerCase().replace('×', 'x');
      const p = checkCustomSize(v, m.customSize);
      if (p) return { field: this.custom, text: sizeProblemText(p) };
    }
    return undefined;
  }

  private submit(): void {
    if (this.run?.phase === 'running' || this.runIdPending) return;
    const p = this.problem();
    if (p) {
      if (p.field === this.prompt) {
        this.promptProblem.textContent = p.text;
        this.promptProblem.hidden = false;
        this.prompt.setAttribute('aria-invalid', 'true');
      } else {
        this.renderCustom();
      }
      p.field.focus();
      return;
    }
    this.runIdPending = true;
    this.generate.disabled = true;
    this.status.textContent = s('Starting…');
    this.flushDraft();
    this.host.post({ type: 'generate', prompt: this.prompt.value.trim(), options: this.opts });
  }

  // ---- the run -------------------------------------------------------------------------------

  private renderRun(run: StudioRun | undefined): void {
    this.run = run;
    const phase = run?.phase ?? 'idle';
    this.element.dataset.phase = phase;
    const running = phase === 'running';
    this.generate.disabled = running || this.runIdPending;
    this.cancel.hidden = !running;
    this.cancel.disabled = false;
    for (const el of Array.from(this.element.querySelectorAll<HTMLSelectElement | HTMLInputElement>('.form select, .form input'))) el.disabled = running;
    if (!run) {
      this.status.textContent = '';
      this.tiles.replaceChildren();
      return;
    }
    const keep = new Set(run.tiles.flatMap((t) => [`p${run.runId}-${t.index}`, `r${run.runId}-${t.index}`]));
    for (const [k, url] of this.urls) {
      if (!keep.has(k)) {
        URL.revokeObjectURL(url);
        this.urls.delete(k);
      }
    }
    const fresh = this.tiles.dataset.runId !== String(run.runId);
    if (fresh) {
      this.tiles.dataset.runId = String(run.runId);
      this.tiles.replaceChildren();
    }
    this.tiles.classList.toggle('single', run.tiles.length === 1);
    // A cancelled run leaves nothing, so it shows nothing but the status line.
    if (phase === 'cancelled') this.tiles.replaceChildren();
    else for (const t of run.tiles) this.renderTile(t);
    const saved = run.tiles.filter((t) => t.state === 'saved').length;
    switch (phase) {
      case 'running':
        this.status.textContent = run.message ?? s('Starting…');
        break;
      case 'cancelled':
        this.status.textContent = s('Cancelled: nothing was saved.');
        break;
      case 'failed':
        this.status.textContent = run.error ?? s('Nothing was made.');
        break;
      case 'done':
        this.status.textContent =
          (saved === 1 ? s('1 image saved.') : s('{0} images saved.', saved)) + (run.error ? ` ${s('Some failed: {0}', run.error)}` : '') + (run.cost ? ` ${run.cost}` : '') + (run.notice ? ` ${run.notice}` : '');
        break;
    }
    this.status.classList.toggle('error', phase === 'failed');
    // A new run, or its end: bring the images into view (the sidebar is often short).
    if ((fresh && running) || (!running && phase !== 'idle' && this.wasRunning)) this.runSection.scrollIntoView({ block: 'nearest' });
    this.wasRunning = running;
  }

  private url(key: string, bytes: Uint8Array, mime: string): string {
    const old = this.urls.get(key);
    if (old) URL.revokeObjectURL(old);
    const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mimeOf(bytes, mime) }));
    this.urls.set(key, url);
    return url;
  }

  private renderTile(t: StudioTile): void {
    const run = this.run!;
    const id = `tile-${run.runId}-${t.index}`;
    let li = this.tiles.querySelector<HTMLLIElement>(`#${id}`);
    if (!li) {
      li = h('li', { id, class: 'tile' });
      const after = Array.from(this.tiles.children).find((c) => Number((c as HTMLElement).dataset.index) > t.index);
      this.tiles.insertBefore(li, after ?? null);
    }
    li.dataset.index = String(t.index);
    li.dataset.state = t.state;
    li.dataset.partials = String(t.partials ?? 0);
    const label = run.tiles.length > 1 ? s('Image {0}', t.index + 1) : s('Image');
    const frame = h('div', { class: 'frame' });
    if (t.result) {
      const img = h('img', { class: 'result', alt: s('{0}: {1}', label, run.prompt), src: this.url(`r${run.runId}-${t.index}`, t.result.bytes, t.result.mime) });
      const open = h('button', { type: 'button', class: 'thumb', title: t.result.path, 'aria-label': s('Open {0}', t.result.path) }, img);
      open.addEventListener('click', () => this.host.post({ type: 'open', resultId: t.result!.id }));
      frame.append(open);
    } else if (t.partial) {
      frame.append(h('img', { class: 'partial', alt: s('{0}, preview {1}', label, t.partial.partialIndex + 1), src: this.url(`p${run.runId}-${t.index}`, t.partial.bytes, t.partial.mime) }));
    } else {
      frame.append(h('div', { class: 'placeholder', 'aria-hidden': 'true' }, run.phase === 'running' && t.state !== 'failed' ? h('span', { class: 'spinner' }) : ''));
    }
    const caption = h('div', { class: 'caption' }, h('span', { class: 'label' }, label));
    if (t.result) {
      const open = h('button', { type: 'button', class: 'link open', 'aria-label': s('Open {0}', t.result.path), title: t.result.path }, s('Open'));
      open.addEventListener('click', () => this.host.post({ type: 'open', resultId: t.result!.id }));
      caption.append(open);
    }
    li.replaceChildren(frame, caption);
    // The saved state needs no words: the thumbnail and Open say it (and the status line counts them).
    if (t.state !== 'saved') li.append(h('p', { class: 'state' }, this.stateText(t, run)));
    if (t.state === 'failed' && t.error) li.append(h('p', { class: 'tile-error' }, t.error));
  }

  private stateText(t: StudioTile, run: StudioRun): string {
    switch (t.state) {
      case 'queued':
        return s('Queued');
      case 'requesting':
        if (run.phase === 'cancelled') return s('Cancelled');
        if (t.partial) return s('Preview {0}', t.partial.partialIndex + 1);
        return run.streaming ? s('Drawing…') : s('Working… (no previews from this model)');
      case 'waiting':
        return run.phase === 'cancelled' ? s('Cancelled') : s('Waiting to try again…');
      case 'received':
        return run.phase === 'cancelled' ? s('Cancelled') : s('Saving…');
      case 'saved':
        return s('Saved');
      case 'failed':
        return s('Failed');
    }
  }
}
