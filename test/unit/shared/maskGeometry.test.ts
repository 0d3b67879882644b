/**
 * The mask editor's pure logic: view <-> image transforms, zoom about a point, fit, brush steps,
 * dirty rectangles, the dall-e-2 square, the undo history, and the strings the webview shows
 * being localized by the panel. (Its options fitted to a model: modelRules.test.ts.)
 */
import * as assert from 'assert';
import {
  clampPan,
  countPainted,
  coverageLabel,
  defaultBrushFor,
  fitTransform,
  formatString,
  imageToView,
  MAX_SCALE,
  maxBrushFor,
  MIN_SCALE,
  nextZoomStep,
  panBy,
  pressureWidth,
  segmentBounds,
  squareFor,
  stepBrush,
  unionRect,
  viewToImage,
  wheelZoomFactor,
  zoomBy,
  zoomLabel,
  zoomTo,
  ZOOM_STEPS,
  type ViewTransform,
} from '../../../src/shared/maskGeometry';
import { History, readRect, writeRect, type Step } from '../../../src/webview/edit/history';

const near = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} is not ${b} (±${eps})`);

suite('mask editor geometry: view and image coordinates', () => {
  test('imageToView and viewToImage are inverses', () => {
    const t: ViewTransform = { scale: 1.75, x: -33.5, y: 12.25 };
    for (const p of [
      { x: 0, y: 0 },
      { x: 639, y: 479 },
      { x: 12.5, y: 300.25 },
    ]) {
      const v = imageToView(t, p);
      const back = viewToImage(t, v);
      near(back.x, p.x);
      near(back.y, p.y);
    }
    assert.deepStrictEqual(imageToView(t, { x: 10, y: 20 }), { x: 10 * 1.75 - 33.5, y: 20 * 1.75 + 12.25 });
  });

  test('fit centres the whole image with a margin, scaling small images up (within a limit)', () => {
    const t = fitTransform({ width: 640, height: 480 }, { width: 1000, height: 600 }, 16);
    near(t.scale, (600 - 32) / 480);
    near(t.y, 16);
    near(t.x, (1000 - 640 * t.scale) / 2);
    const wide = fitTransform({ width: 4000, height: 1000 }, { width: 800, height: 800 }, 0);
    near(wide.scale, 0.2);
    near(wide.y, (800 - 200) / 2);
    const tiny = fitTransform({ width: 10, height: 10 }, { width: 1000, height: 1000 }, 0, 8);
    near(tiny.scale, 8);
  });

  test('fit keeps a margin proportionate in tiny views and survives empty sizes', () => {
    const t = fitTransform({ width: 100, height: 100 }, { width: 40, height: 40 }, 16);
    assert.ok(t.scale > 0.1, `scale ${t.scale}`);
    assert.deepStrictEqual(fitTransform({ width: 0, height: 10 }, { width: 100, height: 100 }), { scale: 1, x: 0, y: 0 });
    assert.deepStrictEqual(fitTransform({ width: 10, height: 10 }, { width: 0, height: 0 }), { scale: 1, x: 0, y: 0 });
  });

  test('zooming about a point keeps the image pixel under it in place', () => {
    const t: ViewTransform = { scale: 0.8, x: 40, y: -20 };
    const at = { x: 300, y: 200 };
    const before = viewToImage(t, at);
    for (const f of [2, 0.5, 1.1, 7]) {
      const z = zoomBy(t, f, at);
      near(z.scale, 0.8 * f);
      const after = viewToImage(z, at);
      near(after.x, before.x, 1e-9);
      near(after.y, before.y, 1e-9);
    }
  });

  test('zoom is clamped to its limits, still about the point', () => {
    const t: ViewTransform = { scale: 1, x: 0, y: 0 };
    const z = zoomTo(t, 1000, { x: 50, y: 50 });
    assert.strictEqual(z.scale, MAX_SCALE);
    near(viewToImage(z, { x: 50, y: 50 }).x, 50);
    assert.strictEqual(zoomTo(t, 0, { x: 0, y: 0 }).scale, MIN_SCALE);
  });

  test('+ and - step through the zoom levels, from any scale', () => {
    assert.strictEqual(nextZoomStep(1, 1), 1.5);
    assert.strictEqual(nextZoomStep(1, -1), 2 / 3);
    assert.strictEqual(nextZoomStep(1.2, 1), 1.5);
    assert.strictEqual(nextZoomStep(1.2, -1), 1);
    assert.strictEqual(nextZoomStep(MAX_SCALE, 1), MAX_SCALE);
    assert.strictEqual(nextZoomStep(MIN_SCALE, -1), MIN_SCALE);
    for (let i = 1; i < ZOOM_STEPS.length; i++) assert.ok(ZOOM_STEPS[i] > ZOOM_STEPS[i - 1]);
  });

  test('a wheel notch zooms about 1.2x; up zooms in, down zooms out; lines and pages count more', () => {
    const notch = wheelZoomFactor(-100);
    assert.ok(notch > 1.15 && notch < 1.25, String(notch));
    near(wheelZoomFactor(100) * notch, 1, 1e-9);
    assert.ok(wheelZoomFactor(-3, 1) > wheelZoomFactor(-3, 0));
    assert.ok(wheelZoomFactor(-100000) < 2, 'a huge delta is capped');
  });

  test('panning moves the image; clampPan keeps some of it in view', () => {
    assert.deepStrictEqual(panBy({ scale: 2, x: 1, y: 2 }, 10, -5), { scale: 2, x: 11, y: -3 });
    const img = { width: 100, height: 100 };
    const view = { width: 500, height: 400 };
    const far = clampPan({ scale: 1, x: 10000, y: -10000 }, img, view, 48);
    assert.strictEqual(far.x, 500 - 48);
    assert.strictEqual(far.y, 48 - 100);
    const ok = { scale: 1, x: 20, y: 30 };
    assert.deepStrictEqual(clampPan(ok, img, view), ok);
  });

  test('zoom labels', () => {
    assert.strictEqual(zoomLabel(1), '100%');
    assert.strictEqual(zoomLabel(1 / 3), '33%');
    assert.strictEqual(zoomLabel(16), '1600%');
    assert.strictEqual(zoomLabel(1 / 64), '1.6%');
  });
});

suite('mask editor geometry: brush', () => {
  test('default and largest brush follow the image size', () => {
    assert.strictEqual(defaultBrushFor({ width: 640, height: 480 }), 32);
    assert.strictEqual(defaultBrushFor({ width: 20, height: 20 }), 4);
    assert.strictEqual(defaultBrushFor({ width: 8000, height: 8000 }), 200);
    assert.strictEqual(maxBrushFor({ width: 640, height: 480 }), 320);
    assert.strictEqual(maxBrushFor({ width: 50, height: 50 }), 64);
  });

  test('[ and ] change the size by about 15%, at least 1 px, within limits', () => {
    assert.strictEqual(stepBrush(40, 1, 300), 46);
    assert.strictEqual(stepBrush(40, -1, 300), 34);
    assert.strictEqual(stepBrush(2, 1, 300), 3);
    assert.strictEqual(stepBrush(1, -1, 300), 1);
    assert.strictEqual(stepBrush(299, 1, 300), 300);
    let s = 20;
    for (let i = 0; i < 5; i++) s = stepBrush(s, 1, 1000);
    for (let i = 0; i < 5; i++) s = stepBrush(s, -1, 1000);
    assert.ok(Math.abs(s - 20) <= 2, `up 5 and down 5 returns near the start (${s})`);
  });

  test('pen pressure scales the width; mouse and touch paint at full size', () => {
    assert.strictEqual(pressureWidth(40, 0.5, 'mouse'), 40);
    assert.strictEqual(pressureWidth(40, 0, 'touch'), 40);
    near(pressureWidth(40, 1, 'pen'), 40);
    near(pressureWidth(40, 0.5, 'pen'), 40 * 0.65);
    assert.strictEqual(pressureWidth(40, 0, 'pen'), 40, 'a pen that reports no pressure');
    assert.ok(pressureWidth(1, 0.01, 'pen') >= 1);
  });

  test('segment bounds cover the round caps and antialiasing, clipped to the image', () => {
    const img = { width: 100, height: 80 };
    assert.deepStrictEqual(segmentBounds({ x: 10, y: 10 }, { x: 30, y: 10 }, 10, img), { x: 3, y: 3, width: 34, height: 14 });
    assert.deepStrictEqual(segmentBounds({ x: 0, y: 0 }, { x: 0, y: 0 }, 10, img), { x: 0, y: 0, width: 7, height: 7 });
    assert.strictEqual(segmentBounds({ x: -50, y: -50 }, { x: -40, y: -40 }, 10, img), undefined);
    assert.deepStrictEqual(segmentBounds({ x: 95, y: 75 }, { x: 120, y: 90 }, 4, img), { x: 91, y: 71, width: 9, height: 9 });
  });

  test('unionRect', () => {
    assert.strictEqual(unionRect(undefined, undefined), undefined);
    const a = { x: 1, y: 2, width: 3, height: 4 };
    assert.strictEqual(unionRect(a, undefined), a);
    assert.deepStrictEqual(unionRect(a, { x: 10, y: 0, width: 2, height: 2 }), { x: 1, y: 0, width: 11, height: 6 });
  });

  test('painted pixels and coverage', () => {
    assert.strictEqual(countPainted(new Uint8Array([0, 127, 128, 255, 200])), 3);
    assert.strictEqual(coverageLabel(0, 100), '0%');
    assert.strictEqual(coverageLabel(1, 1000), '<1%');
    assert.strictEqual(coverageLabel(374, 1000), '37%');
  });

  test('formatString fills placeholders and leaves unknown ones', () => {
    assert.strictEqual(formatString('{0} of {1}', 2, 'three'), '2 of three');
    assert.strictEqual(formatString('{0} {2}', 'a'), 'a {2}');
  });
});

suite('mask editor geometry: the square dall-e-2 is sent', () => {
  test('pad: the long side, centred, reaching outside the image', () => {
    assert.deepStrictEqual(squareFor({ width: 300, height: 500 }, 'pad'), { x: -100, y: 0, width: 500, height: 500 });
    assert.deepStrictEqual(squareFor({ width: 640, height: 480 }, 'pad'), { x: 0, y: -80, width: 640, height: 640 });
    assert.deepStrictEqual(squareFor({ width: 301, height: 500 }, 'pad'), { x: -99, y: 0, width: 500, height: 500 });
  });

  test('crop: the centre square inside the image (as src/core/prepare.ts cuts it)', () => {
    assert.deepStrictEqual(squareFor({ width: 300, height: 500 }, 'crop'), { x: 0, y: 100, width: 300, height: 300 });
    assert.deepStrictEqual(squareFor({ width: 641, height: 480 }, 'crop'), { x: 80, y: 0, width: 480, height: 480 });
    assert.deepStrictEqual(squareFor({ width: 256, height: 256 }, 'crop'), { x: 0, y: 0, width: 256, height: 256 });
  });
});

suite('mask editor: undo history', () => {
  const patch = (n: number, fill = 1): Step => ({ kind: 'patch', rect: { x: 0, y: 0, width: n, height: 1 }, before: new Uint8Array(n), after: new Uint8Array(n).fill(fill) });

  test('undo and redo walk the steps; a new step forgets the redo list', () => {
    const h = new History();
    assert.ok(!h.canUndo && !h.canRedo);
    const a = patch(2);
    const b = patch(3);
    h.push(a);
    h.push(b);
    assert.strictEqual(h.undo(), b);
    assert.ok(h.canRedo);
    assert.strictEqual(h.redo(), b);
    assert.strictEqual(h.redo(), undefined);
    assert.strictEqual(h.undo(), b);
    assert.strictEqual(h.undo(), a);
    assert.strictEqual(h.undo(), undefined);
    h.redo();
    h.push({ kind: 'invert' });
    assert.ok(!h.canRedo, 'redo list dropped');
    assert.strictEqual(h.size.steps, 2);
  });

  test('the oldest steps go when the byte budget is exceeded, never the newest', () => {
    const h = new History(100, 1000);
    for (let i = 0; i < 10; i++) h.push(patch(10)); // 20 bytes each
    assert.strictEqual(h.size.steps, 5);
    assert.strictEqual(h.size.bytes, 100);
    const big = patch(500);
    h.push(big);
    assert.strictEqual(h.size.steps, 1, 'a step larger than the budget is still kept alone');
    assert.strictEqual(h.undo(), big);
  });

  test('the step count is limited too', () => {
    const h = new History(1e9, 3);
    for (let i = 0; i < 5; i++) h.push({ kind: 'invert' });
    assert.strictEqual(h.size.steps, 3);
  });

  test('readRect and writeRect copy rectangles of a plane', () => {
    const plane = new Uint8Array(5 * 4).map((_, i) => i);
    const r = { x: 1, y: 1, width: 3, height: 2 };
    assert.deepStrictEqual([...readRect(plane, 5, r)], [6, 7, 8, 11, 12, 13]);
    writeRect(plane, 5, r, new Uint8Array([0, 0, 0, 9, 9, 9]));
    assert.deepStrictEqual([...plane.slice(5, 15)], [5, 0, 0, 0, 9, 10, 9, 9, 9, 14]);
  });
});
