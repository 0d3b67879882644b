/**
 * The mask editor's UI: the toolbar, the paint view, the prompt and options, the run, the
 * results. Built from an init message; talks to the host through `post` and typed replies.
 */
import { coverageLabel, defaultBrushFor, defaultGuideWidthFor, GUIDE_TOOLS, MIN_BRUSH, maxBrushFor, nextZoomStep, stepBrush, zoomLabel, type GuideTool, type ViewTransform } from '../../shared/maskGeometry';
import type { EditOptions, FromMaskEditor, InitMessage, ProgressMessage, ReplaceImageMessage, ReplyMessage, RunFinishedMessage } from '../../shared/editProtocol';
import { guideChoice, type ModelInfo } from '../../shared/modelRules';
import type { WebviewHost } from '../common/bootstrap';
import { h, icon, isMac, isTextEntry, modKey } from './dom';
import { OptionsForm } from './options';
import { PaintView, type Layer, type Tool } from './paintView';
import { Results, type ResultAction } from './results';
import { s } from '../common/strings';

/** What the webview keeps across reloads (vscode.setState): UI state only, never data. */
export interface UiState {
  readonly brushSize?: number;
  readonly tool?: Tool;
  readonly overlay?: boolean;
  readonly prompt?: string;
  /** The zoom and pan, for the image they were set on. */
  readonly view?: { readonly image: string; readonly scale: number; readonly x: number; readonly y: number };
  readonly compare?: 'swipe' | 'side';
  /** The layer drawn on (and sent): the mask, or the guide (GPT Image 2.5 markup). */
  readonly layer?: Layer;
  readonly guideTool?: GuideTool;
  readonly guideColour?: string;
  readonly guideSize?: number;
}

/** The guide's colours: strong, and far apart on most pictures. */
const GUIDE_COLOURS = ['#ff3b30', '#ffd60a', '#30d158', '#0a84ff', '#ffffff', '#000000'] as const;

export type Host = WebviewHost<FromMaskEditor, UiState, ReplyMessage>;

type Image = InitMessage['image'];

export class MaskEditorApp {
  private readonly root: HTMLElement;
  private readonly operation: 'edit' | 'variation';
  private image: Image;
  private references: string[];
  private paint!: PaintView;
  private readonly results: Results;
  private readonly form: OptionsForm;
  private state: UiState;
  private runSeq = 0;
  private running: { id: number; cancelling: boolean } | undefined;

  // controls
  private readonly title = h('h1', { class: 'title' });
  private readonly dims = h('p', { class: 'dims' });
  private readonly canvasArea = h('div', { class: 'canvas-area' });
  private readonly toolButtons: Record<Tool, HTMLButtonElement>;
  private readonly layerButtons: Record<Layer, HTMLButtonElement>;
  private readonly layerGroup: HTMLElement;
  private readonly maskTools: HTMLElement[];
  private readonly guideTools: HTMLElement[];
  private readonly guideToolButtons: Record<GuideTool, HTMLButtonElement>;
  private readonly colourButtons: HTMLButtonElement[];
  /** Says what the chosen model takes (the mask or the guide) and offers to switch. */
  private readonly layerNote = h('p', { class: 'hint layer-note', role: 'status', id: 'layer-note' });
  private readonly layerNoteText = h('span', {});
  private readonly switchModelBtn: HTMLButtonElement;
  private readonly switchLayerBtn: HTMLButtonElement;
  private layer: Layer = 'mask';
  private readonly sizeRange: HTMLInputElement;
  private readonly sizeOut: HTMLOutputElement;
  private readonly undoBtn: HTMLButtonElement;
  private readonly redoBtn: HTMLButtonElement;
  private readonly invertBtn: HTMLButtonElement;
  private readonly clearBtn: HTMLButtonElement;
  private readonly overlayBtn: HTMLButtonElement;
  private readonly zoomOut: HTMLButtonElement;
  private readonly zoomIn: HTMLButtonElement;
  private readonly zoomText: HTMLOutputElement;
  private readonly fitBtn: HTMLButtonElement;
  private readonly coverage = h('p', { class: 'coverage hint' });
  private readonly prompt: HTMLTextAreaElement;
  private readonly promptCount = h('span', { class: 'count', id: 'prompt-count' });
  private readonly promptLabel: HTMLLabelElement;
  private readonly promptHint: HTMLElement;
  private readonly promptError = h('p', { class: 'field-error', id: 'prompt-error', hidden: true });
  private readonly refsSection: HTMLElement;
  private readonly refsList = h('ul', { class: 'refs', role: 'list' });
  /** Says when the model takes fewer reference images than are listed (the rest are not sent). */
  private readonly refsNote = h('p', { class: 'hint refs-note', role: 'status' });
  private readonly addRefBtn: HTMLButtonElement;
  private readonly runBtn: HTMLButtonElement;
  private readonly cancelBtn: HTMLButtonElement;
  private readonly progress = h('progress', { class: 'bar', hidden: true });
  private readonly progressText = h('span', { class: 'progress-text' });
  private readonly errorBox = h('p', { class: 'error', role: 'alert', hidden: true });
  private overlayVisible = true;
  private readonly disposers: (() => void)[] = [];

  constructor(
    private readonly host: Host,
    init: InitMessage,
    mount: HTMLElement,
  ) {
    this.operation = init.operation;
    this.image = init.image;
    this.references = [...init.references];
    this.state = host.getState() ?? {};
    const edit = this.operation === 'edit';

    // ---- toolbar -------------------------------------------------------------------------
    const onClick = <B extends HTMLElement>(b: B, run: () => void): B => {
      b.addEventListener('click', (e) => {
        run();
        // after a mouse click, give the keys back to the canvas (Space must not press the button again)
        if (e.detail > 0) this.paint.element.focus({ preventScroll: true });
      });
      return b;
    };
    const iconButton = (name: string, label: string, shortcut: string | undefined, run: () => void, extra: { keys?: string } = {}) =>
      onClick(h('button', { type: 'button', class: 'icon-button', 'aria-label': label, title: shortcut ? `${label} (${shortcut})` : label, 'aria-keyshortcuts': extra.keys }, icon(name)), run);
    const mod = isMac ? '⌘' : 'Ctrl+';
    this.toolButtons = {
      brush: iconButton('brush', s('Brush'), 'B', () => this.setTool('brush'), { keys: 'B' }),
      eraser: iconButton('eraser', s('Eraser'), 'E', () => this.setTool('eraser'), { keys: 'E' }),
    };
    const textButton = (label: string, run: () => void, attrs: Record<string, string> = {}) => onClick(h('button', { type: 'button', class: 'text-toggle', ...attrs }, label), run);
    this.layerButtons = {
      mask: textButton(s('Mask'), () => this.setLayer('mask'), { title: `${s('Paint where to edit')} (G)` }),
      guide: textButton(s('Guide'), () => this.setLayer('guide'), { title: `${s('Draw arrows, outlines and marks that guide the edit')} (G)` }),
    };
    this.layerGroup = h('div', { class: 'group layers', role: 'group', 'aria-label': s('Layer') }, this.layerButtons.mask, this.layerButtons.guide);
    this.guideToolButtons = {
      pen: iconButton('pen', s('Pen'), 'P', () => this.setGuideTool('pen'), { keys: 'P' }),
      arrow: iconButton('arrow', s('Arrow'), 'A', () => this.setGuideTool('arrow'), { keys: 'A' }),
      box: iconButton('box', s('Box'), 'R', () => this.setGuideTool('box'), { keys: 'R' }),
      ellipse: iconButton('ellipse', s('Ellipse'), 'O', () => this.setGuideTool('ellipse'), { keys: 'O' }),
      eraser: iconButton('eraser', s('Eraser'), 'E', () => this.setGuideTool('eraser'), { keys: 'E' }),
    };
    const colourNames = [s('Red'), s('Yellow'), s('Green'), s('Blue'), s('White'), s('Black')];
    this.colourButtons = GUIDE_COLOURS.map((css, i) => {
      const b = h('button', { type: 'button', class: 'swatch', 'aria-label': colourNames[i], title: colourNames[i], 'data-colour': css }, h('span', { class: 'swatch-colour' }));
      (b.firstChild as HTMLElement).style.background = css;
      b.addEventListener('click', (e) => {
        this.setGuideColour(css);
        if (e.detail > 0) this.paint.element.focus({ preventScroll: true });
      });
      return b;
    });
    const maxBrush = maxBrushFor(this.image);
    this.sizeRange = h('input', { type: 'range', id: 'brush-size', min: MIN_BRUSH, max: maxBrush, step: 1, 'aria-keyshortcuts': '[ ]' });
    this.sizeOut = h('output', { for: 'brush-size', class: 'size-out' });
    this.sizeRange.addEventListener('input', () => this.setBrushSize(Number(this.sizeRange.value)));
    this.undoBtn = iconButton('undo', s('Undo'), `${mod}Z`, () => this.undo(), { keys: isMac ? 'Meta+Z' : 'Control+Z' });
    this.redoBtn = iconButton('redo', s('Redo'), isMac ? '⇧⌘Z' : 'Ctrl+Shift+Z, Ctrl+Y', () => this.redo(), { keys: isMac ? 'Meta+Shift+Z' : 'Control+Shift+Z Control+Y' });
    this.invertBtn = iconButton('invert', s('Invert mask'), 'I', () => this.invert(), { keys: 'I' });
    this.clearBtn = iconButton('clear', s('Clear mask'), undefined, () => this.clear());
    this.switchModelBtn = h('button', { type: 'button', class: 'secondary small' });
    this.switchModelBtn.addEventListener('click', () => {
      const to = this.switchModelBtn.dataset.model;
      if (to) this.form.selectModel(to);
    });
    this.switchLayerBtn = h('button', { type: 'button', class: 'secondary small' });
    this.switchLayerBtn.addEventListener('click', () => this.setLayer(this.layer === 'guide' ? 'mask' : 'guide'));
    this.layerNote.append(this.layerNoteText, this.switchModelBtn, this.switchLayerBtn);
    this.overlayBtn = iconButton('eye', s('Show mask'), 'H', () => this.setOverlay(!this.overlayVisible), { keys: 'H' });
    this.zoomOut = iconButton('zoomOut', s('Zoom out'), '-', () => this.paint.zoomToScale(nextZoomStep(this.paint.view.scale, -1)), { keys: '-' });
    this.zoomIn = iconButton('zoomIn', s('Zoom in'), '+', () => this.paint.zoomToScale(nextZoomStep(this.paint.view.scale, 1)), { keys: '+' });
    this.zoomText = h('output', { class: 'zoom-out', 'aria-label': s('Zoom level') });
    this.fitBtn = iconButton('fit', s('Fit to view'), '0', () => this.paint.fit(), { keys: '0' });
    const shortcuts: [string, string][] = [
      ...(edit
        ? ([
            ['B / E', s('Brush / eraser')],
            ['X', s('Swap brush and eraser')],
            ['[ / ]', s('Smaller / larger brush')],
            [`${mod}Z`, s('Undo')],
            [isMac ? '⇧⌘Z' : 'Ctrl+Shift+Z, Ctrl+Y', s('Redo')],
            ['I', s('Invert mask')],
            ['H', s('Show or hide the mask')],
            ['G', s('Mask / guide layer')],
            ['P / A / R / O', s('Guide: pen, arrow, box, ellipse')],
          ] as [string, string][])
        : []),
      [s('Wheel, + / -'), s('Zoom')],
      [s('Space+drag, middle drag'), s('Pan')],
      [s('Arrow keys'), s('Pan')],
      ['0', s('Fit to view')],
      ['1', s('Actual size (100%)')],
      [`${mod}Enter`, edit ? s('Edit') : s('Create variations')],
    ];
    const helpTip = h(
      'div',
      { class: 'tooltip', role: 'tooltip', id: 'shortcuts' },
      h('p', { class: 'tooltip-title' }, s('Keyboard and mouse')),
      h('dl', {}, ...shortcuts.flatMap(([k, v]) => [h('dt', {}, h('kbd', {}, k)), h('dd', {}, v)])),
    );
    const helpBtn = h('button', { type: 'button', class: 'icon-button', 'aria-label': s('Keyboard shortcuts'), 'aria-describedby': 'shortcuts', 'aria-expanded': 'false' }, icon('help'));
    const help = h('div', { class: 'help' }, helpBtn, helpTip);
    helpBtn.addEventListener('click', () => {
      const open = !help.classList.contains('open');
      help.classList.toggle('open', open);
      helpBtn.setAttribute('aria-expanded', String(open));
    });
    help.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && help.classList.contains('open')) {
        help.classList.remove('open');
        helpBtn.setAttribute('aria-expanded', 'false');
        e.stopPropagation();
      }
    });
    const sep = () => h('span', { class: 'sep', role: 'separator', 'aria-orientation': 'vertical' });
    this.maskTools = [h('div', { class: 'group', role: 'group', 'aria-label': s('Tool') }, this.toolButtons.brush, this.toolButtons.eraser)];
    this.guideTools = [
      h('div', { class: 'group', role: 'group', 'aria-label': s('Guide tools') }, ...GUIDE_TOOLS.map((t) => this.guideToolButtons[t])),
      h('div', { class: 'group swatches', role: 'group', 'aria-label': s('Colour') }, ...this.colourButtons),
    ];
    const toolbar = h(
      'div',
      { class: 'toolbar', role: 'toolbar', 'aria-label': edit ? s('Mask tools') : s('View') },
      ...(edit
        ? [
            this.layerGroup,
            ...this.maskTools,
            ...this.guideTools,
            h('label', { class: 'size', for: 'brush-size', title: `${s('Brush size')} ([ ])` }, h('span', {}, s('Size')), this.sizeRange, this.sizeOut),
            sep(),
            this.undoBtn,
            this.redoBtn,
            sep(),
            this.invertBtn,
            this.clearBtn,
            this.overlayBtn,
            sep(),
          ]
        : []),
      this.zoomOut,
      this.zoomText,
      this.zoomIn,
      this.fitBtn,
      h('span', { class: 'spacer' }),
      help,
    );

    // ---- results ------------------------------------------------------------------------
    this.results = new Results(
      { src: this.image.src, size: this.image, name: this.image.name },
      {
        action: (id, action) => this.resultAction(id, action),
        comparing: (on) => {
          this.paint.element.hidden = on;
          toolbar.classList.toggle('dimmed', on);
        },
      },
      this.state.compare,
      (mode) => this.saveState({ compare: mode }),
    );

    // ---- side panel ----------------------------------------------------------------------
    this.prompt = h('textarea', {
      id: 'prompt',
      rows: 6,
      spellcheck: 'true',
      'aria-describedby': 'prompt-hint prompt-count prompt-error',
      'aria-keyshortcuts': isMac ? 'Meta+Enter' : 'Control+Enter',
    });
    this.prompt.value = this.state.prompt ?? init.prompt;
    this.promptLabel = h('label', { for: 'prompt', class: 'prompt-label' }, edit ? s('Describe the whole new picture') : s('Guidance (optional)'));
    this.promptHint = h('p', { class: 'hint', id: 'prompt-hint' }, edit ? s('Paint over what should change, then describe the entire image as it should look, not only the painted part.') : s('Variations keep the subject and style; add words to steer them.'));
    this.prompt.addEventListener('input', () => {
      this.saveState({ prompt: this.prompt.value });
      this.updatePromptCount();
      this.promptError.hidden = true;
      this.prompt.removeAttribute('aria-invalid');
    });

    this.form = new OptionsForm(init.models, init.options, this.operation, {
      changed: (_o, m) => this.onModelChange(m),
    });

    this.addRefBtn = h('button', { type: 'button', class: 'secondary' }, icon('add'), s('Add reference image…'));
    this.addRefBtn.addEventListener('click', () => void this.addReference());
    this.refsSection = h(
      'section',
      { class: 'references', 'aria-labelledby': 'refs-title' },
      h('h2', { id: 'refs-title' }, s('Reference images')),
      h('p', { class: 'hint' }, s('Other images the model may draw from (people, products, styles).')),
      this.refsList,
      this.refsNote,
      this.addRefBtn,
    );

    this.runBtn = h('button', { type: 'button', class: 'primary run', title: `${edit ? s('Edit') : s('Create variations')} (${mod}Enter)` }, edit ? s('Edit') : s('Create variations'));
    this.runBtn.addEventListener('click', () => void this.run());
    this.cancelBtn = h('button', { type: 'button', class: 'secondary', disabled: true }, s('Cancel'));
    this.cancelBtn.addEventListener('click', () => this.cancel());

    const side = h(
      'aside',
      { class: 'side', 'aria-label': s('Prompt and options') },
      h('header', {}, this.title, this.dims),
      h('div', { class: 'field prompt-field' }, this.promptLabel, this.promptHint, this.prompt, h('div', { class: 'prompt-foot' }, this.promptCount, h('span', { class: 'hint' }, s('{0} to run', `${mod}Enter`))), this.promptError),
      this.form.element,
      this.refsSection,
      edit ? this.coverage : null,
      edit ? this.layerNote : null,
      h('div', { class: 'actions' }, this.runBtn, this.cancelBtn),
      h('div', { class: 'status', role: 'status', 'aria-live': 'polite' }, this.progress, this.progressText),
      this.errorBox,
    );

    this.root = h(
      'div',
      { class: `app ${this.operation}` },
      h('main', { class: 'work' }, toolbar, this.canvasArea, this.results.strip),
      side,
    );
    this.canvasArea.append(this.results.compare);
    mount.replaceChildren(this.root);

    this.buildPaint();
    this.renderReferences();
    this.onModelChange(this.form.current);
    this.updatePromptCount();
    this.listenKeys();
    this.watchTheme();
  }

  dispose(): void {
    for (const d of this.disposers.splice(0)) d();
    this.paint.dispose();
    this.results.dispose();
    this.host.cancelRequests();
  }

  // ---- the paint view ----------------------------------------------------------------------

  private buildPaint(): void {
    const edit = this.operation === 'edit';
    const old = this.paint;
    this.paint = new PaintView(
      this.image,
      this.image.src,
      {
        paintable: edit,
        label: edit ? s('{0}: paint over the area to change', this.image.name) : this.image.name,
        describedBy: 'shortcuts',
      },
      {
        onMaskChange: () => this.updateMaskControls(),
        onViewChange: (t, fitted) => this.onViewChange(t, fitted),
        onStrokeStart: () => {
          if (!this.overlayVisible && this.layer === 'mask') this.setOverlay(true);
        },
      },
    );
    this.paint.mask.canvas.setAttribute('aria-label', edit ? s('Mask over {0}', this.image.name) : this.image.name);
    if (old) old.dispose();
    this.canvasArea.prepend(this.paint.element);
    this.paint.image.addEventListener('error', () => this.showError(s('The image could not be shown.')));

    const maxBrush = maxBrushFor(this.image);
    this.sizeRange.max = String(maxBrush);
    const size = this.state.brushSize && this.state.brushSize >= MIN_BRUSH ? Math.min(this.state.brushSize, maxBrush) : defaultBrushFor(this.image);
    this.setBrushSize(size, false);
    this.setTool(this.state.tool === 'eraser' ? 'eraser' : 'brush', false);
    this.setOverlay(this.state.overlay !== false, false);
    this.paint.mask.setColour(this.tint());
    if (edit) {
      this.setGuideTool(this.state.guideTool && GUIDE_TOOLS.includes(this.state.guideTool) ? this.state.guideTool : 'pen', false);
      this.setGuideColour(GUIDE_COLOURS.find((c) => c === this.state.guideColour) ?? GUIDE_COLOURS[0], false);
      this.setLayer(this.state.layer === 'guide' && this.guideOffered() ? 'guide' : 'mask', false);
    }
    this.title.textContent = this.operation === 'edit' ? s('Edit: {0}', this.image.name) : s('Variations: {0}', this.image.name);
    this.dims.textContent = `${this.image.width} × ${this.image.height} px${this.image.hasAlpha ? ` · ${s('has transparency')}` : ''}`;
    this.updateSquareGuide();
    this.updateMaskControls();
    // the first layout: restore the saved view for this image, else fit
    requestAnimationFrame(() => {
      const v = this.state.view;
      if (v && v.image === this.image.src && v.scale > 0) this.paint.restore({ scale: v.scale, x: v.x, y: v.y });
      else this.paint.fit();
    });
  }

  private tint(): string {
    const probe = h('span', { class: 'tint-probe' });
    document.body.append(probe);
    const c = getComputedStyle(probe).color;
    probe.remove();
    return c || 'rgb(229, 20, 0)';
  }

  /** Themes change live: recolour what is painted. */
  private watchTheme(): void {
    const obs = new MutationObserver(() => this.paint.mask.setColour(this.tint()));
    obs.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-id'] });
    obs.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
    this.disposers.push(() => obs.disconnect());
  }

  private onViewChange(t: ViewTransform, fitted: boolean): void {
    this.zoomText.value = zoomLabel(t.scale);
    this.zoomText.textContent = zoomLabel(t.scale);
    this.fitBtn.setAttribute('aria-pressed', String(fitted));
    this.saveState({ view: fitted ? undefined : { image: this.image.src, scale: t.scale, x: t.x, y: t.y } });
  }

  private setTool(tool: Tool, save = true): void {
    this.paint.setTool(tool);
    for (const [k, b] of Object.entries(this.toolButtons)) b.setAttribute('aria-pressed', String(k === tool));
    if (save) this.saveState({ tool });
  }

  private setBrushSize(px: number, save = true): void {
    const v = Math.max(MIN_BRUSH, Math.min(Number(this.sizeRange.max), Math.round(px)));
    this.paint.setBrushSize(v);
    this.sizeRange.value = String(v);
    this.sizeOut.value = `${v} px`;
    this.sizeOut.textContent = `${v} px`;
    this.sizeRange.setAttribute('aria-valuetext', s('{0} pixels', v));
    if (save) this.saveState(this.layer === 'guide' ? { guideSize: v } : { brushSize: v });
  }

  // ---- the guide layer ---------------------------------------------------------------------

  /** Whether any model offered takes a guide (else the editor shows the mask only). */
  private guideOffered(): boolean {
    return this.form.models.some((m) => m.markup);
  }

  /** Draws on (and sends) the mask or the guide; the size slider follows the layer. */
  private setLayer(layer: Layer, save = true): void {
    if (this.operation !== 'edit') return;
    if (layer === 'guide' && !this.guideOffered()) layer = 'mask';
    this.layer = layer;
    this.paint.setLayer(layer);
    if (layer === 'guide') this.paint.guide.canvas.setAttribute('aria-label', s('Guide over {0}', this.image.name));
    for (const [k, b] of Object.entries(this.layerButtons)) b.setAttribute('aria-pressed', String(k === layer));
    for (const el of this.maskTools) el.hidden = layer !== 'mask';
    for (const el of this.guideTools) el.hidden = layer !== 'guide';
    this.invertBtn.hidden = layer !== 'mask';
    this.overlayBtn.hidden = layer !== 'mask';
    this.clearBtn.setAttribute('aria-label', layer === 'guide' ? s('Clear guide') : s('Clear mask'));
    this.clearBtn.title = this.clearBtn.getAttribute('aria-label')!;
    const saved = layer === 'guide' ? this.state.guideSize : this.state.brushSize;
    const size = saved && saved >= MIN_BRUSH ? Math.min(saved, Number(this.sizeRange.max)) : layer === 'guide' ? defaultGuideWidthFor(this.image) : defaultBrushFor(this.image);
    this.setBrushSize(size, false);
    this.root.dataset.layer = layer;
    // A guided edit may change the whole picture: nothing is pasted back.
    this.form.setGuided(layer === 'guide');
    if (save) this.saveState({ layer });
    this.updateMaskControls();
    this.onModelChange(this.form.current);
  }

  /** The layer's drawing tool (brush or guide pen), or its eraser: what B, E and X pick on either layer. */
  private pickPen(erase: boolean): void {
    if (this.layer === 'guide') this.setGuideTool(erase ? 'eraser' : 'pen');
    else this.setTool(erase ? 'eraser' : 'brush');
  }

  private setGuideTool(tool: GuideTool, save = true): void {
    this.paint.setGuideTool(tool);
    for (const [k, b] of Object.entries(this.guideToolButtons)) b.setAttribute('aria-pressed', String(k === tool));
    if (save) this.saveState({ guideTool: tool });
  }

  private setGuideColour(css: string, save = true): void {
    this.paint.setGuideColour(css);
    for (const b of this.colourButtons) b.setAttribute('aria-pressed', String(b.dataset.colour === css));
    if (save) this.saveState({ guideColour: css });
  }

  /** What the chosen model takes, which layer is sent, and the switch it needs. */
  private updateLayerNote(): void {
    if (this.operation !== 'edit' || !this.paint) return;
    const offered = this.guideOffered();
    this.layerGroup.hidden = !offered;
    const m = this.form.current;
    const choice = guideChoice(this.form.models, m, this.layer);
    let text = '';
    let switchModel: string | undefined;
    let switchLayer: string | undefined;
    if (choice.sends === 'nothing') {
      text = s('{0} takes a mask, not a guide: guides are for GPT Image 2.5 models.', m.id);
      switchModel = choice.switchTo;
      switchLayer = s('Use the mask');
    } else if (choice.sends === 'guide') {
      text = this.paint.mask.isEmpty ? s('{0} takes the guide instead of a mask: only the guide is sent.', m.id) : s('Only the guide is sent; the painted mask is kept for later.');
    } else if (m.markup && offered) {
      text = this.paint.hasGuide ? s('Only the mask is sent; the guide is kept for later.') : s('{0} also takes a guide: arrows, outlines and marks drawn over the image.', m.id);
      switchLayer = s('Draw a guide');
    }
    this.layerNoteText.textContent = text;
    this.switchModelBtn.hidden = !switchModel;
    this.switchModelBtn.dataset.model = switchModel ?? '';
    this.switchModelBtn.textContent = switchModel ? s('Switch to {0}', switchModel) : '';
    this.switchLayerBtn.hidden = !switchLayer;
    this.switchLayerBtn.textContent = switchLayer ?? '';
    this.layerNote.hidden = !text;
    this.layerNote.classList.toggle('warning', choice.sends === 'nothing');
  }

  private setOverlay(visible: boolean, save = true): void {
    this.overlayVisible = visible;
    this.paint.setOverlayVisible(visible);
    this.overlayBtn.setAttribute('aria-pressed', String(visible));
    if (save) this.saveState({ overlay: visible });
  }

  private undo(): void {
    if ((this.layer === 'guide' ? this.paint.guide : this.paint.mask).undo()) this.updateMaskControls();
  }

  private redo(): void {
    if ((this.layer === 'guide' ? this.paint.guide : this.paint.mask).redo()) this.updateMaskControls();
  }

  private invert(): void {
    if (this.layer !== 'mask') return;
    this.paint.mask.invert();
    this.updateMaskControls();
  }

  private clear(): void {
    if ((this.layer === 'guide' ? this.paint.guide : this.paint.mask).clear()) this.updateMaskControls();
  }

  private updateMaskControls(): void {
    const m = this.paint.mask;
    const total = this.image.width * this.image.height;
    // Undo, Redo and Clear act on the layer being drawn on.
    const active = this.layer === 'guide' ? this.paint.guide : m;
    this.undoBtn.disabled = !active.history.canUndo;
    this.redoBtn.disabled = !active.history.canRedo;
    this.clearBtn.disabled = active.isEmpty;
    if (this.layer === 'guide') {
      const g = this.paint.guide;
      this.coverage.textContent = g.isEmpty ? s('Nothing drawn on the guide yet.') : s('Guide: drawn over {0} of the image', coverageLabel(g.drawn, total));
      this.root.dataset.guideDrawn = String(g.drawn);
    } else {
      this.coverage.textContent = m.isEmpty ? s('Nothing painted: the whole picture may change.') : s('Painted: {0} of the image', coverageLabel(m.painted, total));
    }
    this.root.dataset.painted = String(m.painted);
    this.updateLayerNote();
  }

  private updateSquareGuide(): void {
    const m = this.form.current;
    this.paint.setSquareGuide(m.squareOnly ? this.form.options.squareMode : undefined);
  }

  // ---- prompt and options ------------------------------------------------------------------

  private onModelChange(m: ModelInfo): void {
    const dalle2Variation = this.operation === 'variation' && m.squareOnly;
    this.prompt.disabled = dalle2Variation || !!this.running;
    this.promptHint.textContent = dalle2Variation
      ? s('{0} makes variations without a prompt.', m.id)
      : this.operation !== 'edit'
        ? s('Variations keep the subject and style; add words to steer them.')
        : this.layer === 'guide'
          ? s('Draw arrows, outlines and marks over the image, then describe the entire image as it should look.')
          : s('Paint over what should change, then describe the entire image as it should look, not only the painted part.');
    this.renderReferences();
    this.updatePromptCount();
    if (this.paint) this.updateSquareGuide();
    this.updateLayerNote();
  }

  private updatePromptCount(): void {
    const max = this.form.current.maxPromptChars;
    const n = [...this.prompt.value].length;
    this.promptCount.textContent = `${n} / ${max}`;
    this.promptCount.classList.toggle('over', n > max);
  }

  /**
   * The references and what the model takes of them: a model that takes fewer (dall-e-2 takes
   * none) says so here, the ones it will not get are struck through, and the host sends only the
   * ones it takes. Each has a remove button.
   */
  private renderReferences(): void {
    const m = this.form.current;
    const takes = Math.max(0, m.maxImages - 1);
    this.refsList.replaceChildren(
      ...this.references.map((r, i) => {
        const name = r.split(/[\\/]/).pop() ?? r;
        const remove = h('button', { type: 'button', class: 'icon-button remove-ref', 'aria-label': s('Remove {0}', name), title: s('Remove {0}', name), disabled: !!this.running }, icon('close'));
        remove.addEventListener('click', () => void this.removeReference(r));
        return h('li', { title: r, class: i >= takes ? 'unused' : undefined }, h('span', { class: 'ref-name' }, name), remove);
      }),
    );
    this.refsList.hidden = this.references.length === 0;
    const over = this.references.length - takes;
    this.refsNote.textContent =
      over <= 0 ? '' : takes === 0 ? s('{0} takes no reference images: they are not sent.', m.id) : s('{0} takes at most {1} reference images: the others are not sent.', m.id, takes);
    this.refsNote.hidden = over <= 0;
    // With references listed the section stays, so the user can see and remove them.
    this.refsSection.hidden = this.operation !== 'edit' || (takes === 0 && this.references.length === 0);
    this.addRefBtn.hidden = takes === 0;
    this.addRefBtn.disabled = !!this.running || this.references.length >= takes;
  }

  private async removeReference(path: string): Promise<void> {
    try {
      await this.host.request({ type: 'removeReference', path });
    } catch (err) {
      this.showError(err instanceof Error ? err.message : String(err));
    }
    this.references = this.references.filter((r) => r !== path);
    this.renderReferences();
  }

  private async addReference(): Promise<void> {
    this.addRefBtn.disabled = true;
    try {
      const reply = await this.host.request({ type: 'addReference' });
      if (reply.path) {
        this.references.push(reply.path);
        this.renderReferences();
      }
    } catch (err) {
      this.showError(err instanceof Error ? err.message : String(err));
    } finally {
      this.renderReferences();
    }
  }

  // ---- running -----------------------------------------------------------------------------

  private async run(): Promise<void> {
    if (this.running) return;
    const m = this.form.current;
    const options: EditOptions = this.form.options;
    const dalle2Variation = this.operation === 'variation' && m.squareOnly;
    const prompt = dalle2Variation ? '' : this.prompt.value.trim();
    if (this.operation === 'edit' && !prompt) return this.promptProblem(s('Describe the picture you want first.'));
    if ([...prompt].length > m.maxPromptChars) return this.promptProblem(s('{0} accepts at most {1} characters; this prompt has {2}.', m.id, m.maxPromptChars, [...prompt].length));
    const sendGuide = this.operation === 'edit' && this.layer === 'guide';
    if (sendGuide && !m.markup) return this.showError(s('{0} takes a mask, not a guide: guides are for GPT Image 2.5 models.', m.id));
    if (sendGuide && !this.paint.hasGuide) return this.showError(s('Nothing is drawn on the guide: draw on it, or use the mask.'));
    this.showError(undefined);
    const id = ++this.runSeq;
    this.running = { id, cancelling: false };
    this.setBusy(true);
    this.setProgress(sendGuide ? s('Preparing the guide…') : this.operation === 'edit' ? s('Preparing the mask…') : s('Sending…'));
    try {
      // The mask or the guide, never both (the API refuses markup with a mask).
      const guide = sendGuide ? await this.paint.guide.exportPng() : undefined;
      const mask = this.operation === 'edit' && !sendGuide ? await this.paint.mask.exportPng() : undefined;
      if (this.running?.id !== id) return;
      this.host.post({ type: 'run', runId: id, prompt, options, mask, guide });
      this.setProgress(s('Sending…'));
    } catch (err) {
      this.running = undefined;
      this.setBusy(false);
      this.setProgress(undefined);
      this.showError(err instanceof Error ? err.message : String(err));
    }
  }

  private promptProblem(message: string): void {
    this.promptError.textContent = message;
    this.promptError.hidden = false;
    this.prompt.setAttribute('aria-invalid', 'true');
    this.prompt.focus();
  }

  private cancel(): void {
    if (!this.running || this.running.cancelling) return;
    this.running.cancelling = true;
    this.host.post({ type: 'cancel', runId: this.running.id });
    this.cancelBtn.disabled = true;
    this.setProgress(s('Cancelling…'));
  }

  private setBusy(busy: boolean): void {
    this.runBtn.disabled = busy;
    this.cancelBtn.disabled = !busy;
    this.form.setDisabled(busy);
    this.prompt.readOnly = busy;
    this.root.classList.toggle('busy', busy);
    this.root.setAttribute('aria-busy', String(busy));
    this.onModelChange(this.form.current);
  }

  private setProgress(text: string | undefined, done?: number, total?: number): void {
    this.progressText.textContent = text ?? '';
    this.progress.hidden = text === undefined;
    if (done !== undefined && total) {
      this.progress.max = total;
      this.progress.value = done;
    } else this.progress.removeAttribute('value');
  }

  private showError(message: string | undefined): void {
    this.errorBox.textContent = message ?? '';
    this.errorBox.hidden = !message;
  }

  onProgress(m: ProgressMessage): void {
    if (this.running && m.runId !== this.running.id) return;
    if (this.running?.cancelling) return;
    this.setProgress(m.message, m.done, m.total);
  }

  onRunFinished(m: RunFinishedMessage): void {
    const mine = !this.running || this.running.id === m.runId;
    if (this.running && this.running.id === m.runId) {
      this.running = undefined;
      this.setBusy(false);
    }
    if (mine) {
      const n = m.results.length;
      this.setProgress(undefined);
      if (m.cancelled) this.progressText.textContent = s('Cancelled.');
      else if (n) this.progressText.textContent = n === 1 ? s('1 result: compare it with the original below.') : s('{0} results: compare them with the original below.', n);
      if (n && m.notice) this.progressText.textContent = `${this.progressText.textContent} ${m.notice}`;
      this.showError(m.error);
    }
    if (m.results.length) this.results.add(m.results);
  }

  // ---- results --------------------------------------------------------------------------------

  private async resultAction(resultId: string, action: ResultAction): Promise<{ path?: string } | undefined> {
    const reply = await this.host.request({ type: action, resultId });
    return { path: reply.path };
  }

  onReplaceImage(m: ReplaceImageMessage): void {
    this.image = m.image;
    this.results.close();
    this.results.setOriginal({ src: m.image.src, size: m.image, name: m.image.name });
    this.saveState({ view: undefined });
    this.buildPaint();
    this.progressText.textContent = s('Now editing {0}. Paint the next change.', m.image.name);
  }

  // ---- keyboard --------------------------------------------------------------------------------

  private listenKeys(): void {
    const down = (e: KeyboardEvent) => this.onKeyDown(e);
    const up = (e: KeyboardEvent) => {
      if (e.key === ' ') this.paint.setSpaceHeld(false);
    };
    const blur = () => this.paint.setSpaceHeld(false);
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    window.addEventListener('blur', blur);
    this.disposers.push(() => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
      window.removeEventListener('blur', blur);
    });
  }

  private onKeyDown(e: KeyboardEvent): void {
    if (e.key === 'Enter' && modKey(e) && !e.altKey) {
      e.preventDefault();
      void this.run();
      return;
    }
    if (e.key === 'Escape' && this.results.isComparing) {
      e.preventDefault();
      this.results.close();
      return;
    }
    // (No defaultPrevented check: VS Code's webview host prevents the default of Ctrl+Z/Y itself,
    // then forwards them to the workbench, whose undo lands here as a harmless execCommand.)
    if (isTextEntry(e.target)) return;
    const edit = this.operation === 'edit';
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (modKey(e) && !e.altKey) {
      if (!edit || this.results.isComparing) return;
      if (key === 'z' && !e.shiftKey) this.undo();
      else if ((key === 'z' && e.shiftKey) || (key === 'y' && !e.shiftKey)) this.redo();
      else return;
      e.preventDefault();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (this.results.isComparing) return;
    const onCanvas = e.target === this.paint.element || e.target === document.body || e.target === document.documentElement;
    let handled = true;
    switch (key) {
      case ' ':
        if (!onCanvas) return;
        if (!e.repeat) this.paint.setSpaceHeld(true);
        break;
      case '[':
      case ']':
        if (!edit) return;
        this.setBrushSize(stepBrush(this.paint.brushSize, key === ']' ? 1 : -1, Number(this.sizeRange.max)));
        break;
      case 'g':
        if (!edit || !this.guideOffered()) return;
        this.setLayer(this.layer === 'guide' ? 'mask' : 'guide');
        break;
      case 'p':
      case 'a':
      case 'r':
      case 'o':
        if (!edit || this.layer !== 'guide') return;
        this.setGuideTool(key === 'p' ? 'pen' : key === 'a' ? 'arrow' : key === 'r' ? 'box' : 'ellipse');
        break;
      case 'b':
      case 'e':
        if (!edit) return;
        this.pickPen(key === 'e');
        break;
      case 'x':
        if (!edit) return;
        this.pickPen(this.layer === 'guide' ? this.paint.guideTool !== 'eraser' : this.paint.tool === 'brush');
        break;
      case 'i':
        if (!edit) return;
        this.invert();
        break;
      case 'h':
        if (!edit || this.layer !== 'mask') return;
        this.setOverlay(!this.overlayVisible);
        break;
      case '0':
        this.paint.fit();
        break;
      case '1':
        this.paint.zoomToScale(1);
        break;
      case '+':
      case '=':
        this.paint.zoomToScale(nextZoomStep(this.paint.view.scale, 1));
        break;
      case '-':
      case '_':
        this.paint.zoomToScale(nextZoomStep(this.paint.view.scale, -1));
        break;
      case 'ArrowLeft':
      case 'ArrowRight':
      case 'ArrowUp':
      case 'ArrowDown': {
        if (e.target !== this.paint.element) return;
        const step = e.shiftKey ? 200 : 40;
        this.paint.pan(key === 'ArrowLeft' ? step : key === 'ArrowRight' ? -step : 0, key === 'ArrowUp' ? step : key === 'ArrowDown' ? -step : 0);
        break;
      }
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  }

  // ---- state -----------------------------------------------------------------------------------

  private saveState(patch: Partial<UiState>): void {
    this.state = { ...this.state, ...patch };
    this.host.setState(this.state);
  }
}

