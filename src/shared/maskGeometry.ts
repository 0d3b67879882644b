/**
 * Pure geometry of the mask editor: where the image sits in the view (zoom and pan), turning
 * pointer positions into image pixels, brush sizes, dirty rectangles, and the square a
 * square-only model (dall-e-2) is sent. No DOM, no `vscode`, no Node APIs: unit-tested in plain
 * Node and bundled into the webview.
 */

/**
 * Where the image is drawn: image pixel (ix, iy) appears at view pixel
 * (ix * scale + x, iy * scale + y), view pixels being CSS pixels from the viewport's top left.
 */
export interface ViewTransform {
  readonly scale: number;
  readonly x: number;
  readonly y: number;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Size {
  readonly width: number;
  readonly height: number;
}

export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Zoom limits: far enough out to see a poster whole, far enough in to paint single pixels. */
export const MIN_SCALE = 1 / 64;
export const MAX_SCALE = 32;

/** The zoom levels +/- step through (fractions of natural size). */
export const ZOOM_STEPS: readonly number[] = [
  1 / 64, 1 / 48, 1 / 32, 1 / 24, 1 / 16, 1 / 12, 1 / 8, 1 / 6, 1 / 4, 1 / 3, 1 / 2, 2 / 3, 1, 1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32,
];

export const MIN_BRUSH = 1;

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

export function imageToView(t: ViewTransform, p: Point): Point {
  return { x: p.x * t.scale + t.x, y: p.y * t.scale + t.y };
}

export function viewToImage(t: ViewTransform, p: Point): Point {
  return { x: (p.x - t.x) / t.scale, y: (p.y - t.y) / t.scale };
}

/**
 * The transform that shows the whole image centred in the view with `margin` CSS pixels around
 * it (when the view has room for a margin). Small images are enlarged to fill the view too, up to
 * `maxScale`: a mask is painted more precisely large.
 */
export function fitTransform(image: Size, view: Size, margin = 16, maxScale = 8): ViewTransform {
  if (image.width <= 0 || image.height <= 0 || view.width <= 0 || view.height <= 0) return { scale: 1, x: 0, y: 0 };
  const m = Math.min(margin, view.width / 4, view.height / 4);
  const scale = clamp(Math.min((view.width - 2 * m) / image.width, (view.height - 2 * m) / image.height), MIN_SCALE, maxScale);
  return { scale, x: (view.width - image.width * scale) / 2, y: (view.height - image.height * scale) / 2 };
}

/** Sets the zoom to `scale` (clamped) keeping the image point under view point `at` where it is. */
export function zoomTo(t: ViewTransform, scale: number, at: Point, min = MIN_SCALE, max = MAX_SCALE): ViewTransform {
  const s = clamp(scale, min, max);
  const img = viewToImage(t, at);
  return { scale: s, x: at.x - img.x * s, y: at.y - img.y * s };
}

/** Multiplies the zoom by `factor` about view point `at`. */
export function zoomBy(t: ViewTransform, factor: number, at: Point, min = MIN_SCALE, max = MAX_SCALE): ViewTransform {
  return zoomTo(t, t.scale * factor, at, min, max);
}

/** The next zoom step above (dir 1) or below (dir -1) the current scale. */
export function nextZoomStep(scale: number, dir: 1 | -1): number {
  const eps = 1e-6;
  if (dir > 0) return ZOOM_STEPS.find((z) => z > scale * (1 + eps)) ?? MAX_SCALE;
  for (let i = ZOOM_STEPS.length - 1; i >= 0; i--) if (ZOOM_STEPS[i] < scale * (1 - eps)) return ZOOM_STEPS[i];
  return MIN_SCALE;
}

/**
 * The zoom factor for one wheel event: smooth for trackpads (small deltas), about 1.2x per mouse
 * wheel notch. deltaMode 1 = lines, 2 = pages (Firefox, some mice).
 */
export function wheelZoomFactor(deltaY: number, deltaMode = 0): number {
  const px = deltaMode === 1 ? deltaY * 16 : deltaMode === 2 ? deltaY * 400 : deltaY;
  return Math.exp(-clamp(px, -300, 300) * 0.0018);
}

/** Pans by a view-pixel offset. */
export function panBy(t: ViewTransform, dx: number, dy: number): ViewTransform {
  return { scale: t.scale, x: t.x + dx, y: t.y + dy };
}

/**
 * Keeps at least `keep` CSS pixels of the image inside the view (or the whole image when it is
 * smaller than that), so that panning never loses the picture.
 */
export function clampPan(t: ViewTransform, image: Size, view: Size, keep = 48): ViewTransform {
  const w = image.width * t.scale;
  const h = image.height * t.scale;
  const kx = Math.min(keep, w, view.width);
  const ky = Math.min(keep, h, view.height);
  return { scale: t.scale, x: clamp(t.x, kx - w, view.width - kx), y: clamp(t.y, ky - h, view.height - ky) };
}

/** "100%", "33%", "1600%", "1.6%" */
export function zoomLabel(scale: number): string {
  const pct = scale * 100;
  return `${pct >= 10 ? Math.round(pct) : Math.round(pct * 10) / 10}%`;
}

/** The largest brush that makes sense for an image: half its long side, at least 64. */
export function maxBrushFor(image: Size): number {
  return Math.max(64, Math.round(Math.max(image.width, image.height) / 2));
}

/** A brush that covers a comfortable area at first: about 1/20 of the long side. */
export function defaultBrushFor(image: Size): number {
  return clamp(Math.round(Math.max(image.width, image.height) / 20), 4, 200);
}

/**
 * `[` and `]`: about 15% smaller or larger per press (at least 1 px), so small and large
 * brushes both change at a useful pace.
 */
export function stepBrush(size: number, dir: 1 | -1, max: number): number {
  const delta = Math.max(1, Math.round(size * 0.15));
  return clamp(Math.round(size + dir * delta), MIN_BRUSH, max);
}

/**
 * The stroke width for a pen sample: pressure 0..1 scales the brush between 30% and 100%.
 * Mouse and touch report 0.5 while pressed (or 0 for some devices): they get the full size.
 */
export function pressureWidth(size: number, pressure: number, pointerType: string): number {
  if (pointerType !== 'pen' || !(pressure > 0)) return size;
  return Math.max(MIN_BRUSH, size * (0.3 + 0.7 * clamp(pressure, 0, 1)));
}

/** The integer pixel rectangle a round-capped segment of `width` touches, clipped to the image; undefined when outside. */
export function segmentBounds(a: Point, b: Point, width: number, image: Size): Rect | undefined {
  const r = width / 2 + 2; // +2: antialiased edge pixels
  const x0 = Math.max(0, Math.floor(Math.min(a.x, b.x) - r));
  const y0 = Math.max(0, Math.floor(Math.min(a.y, b.y) - r));
  const x1 = Math.min(image.width, Math.ceil(Math.max(a.x, b.x) + r));
  const y1 = Math.min(image.height, Math.ceil(Math.max(a.y, b.y) + r));
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : undefined;
}

/** What the guide layer draws with: freehand strokes, arrows, box and ellipse outlines, and an eraser. */
export type GuideTool = 'pen' | 'arrow' | 'box' | 'ellipse' | 'eraser';

export const GUIDE_TOOLS: readonly GuideTool[] = ['pen', 'arrow', 'box', 'ellipse', 'eraser'];

/** A guide line that reads at any zoom: about 1/200 of the long side, at least 3 px. */
export function defaultGuideWidthFor(image: Size): number {
  return clamp(Math.round(Math.max(image.width, image.height) / 200), 3, 48);
}

/**
 * The integer pixel rectangle an arrow, box or ellipse outline from `a` to `b` with lines of
 * `width` touches, clipped to the image (an arrow's head reaches out sideways by up to 1.8 times
 * the line width, at least 6 px); undefined when outside.
 */
export function guideShapeBounds(tool: GuideTool, a: Point, b: Point, width: number, image: Size): Rect | undefined {
  const extra = tool === 'arrow' ? Math.max(1.8 * width, 6) : 0;
  return segmentBounds(a, b, width + 2 * extra, image);
}

export function unionRect(a: Rect | undefined, b: Rect | undefined): Rect | undefined {
  if (!a) return b;
  if (!b) return a;
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

/**
 * The square a square-only model is sent, in image pixels (mirrors src/core/prepare.ts):
 * `pad` extends the short side on both sides (the square reaches outside the image; the padding
 * is never edited), `crop` keeps the centre square (what lies outside is not sent).
 */
export function squareFor(image: Size, mode: 'pad' | 'crop'): Rect {
  const { width: W, height: H } = image;
  if (mode === 'crop') {
    const S = Math.min(W, H);
    return { x: Math.floor((W - S) / 2), y: Math.floor((H - S) / 2), width: S, height: S };
  }
  const S = Math.max(W, H);
  return { x: -Math.floor((S - W) / 2) || 0, y: -Math.floor((S - H) / 2) || 0, width: S, height: S };
}

/** How many pixels count as painted (alpha >= 128, as the host reads masks) in an alpha plane. */
export function countPainted(alpha: ArrayLike<number>, threshold = 128): number {
  let n = 0;
  for (let i = 0; i < alpha.length; i++) if (alpha[i] >= threshold) n++;
  return n;
}

/** Painted share of the image as the UI states it: "0%", "<1%", "37%". */
export function coverageLabel(painted: number, total: number): string {
  if (painted <= 0 || total <= 0) return '0%';
  const pct = (painted / total) * 100;
  return pct < 1 ? '<1%' : `${Math.round(pct)}%`;
}

/** Replaces {0}, {1}... with the arguments (the webview's side of vscode.l10n.t). */
export function formatString(template: string, ...args: readonly (string | number)[]): string {
  return template.replace(/\{(\d+)\}/g, (m, i: string) => (Number(i) < args.length ? String(args[Number(i)]) : m));
}
