/**
 * What the mask and guide layers draw alike: a layer canvas of the image's size, freehand strokes
 * (a round dot, then round-capped segments whose width follows the pointer's), and the check that
 * a finished gesture changed anything. Each layer keeps its own committed truth and undo steps.
 */
import { segmentBounds, unionRect, type Point, type Rect, type Size } from '../../shared/maskGeometry';

/** A freehand stroke in progress: where it is, how wide it was there, and what it has touched. */
export interface Freehand {
  last: Point;
  lastWidth: number;
  dirty: Rect | undefined;
}

/** A 2D context on a new canvas of `size`, read back often (undo steps, exports). */
export function layerContext(size: Size): CanvasRenderingContext2D {
  const c = document.createElement('canvas');
  c.width = size.width;
  c.height = size.height;
  const ctx = c.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2D canvas');
  return ctx;
}

/** Runs `draw` on `c` in `colour` at line `width`, round caps and joins; erasing clears what it covers. */
export function withPen(c: CanvasRenderingContext2D, erase: boolean, colour: string, width: number, draw: (c: CanvasRenderingContext2D) => void): void {
  c.save();
  c.globalCompositeOperation = erase ? 'destination-out' : 'source-over';
  c.fillStyle = colour;
  c.strokeStyle = colour;
  c.lineCap = 'round';
  c.lineJoin = 'round';
  c.lineWidth = width;
  draw(c);
  c.restore();
}

/** Starts a freehand stroke at p: a round dot of `width`; the stroke's dirty rectangle is the dot's. */
export function freehandDot(c: CanvasRenderingContext2D, st: Freehand, p: Point, width: number, erase: boolean, colour: string, size: Size): void {
  withPen(c, erase, colour, width, (c) => {
    c.beginPath();
    c.arc(p.x, p.y, width / 2, 0, Math.PI * 2);
    c.fill();
  });
  st.dirty = segmentBounds(p, p, width, size);
}

/**
 * Continues a freehand stroke to p: a round-capped segment from the last sample (so fast strokes
 * have no gaps) at the mean of the two widths. Nothing is drawn, and the stroke stays where it
 * was, when p is the last point and the width has not grown.
 */
export function freehandTo(c: CanvasRenderingContext2D, st: Freehand, p: Point, width: number, erase: boolean, colour: string, size: Size): void {
  if (p.x === st.last.x && p.y === st.last.y && width <= st.lastWidth) return;
  const w = (st.lastWidth + width) / 2;
  withPen(c, erase, colour, w, (c) => {
    c.beginPath();
    c.moveTo(st.last.x, st.last.y);
    c.lineTo(p.x, p.y);
    c.stroke();
  });
  st.dirty = unionRect(st.dirty, segmentBounds(st.last, p, Math.max(w, width), size));
  st.last = p;
  st.lastWidth = width;
}

/** Whether two byte arrays of the same length hold the same bytes (a gesture that changed nothing). */
export function sameBytes(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
