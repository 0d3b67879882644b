/**
 * The guide layer: coloured strokes, arrows and outlines drawn over the image at its natural
 * (displayed, EXIF-oriented) resolution, sent as `markup` to the models that take one (GPT Image
 * 2.5) instead of a mask. Unlike the mask its colours are what is sent, so the canvas is the
 * truth: `committed` holds the pixels as of the last finished gesture, the visible canvas
 * receives the gesture as it is drawn (a shape is redrawn from `committed` at each move), and
 * each finished gesture becomes one undo step of the rectangle it touched (RGBA before and after).
 * Exported as a PNG of the image's size, alpha 0 wherever nothing is drawn.
 */
import { guideShapeBounds, unionRect, type GuideTool, type Point, type Rect, type Size } from '../../shared/maskGeometry';
import { freehandDot, freehandTo, layerContext, sameBytes, withPen, type Freehand } from './canvasLayer';
import { History, type Step } from './history';

/** `dirty`: everything the gesture touched (pen, eraser), or the shape's bounds now (arrow, box, ellipse). */
interface Gesture extends Freehand {
  readonly tool: GuideTool;
  readonly from: Point;
  readonly width: number;
  /** The bounds of the union of every shape drawn during the gesture: what a redraw must restore. */
  touched: Rect | undefined;
}

export class GuideLayer {
  readonly canvas: HTMLCanvasElement;
  readonly history = new History();
  private readonly ctx: CanvasRenderingContext2D;
  private readonly committed: CanvasRenderingContext2D;
  private gesture: Gesture | undefined;
  private colour = '#ff3b30';
  /** Pixels with alpha > 0 in `committed`. */
  private drawnCount = 0;

  constructor(readonly size: Size) {
    this.ctx = layerContext(size);
    this.canvas = this.ctx.canvas;
    this.committed = layerContext(size);
  }

  /** Pixels something is drawn on (alpha > 0). */
  get drawn(): number {
    return this.drawnCount;
  }

  get isEmpty(): boolean {
    return this.drawnCount === 0;
  }

  setColour(css: string): void {
    this.colour = css;
  }

  // ---- gestures --------------------------------------------------------------------------------

  /** Starts a gesture at image point p: a pen or eraser dot, or the anchor of a shape. */
  begin(p: Point, width: number, tool: GuideTool): void {
    if (this.gesture) this.end();
    const g: Gesture = { tool, from: p, last: p, lastWidth: width, width, dirty: undefined, touched: undefined };
    this.gesture = g;
    if (tool === 'pen' || tool === 'eraser') {
      freehandDot(this.ctx, g, p, width, tool === 'eraser', this.colour, this.size);
    } else {
      this.drawShape(p);
    }
  }

  /** Continues the gesture to p: a segment of the stroke, or the shape redrawn to reach p. */
  to(p: Point, width: number): void {
    const g = this.gesture;
    if (!g) return;
    if (g.tool === 'pen' || g.tool === 'eraser') {
      freehandTo(this.ctx, g, p, width, g.tool === 'eraser', this.colour, this.size);
    } else if (p.x !== g.last.x || p.y !== g.last.y) {
      this.drawShape(p);
      g.last = p;
    }
  }

  /** Ends the gesture: what it changed becomes one undo step. Returns whether anything changed. */
  end(): boolean {
    const g = this.gesture;
    this.gesture = undefined;
    const r = g?.dirty && g.touched ? unionRect(g.dirty, g.touched) : g?.dirty;
    if (!r) return false;
    const before = this.committed.getImageData(r.x, r.y, r.width, r.height).data;
    const after = this.ctx.getImageData(r.x, r.y, r.width, r.height).data;
    if (sameBytes(after, before)) return false;
    const step: Step = { kind: 'patch', rect: r, before: new Uint8Array(before), after: new Uint8Array(after) };
    this.history.push(step);
    this.commit(r, step.after);
    return true;
  }

  /** Drops the gesture in progress (a second finger turned it into a pinch). */
  cancel(): void {
    const g = this.gesture;
    this.gesture = undefined;
    const r = g?.dirty && g.touched ? unionRect(g.dirty, g.touched) : g?.dirty;
    if (r) this.restore(r);
  }

  // ---- whole-layer operations -----------------------------------------------------------------

  clear(): boolean {
    this.end();
    if (this.drawnCount === 0) return false;
    const r = { x: 0, y: 0, width: this.size.width, height: this.size.height };
    const before = new Uint8Array(this.committed.getImageData(0, 0, r.width, r.height).data);
    const after = new Uint8Array(before.length);
    this.history.push({ kind: 'patch', rect: r, before, after });
    this.put(r, after);
    return true;
  }

  undo(): boolean {
    this.end();
    const step = this.history.undo();
    if (step?.kind === 'patch') this.put(step.rect, step.before);
    return !!step;
  }

  redo(): boolean {
    this.end();
    const step = this.history.redo();
    if (step?.kind === 'patch') this.put(step.rect, step.after);
    return !!step;
  }

  /** The guide as a PNG of exactly the image's size (alpha 0 where nothing is drawn); undefined when empty. */
  async exportPng(): Promise<Uint8Array | undefined> {
    this.end();
    if (this.drawnCount === 0) return undefined;
    const blob = await new Promise<Blob | null>((resolve) => this.committed.canvas.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error('the guide could not be encoded as PNG');
    return new Uint8Array(await blob.arrayBuffer());
  }

  // ---- internals -------------------------------------------------------------------------------

  /** Redraws the gesture's shape from its anchor to p, over the committed pixels. */
  private drawShape(p: Point): void {
    const g = this.gesture!;
    if (g.dirty) this.restore(g.dirty);
    const { from, width: w, tool } = g;
    withPen(this.ctx, false, this.colour, w, (c) => {
      c.beginPath();
      if (tool === 'box') {
        c.rect(Math.min(from.x, p.x), Math.min(from.y, p.y), Math.abs(p.x - from.x), Math.abs(p.y - from.y));
        c.stroke();
      } else if (tool === 'ellipse') {
        c.ellipse((from.x + p.x) / 2, (from.y + p.y) / 2, Math.abs(p.x - from.x) / 2, Math.abs(p.y - from.y) / 2, 0, 0, Math.PI * 2);
        c.stroke();
      } else {
        // An arrow: the shaft up to the head's base, then a filled head pointing at p.
        const len = Math.hypot(p.x - from.x, p.y - from.y);
        const head = Math.min(len, Math.max(3 * w, 10));
        const ux = len ? (p.x - from.x) / len : 0;
        const uy = len ? (p.y - from.y) / len : 0;
        const base = { x: p.x - ux * head, y: p.y - uy * head };
        c.moveTo(from.x, from.y);
        c.lineTo(base.x, base.y);
        c.stroke();
        c.beginPath();
        c.moveTo(p.x, p.y);
        c.lineTo(base.x - uy * head * 0.6, base.y + ux * head * 0.6);
        c.lineTo(base.x + uy * head * 0.6, base.y - ux * head * 0.6);
        c.closePath();
        c.fill();
        c.stroke();
      }
    });
    g.dirty = guideShapeBounds(tool, from, p, w, this.size);
    g.touched = unionRect(g.touched, g.dirty);
  }

  /** Puts the committed pixels of r back on the visible canvas. */
  private restore(r: Rect): void {
    this.ctx.clearRect(r.x, r.y, r.width, r.height);
    this.ctx.drawImage(this.committed.canvas, r.x, r.y, r.width, r.height, r.x, r.y, r.width, r.height);
  }

  /** Writes pixels into both canvases (undo, redo, clear). */
  private put(r: Rect, rgba: Uint8Array): void {
    const img = new ImageData(new Uint8ClampedArray(rgba), r.width, r.height);
    this.ctx.putImageData(img, r.x, r.y);
    this.commit(r, rgba);
  }

  /** The visible pixels of r become the committed ones; the drawn count follows. */
  private commit(r: Rect, rgba: Uint8Array): void {
    const old = this.committed.getImageData(r.x, r.y, r.width, r.height).data;
    let delta = 0;
    for (let i = 3; i < rgba.length; i += 4) delta += (rgba[i] > 0 ? 1 : 0) - (old[i] > 0 ? 1 : 0);
    this.drawnCount += delta;
    this.committed.putImageData(new ImageData(new Uint8ClampedArray(rgba), r.width, r.height), r.x, r.y);
  }
}
