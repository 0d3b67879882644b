/**
 * The viewport: the image and its mask at natural size inside a stage that is moved and scaled
 * with a CSS transform (zoom and pan never touch the pixels), the brush cursor, and the pointer
 * handling: pointer events with capture (mouse, pen and touch all draw), coalesced samples,
 * pen pressure, space+drag and middle-drag pan, wheel zoom about the pointer, two-finger
 * pinch on touch screens.
 */
import {
  clampPan,
  fitTransform,
  panBy,
  pressureWidth,
  squareFor,
  viewToImage,
  wheelZoomFactor,
  zoomBy,
  zoomTo,
  type GuideTool,
  type Point,
  type Rect,
  type Size,
  type ViewTransform,
} from '../../shared/maskGeometry';
import { h } from './dom';
import { GuideLayer } from './guideLayer';
import { MaskLayer } from './maskLayer';

export type Tool = 'brush' | 'eraser';
/** What a drawing gesture draws on: the mask (where to edit) or the guide (markup). */
export type Layer = 'mask' | 'guide';

export interface PaintViewEvents {
  /** The mask or the guide changed (a stroke ended, undo, redo, clear, invert). */
  onMaskChange(): void;
  /** Zoom or pan changed. */
  onViewChange(t: ViewTransform, fitted: boolean): void;
  /** A stroke begins (the app shows a hidden overlay: painting blind helps nobody). */
  onStrokeStart(): void;
}

interface Gesture {
  kind: 'draw' | 'pan' | 'pinch';
  pointerId: number;
  lastView: Point;
}

export class PaintView {
  readonly element: HTMLDivElement;
  readonly mask: MaskLayer;
  /** The guide layer, made when it is first shown (its canvases cost memory on large images). */
  private guideLayer: GuideLayer | undefined;
  readonly image: HTMLImageElement;
  private readonly stage: HTMLDivElement;
  private readonly cursor: HTMLDivElement;
  private readonly squareGuide: HTMLDivElement;
  private readonly guideClip: HTMLDivElement;
  private transform: ViewTransform = { scale: 1, x: 0, y: 0 };
  /** What "fit" shows: the image, or the padded square around it. */
  private fitBounds: Rect;
  /** True while the view shows the fitted image (it refits when the viewport is resized). */
  private fitted = true;
  private gesture: Gesture | undefined;
  private readonly touches = new Map<number, Point>();
  private pinch: { dist: number; mid: Point } | undefined;
  private spaceHeld = false;
  private lastPointer: Point | undefined;
  private readonly resize: ResizeObserver;

  tool: Tool = 'brush';
  guideTool: GuideTool = 'pen';
  private guideColour = '#ff3b30';
  layer: Layer = 'mask';
  brushSize = 40;
  /** Whether painting is possible at all (false for variations: view only). */
  readonly paintable: boolean;

  constructor(
    readonly size: Size,
    src: string,
    options: { paintable: boolean; label: string; describedBy?: string },
    private readonly events: PaintViewEvents,
  ) {
    this.paintable = options.paintable;
    this.fitBounds = { x: 0, y: 0, width: size.width, height: size.height };
    this.image = h('img', { class: 'source', src, alt: '', draggable: 'false', width: size.width, height: size.height });
    this.mask = new MaskLayer(size);
    this.mask.canvas.className = 'mask';
    this.mask.canvas.setAttribute('role', 'img');
    this.mask.canvas.setAttribute('aria-label', options.label);
    this.squareGuide = h('div', { class: 'square-guide', hidden: true });
    this.guideClip = h('div', { class: 'guide-clip', hidden: true });
    this.stage = h('div', { class: 'stage' }, this.image, this.mask.canvas, this.guideClip, this.squareGuide);
    this.stage.style.width = `${size.width}px`;
    this.stage.style.height = `${size.height}px`;
    this.cursor = h('div', { class: 'brush-cursor', hidden: true, 'aria-hidden': 'true' });
    this.element = h(
      'div',
      {
        class: `viewport${this.paintable ? ' paintable' : ''}`,
        tabindex: 0,
        role: 'group',
        'aria-roledescription': 'canvas',
        'aria-label': options.label,
        'aria-describedby': options.describedBy,
      },
      this.stage,
      this.cursor,
    );
    this.listen();
    this.resize = new ResizeObserver(() => {
      if (this.fitted) this.fit();
      else this.setTransform(this.transform, false);
    });
    this.resize.observe(this.element);
  }

  dispose(): void {
    this.resize.disconnect();
    this.element.remove();
  }

  /** The guide layer (made on first use). */
  get guide(): GuideLayer {
    if (!this.guideLayer) {
      this.guideLayer = new GuideLayer(this.size);
      this.guideLayer.setColour(this.guideColour);
      this.guideLayer.canvas.className = 'guide-layer';
      this.guideLayer.canvas.setAttribute('role', 'img');
      this.guideLayer.canvas.hidden = this.layer !== 'guide';
      this.mask.canvas.after(this.guideLayer.canvas);
    }
    return this.guideLayer;
  }

  /** Whether anything is drawn on the guide (without making it). */
  get hasGuide(): boolean {
    return !!this.guideLayer && !this.guideLayer.isEmpty;
  }

  /** Which layer gestures draw on; only that one is shown (only that one is sent). */
  setLayer(layer: Layer): void {
    if (this.gesture?.kind === 'draw') return;
    this.layer = layer;
    this.element.dataset.layer = layer;
    if (layer === 'guide') this.guide.canvas.hidden = false;
    else if (this.guideLayer) this.guideLayer.canvas.hidden = true;
    this.mask.canvas.classList.toggle('inactive', layer === 'guide');
    this.updateCursor();
  }

  setGuideColour(css: string): void {
    this.guideColour = css;
    this.guideLayer?.setColour(css);
    this.cursor.style.setProperty('--guide-colour', css);
  }

  setGuideTool(tool: GuideTool): void {
    this.guideTool = tool;
    this.element.dataset.guideTool = tool;
    this.updateCursor();
  }

  get view(): ViewTransform {
    return this.transform;
  }

  get isFitted(): boolean {
    return this.fitted;
  }

  private viewSize(): Size {
    return { width: this.element.clientWidth, height: this.element.clientHeight };
  }

  // ---- zoom and pan ---------------------------------------------------------------------------

  /** Shows the whole image (and the padded square when one is shown), centred. */
  fit(): void {
    const v = this.viewSize();
    if (v.width === 0 || v.height === 0) return;
    const r = this.fitBounds;
    const t = fitTransform(r, v);
    this.setTransform({ scale: t.scale, x: t.x - r.x * t.scale, y: t.y - r.y * t.scale }, true);
  }

  /** Zooms by a factor about a view point (the viewport's centre by default). */
  zoom(factor: number, at?: Point): void {
    const v = this.viewSize();
    this.setTransform(zoomBy(this.transform, factor, at ?? { x: v.width / 2, y: v.height / 2 }), false);
  }

  zoomToScale(scale: number, at?: Point): void {
    const v = this.viewSize();
    this.setTransform(zoomTo(this.transform, scale, at ?? { x: v.width / 2, y: v.height / 2 }), false);
  }

  pan(dx: number, dy: number): void {
    this.setTransform(panBy(this.transform, dx, dy), false);
  }

  /** Restores a saved view (zoom and pan), kept within reach. */
  restore(t: ViewTransform): void {
    this.setTransform(t, false);
  }

  private setTransform(t: ViewTransform, fitted: boolean): void {
    const v = this.viewSize();
    this.transform = v.width && v.height ? clampPan(t, this.size, v) : t;
    this.fitted = fitted;
    const { scale, x, y } = this.transform;
    this.stage.style.transform = `translate(${x}px, ${y}px) scale(${scale})`;
    this.stage.style.setProperty('--inv-scale', String(1 / scale));
    this.stage.classList.toggle('pixelated', scale >= 2);
    this.updateCursor();
    this.events.onViewChange(this.transform, fitted);
  }

  // ---- tools ------------------------------------------------------------------------------------

  setTool(tool: Tool): void {
    this.tool = tool;
    this.element.dataset.tool = tool;
    this.updateCursor();
  }

  setBrushSize(px: number): void {
    this.brushSize = px;
    this.updateCursor();
  }

  setOverlayVisible(visible: boolean): void {
    this.mask.canvas.hidden = !visible;
  }

  /** Shows the square a square-only model is sent (pad: its outline; crop: dims what is left out). */
  setSquareGuide(mode: 'pad' | 'crop' | undefined): void {
    this.squareGuide.hidden = !mode;
    this.guideClip.hidden = mode !== 'crop';
    this.guideClip.replaceChildren();
    const sq = mode ? squareFor(this.size, mode) : undefined;
    this.fitBounds = mode === 'pad' && sq ? sq : { x: 0, y: 0, width: this.size.width, height: this.size.height };
    if (this.fitted) this.fit();
    if (!mode || !sq) return;
    this.squareGuide.className = `square-guide ${mode}`;
    Object.assign(this.squareGuide.style, { left: `${sq.x}px`, top: `${sq.y}px`, width: `${sq.width}px`, height: `${sq.height}px` });
    if (mode === 'crop') {
      const inner = h('div', { class: 'crop-window' });
      Object.assign(inner.style, { left: `${sq.x}px`, top: `${sq.y}px`, width: `${sq.width}px`, height: `${sq.height}px` });
      this.guideClip.append(inner);
    }
  }

  /** The layer the gesture in progress draws on. */
  private get drawing(): Pick<MaskLayer, 'to' | 'end' | 'cancel'> {
    return this.layer === 'guide' ? this.guide : this.mask;
  }

  // ---- pointer input ----------------------------------------------------------------------------

  /** The pointer position in viewport (CSS pixel) coordinates. */
  private local(e: { clientX: number; clientY: number }): Point {
    const r = this.element.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  }

  private listen(): void {
    const el = this.element;
    el.addEventListener('pointerdown', (e) => this.onDown(e));
    el.addEventListener('pointermove', (e) => this.onMove(e));
    el.addEventListener('pointerup', (e) => this.onUp(e, false));
    el.addEventListener('pointercancel', (e) => this.onUp(e, true));
    el.addEventListener('lostpointercapture', (e) => {
      if (this.gesture?.pointerId === e.pointerId) this.onUp(e, false);
    });
    el.addEventListener('pointerleave', () => {
      this.lastPointer = undefined;
      this.updateCursor();
    });
    el.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    el.addEventListener('contextmenu', (e) => e.preventDefault());
    // The middle button's autoscroll would fight the pan.
    el.addEventListener('mousedown', (e) => {
      if (e.button === 1) e.preventDefault();
    });
  }

  /** Space held: the next drag pans (set by the keyboard handler). */
  setSpaceHeld(held: boolean): void {
    this.spaceHeld = held;
    this.element.classList.toggle('panning', held || this.gesture?.kind === 'pan');
    this.updateCursor();
  }

  private onDown(e: PointerEvent): void {
    const p = this.local(e);
    this.lastPointer = p;
    if (e.pointerType === 'touch') {
      this.touches.set(e.pointerId, p);
      if (this.touches.size === 2) {
        // A second finger: whatever the first one started becomes a pinch.
        if (this.gesture?.kind === 'draw') {
          this.drawing.cancel();
          this.events.onMaskChange();
        }
        const [a, b] = [...this.touches.values()];
        this.pinch = { dist: Math.hypot(a.x - b.x, a.y - b.y), mid: { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 } };
        this.gesture = { kind: 'pinch', pointerId: e.pointerId, lastView: p };
        this.element.setPointerCapture(e.pointerId);
        e.preventDefault();
        return;
      }
      if (this.touches.size > 2) return;
    }
    if (this.gesture) return;
    const pan = e.button === 1 || (e.button === 0 && this.spaceHeld) || (!this.paintable && e.button === 0);
    const draw = this.paintable && !pan && e.button === 0;
    if (!pan && !draw) return;
    e.preventDefault();
    this.element.focus({ preventScroll: true });
    this.element.setPointerCapture(e.pointerId);
    this.gesture = { kind: pan ? 'pan' : 'draw', pointerId: e.pointerId, lastView: p };
    if (pan) {
      this.element.classList.add('panning');
    } else {
      this.events.onStrokeStart();
      const at = viewToImage(this.transform, p);
      const width = pressureWidth(this.brushSize, e.pressure, e.pointerType);
      if (this.layer === 'guide') this.guide.begin(at, width, this.guideTool);
      else this.mask.begin(at, width, this.tool === 'eraser');
    }
    this.updateCursor();
  }

  private onMove(e: PointerEvent): void {
    const p = this.local(e);
    if (e.pointerType !== 'touch' || this.touches.size < 2) this.lastPointer = p;
    const g = this.gesture;
    if (e.pointerType === 'touch' && this.touches.has(e.pointerId)) this.touches.set(e.pointerId, p);
    if (g?.kind === 'pinch') {
      if (this.touches.size >= 2 && this.pinch) {
        const [a, b] = [...this.touches.values()];
        const dist = Math.hypot(a.x - b.x, a.y - b.y);
        const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
        const moved = panBy(this.transform, mid.x - this.pinch.mid.x, mid.y - this.pinch.mid.y);
        this.setTransform(zoomBy(moved, this.pinch.dist > 0 ? dist / this.pinch.dist : 1, mid), false);
        this.pinch = { dist, mid };
      }
      return;
    }
    if (g && g.pointerId === e.pointerId) {
      if (g.kind === 'pan') {
        this.pan(p.x - g.lastView.x, p.y - g.lastView.y);
        g.lastView = p;
      } else {
        const samples = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
        const list = samples.length ? samples : [e];
        for (const s of list) {
          this.drawing.to(viewToImage(this.transform, this.local(s)), pressureWidth(this.brushSize, s.pressure, s.pointerType || e.pointerType));
        }
        g.lastView = p;
      }
    }
    this.updateCursor();
  }

  private onUp(e: PointerEvent, cancelled: boolean): void {
    if (e.pointerType === 'touch') {
      this.touches.delete(e.pointerId);
      if (this.gesture?.kind === 'pinch') {
        if (this.touches.size === 0) {
          this.gesture = undefined;
          this.pinch = undefined;
        } else if (this.touches.size === 1) {
          const [q] = [...this.touches.values()];
          this.pinch = { dist: 0, mid: q };
        }
        return;
      }
    }
    const g = this.gesture;
    if (!g || g.pointerId !== e.pointerId) return;
    this.gesture = undefined;
    if (this.element.hasPointerCapture(e.pointerId)) this.element.releasePointerCapture(e.pointerId);
    if (g.kind === 'pan') this.element.classList.toggle('panning', this.spaceHeld);
    else if (g.kind === 'draw') {
      if (!cancelled) {
        const p = this.local(e);
        if (e.type === 'pointerup') this.drawing.to(viewToImage(this.transform, p), pressureWidth(this.brushSize, e.pressure, e.pointerType));
      }
      if (this.drawing.end()) this.events.onMaskChange();
    }
    this.updateCursor();
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    if (this.gesture?.kind === 'draw') return;
    const p = this.local(e);
    // Ctrl+wheel is how trackpads report a pinch; a plain wheel zooms too (as in other mask editors);
    // Shift+wheel pans sideways.
    if (e.shiftKey && !e.ctrlKey) this.pan(-(e.deltaY || e.deltaX), 0);
    else this.zoom(wheelZoomFactor(e.deltaY, e.deltaMode), p);
  }

  // ---- brush cursor -------------------------------------------------------------------------

  private updateCursor(): void {
    const c = this.cursor;
    const p = this.lastPointer;
    const show = this.paintable && !!p && !this.spaceHeld && this.gesture?.kind !== 'pan' && this.gesture?.kind !== 'pinch';
    c.hidden = !show;
    if (!show || !p) return;
    const d = Math.max(2, this.brushSize * this.transform.scale);
    c.style.width = `${d}px`;
    c.style.height = `${d}px`;
    c.style.transform = `translate(${p.x - d / 2}px, ${p.y - d / 2}px)`;
    c.classList.toggle('eraser', this.layer === 'guide' ? this.guideTool === 'eraser' : this.tool === 'eraser');
    c.classList.toggle('tiny', d < 8);
  }
}
