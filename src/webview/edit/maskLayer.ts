/**
 * The mask at the image's natural resolution, independent of zoom.
 *
 * Two copies: `canvas` is what the user sees (strokes in the theme's tint, shown translucent
 * over the image) and receives strokes as they are drawn; `alpha` is the committed truth, one
 * byte per pixel, updated when a stroke ends from the rectangle the stroke touched. Undo steps
 * are made from the two (before = alpha, after = canvas) for that rectangle only, and the
 * exported PNG is made from `alpha`, so the display colour never leaks into the mask.
 */
import { countPainted, type Point, type Rect, type Size } from '../../shared/maskGeometry';
import { freehandDot, freehandTo, layerContext, sameBytes, type Freehand } from './canvasLayer';
import { History, readRect, writeRect, type Step } from './history';

interface Stroke extends Freehand {
  readonly erase: boolean;
}

export class MaskLayer {
  readonly canvas: HTMLCanvasElement;
  readonly history = new History();
  private readonly ctx: CanvasRenderingContext2D;
  private readonly alpha: Uint8Array;
  private stroke: Stroke | undefined;
  private rgb: [number, number, number] = [255, 0, 0];
  private colour = 'rgb(255, 0, 0)';
  /** Pixels with alpha >= 128 (what the host counts as painted). */
  private paintedCount = 0;

  constructor(readonly size: Size) {
    this.ctx = layerContext(size);
    this.canvas = this.ctx.canvas;
    this.alpha = new Uint8Array(size.width * size.height);
  }

  get painted(): number {
    return this.paintedCount;
  }

  get isEmpty(): boolean {
    return this.paintedCount === 0;
  }

  get drawing(): boolean {
    return this.stroke !== undefined;
  }

  /** The display colour (any CSS colour); what is painted is recoloured in place. */
  setColour(css: string): void {
    const probe = document.createElement('canvas').getContext('2d')!;
    probe.fillStyle = css;
    probe.fillRect(0, 0, 1, 1);
    const [r, g, b] = probe.getImageData(0, 0, 1, 1).data;
    if (r === this.rgb[0] && g === this.rgb[1] && b === this.rgb[2]) return;
    this.rgb = [r, g, b];
    this.colour = `rgb(${r}, ${g}, ${b})`;
    const c = this.ctx;
    c.save();
    c.globalCompositeOperation = 'source-in';
    c.fillStyle = this.colour;
    c.fillRect(0, 0, this.size.width, this.size.height);
    c.restore();
  }

  // ---- strokes ---------------------------------------------------------------------------------

  /** Starts a stroke with a round dot of `width` at image point p. */
  begin(p: Point, width: number, erase: boolean): void {
    if (this.stroke) this.end();
    this.stroke = { erase, last: p, lastWidth: width, dirty: undefined };
    freehandDot(this.ctx, this.stroke, p, width, erase, this.colour, this.size);
  }

  /** Continues the stroke to p: a round-capped line from the last sample, so fast strokes have no gaps. */
  to(p: Point, width: number): void {
    const st = this.stroke;
    if (st) freehandTo(this.ctx, st, p, width, st.erase, this.colour, this.size);
  }

  /** Ends the stroke: commits what it changed as one undo step. Returns whether anything changed. */
  end(): boolean {
    const st = this.stroke;
    this.stroke = undefined;
    if (!st?.dirty) return false;
    const r = st.dirty;
    const data = this.ctx.getImageData(r.x, r.y, r.width, r.height).data;
    const after = new Uint8Array(r.width * r.height);
    for (let i = 0; i < after.length; i++) after[i] = data[i * 4 + 3];
    const before = readRect(this.alpha, this.size.width, r);
    if (sameBytes(after, before)) return false;
    this.history.push({ kind: 'patch', rect: r, before, after });
    this.applyAlpha(r, after, false);
    return true;
  }

  /** Drops the stroke in progress (e.g. a second finger turned it into a pinch). */
  cancel(): void {
    const st = this.stroke;
    this.stroke = undefined;
    if (st?.dirty) this.paintRect(st.dirty, readRect(this.alpha, this.size.width, st.dirty));
  }

  // ---- whole-mask operations ----------------------------------------------------------------

  clear(): boolean {
    this.end();
    if (this.paintedCount === 0 && this.alpha.every((a) => a === 0)) return false;
    const r = this.whole();
    const before = this.alpha.slice();
    const after = new Uint8Array(this.alpha.length);
    this.history.push({ kind: 'patch', rect: r, before, after });
    this.applyAlpha(r, after, true);
    return true;
  }

  invert(): void {
    this.end();
    this.history.push({ kind: 'invert' });
    this.doInvert();
  }

  undo(): boolean {
    this.end();
    const step = this.history.undo();
    if (step) this.apply(step, 'before');
    return !!step;
  }

  redo(): boolean {
    this.end();
    const step = this.history.redo();
    if (step) this.apply(step, 'after');
    return !!step;
  }

  /**
   * The mask as a PNG of exactly the image's size: white, alpha as painted (255 where painted,
   * 0 elsewhere, antialiased in between at stroke edges). Undefined when nothing is painted.
   */
  async exportPng(): Promise<Uint8Array | undefined> {
    this.end();
    if (this.paintedCount === 0) return undefined;
    const { width, height } = this.size;
    const out = document.createElement('canvas');
    out.width = width;
    out.height = height;
    const ctx = out.getContext('2d')!;
    const img = ctx.createImageData(width, height);
    const d = img.data;
    for (let i = 0; i < this.alpha.length; i++) {
      const o = i * 4;
      d[o] = 255;
      d[o + 1] = 255;
      d[o + 2] = 255;
      d[o + 3] = this.alpha[i];
    }
    ctx.putImageData(img, 0, 0);
    const blob = await new Promise<Blob | null>((resolve) => out.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error('the mask could not be encoded as PNG');
    return new Uint8Array(await blob.arrayBuffer());
  }

  // ---- internals ----------------------------------------------------------------------------

  private whole(): Rect {
    return { x: 0, y: 0, width: this.size.width, height: this.size.height };
  }

  private apply(step: Step, which: 'before' | 'after'): void {
    if (step.kind === 'invert') this.doInvert();
    else this.applyAlpha(step.rect, step[which], true);
  }

  private doInvert(): void {
    const a = this.alpha;
    for (let i = 0; i < a.length; i++) a[i] = 255 - a[i];
    this.paintedCount = countPainted(a);
    this.paintRect(this.whole(), a);
  }

  /** Writes alpha for a rectangle into the committed plane (and the canvas when `paint`), keeping the count. */
  private applyAlpha(r: Rect, data: Uint8Array, paint: boolean): void {
    const old = readRect(this.alpha, this.size.width, r);
    this.paintedCount += countPainted(data) - countPainted(old);
    writeRect(this.alpha, this.size.width, r, data);
    if (paint) this.paintRect(r, data);
  }

  /** Replaces the canvas pixels of a rectangle with the tint at the given alpha. */
  private paintRect(r: Rect, alpha: Uint8Array): void {
    // Row bands keep the temporary ImageData small for large images.
    const band = Math.max(1, Math.floor((4 * 1024 * 1024) / (r.width * 4)));
    const [cr, cg, cb] = this.rgb;
    for (let y0 = 0; y0 < r.height; y0 += band) {
      const hgt = Math.min(band, r.height - y0);
      const img = this.ctx.createImageData(r.width, hgt);
      const d = img.data;
      const base = y0 * r.width;
      for (let i = 0; i < r.width * hgt; i++) {
        const o = i * 4;
        d[o] = cr;
        d[o + 1] = cg;
        d[o + 2] = cb;
        d[o + 3] = alpha[base + i];
      }
      this.ctx.putImageData(img, r.x, r.y + y0);
    }
  }
}
