/**
 * Undo and redo for the mask. Each step stores only what it changed: the alpha bytes of the
 * touched rectangle before and after (one byte per pixel, not four), or nothing at all for an
 * invert (its own inverse). The oldest steps are dropped past a byte budget, so a session of long
 * strokes on a large photo cannot eat the webview's memory. Pure: no DOM.
 */
import type { Rect } from '../../shared/maskGeometry';

export type Step =
  | { readonly kind: 'patch'; readonly rect: Rect; readonly before: Uint8Array; readonly after: Uint8Array }
  | { readonly kind: 'invert' };

/** Bytes a step holds. */
export function stepBytes(s: Step): number {
  return s.kind === 'patch' ? s.before.byteLength + s.after.byteLength : 0;
}

export class History {
  private done: Step[] = [];
  private undone: Step[] = [];
  private bytes = 0;

  constructor(
    /** Most bytes kept across all steps (undo and redo). */
    private readonly budget = 256 * 1024 * 1024,
    /** Most steps kept. */
    private readonly maxSteps = 200,
  ) {}

  get canUndo(): boolean {
    return this.done.length > 0;
  }

  get canRedo(): boolean {
    return this.undone.length > 0;
  }

  get size(): { steps: number; bytes: number } {
    return { steps: this.done.length + this.undone.length, bytes: this.bytes };
  }

  /** Records a new step; the redo list is forgotten. */
  push(step: Step): void {
    for (const s of this.undone) this.bytes -= stepBytes(s);
    this.undone = [];
    this.done.push(step);
    this.bytes += stepBytes(step);
    while (this.done.length > 1 && (this.bytes > this.budget || this.done.length > this.maxSteps)) {
      this.bytes -= stepBytes(this.done.shift()!);
    }
  }

  /** The step to revert, moved to the redo list; undefined when there is none. */
  undo(): Step | undefined {
    const s = this.done.pop();
    if (s) this.undone.push(s);
    return s;
  }

  /** The step to apply again, moved back to the undo list. */
  redo(): Step | undefined {
    const s = this.undone.pop();
    if (s) this.done.push(s);
    return s;
  }

  clear(): void {
    this.done = [];
    this.undone = [];
    this.bytes = 0;
  }
}

/** Copies a rectangle out of a width-wide alpha plane. */
export function readRect(plane: Uint8Array, width: number, r: Rect): Uint8Array {
  const out = new Uint8Array(r.width * r.height);
  for (let y = 0; y < r.height; y++) {
    const from = (r.y + y) * width + r.x;
    out.set(plane.subarray(from, from + r.width), y * r.width);
  }
  return out;
}

/** Writes a rectangle into a width-wide alpha plane. */
export function writeRect(plane: Uint8Array, width: number, r: Rect, data: Uint8Array): void {
  for (let y = 0; y < r.height; y++) plane.set(data.subarray(y * r.width, (y + 1) * r.width), (r.y + y) * width + r.x);
}
