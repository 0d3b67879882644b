/** The mask editor's icons; the DOM helpers are shared (../common/dom). */
import { lineIcon } from '../common/dom';

export { h, isMac, isTextEntry, modKey, toggleAttr } from '../common/dom';

/** 16x16 line icons drawn with currentColor (so they follow the theme). */
const ICONS: Record<string, string> = {
  brush: 'M13.5 2.5 7 9M7 9l-1.5-1.5M7 9c0 2.2-1.3 4-4.5 4 .6-1 .8-2 1-3 .3-1.2 1.2-2 2-2',
  eraser: 'M6 13.5h7.5M2.8 9.7 8.7 3.8a1 1 0 0 1 1.4 0l3.1 3.1a1 1 0 0 1 0 1.4L8 13.5H5.6L2.8 10.7a.7.7 0 0 1 0-1zM5.5 7l4.5 4.5',
  undo: 'M5.5 3.5 2.5 6.5l3 3M2.5 6.5h7a3.5 3.5 0 0 1 0 7H7',
  redo: 'M10.5 3.5l3 3-3 3M13.5 6.5h-7a3.5 3.5 0 0 0 0 7H9',
  invert: 'M8 2.5a5.5 5.5 0 1 0 0 11zM8 2.5a5.5 5.5 0 1 1 0 11',
  clear: 'M3 4.5h10M6.5 4.5V3h3v1.5M4.5 4.5l.7 9h5.6l.7-9',
  eye: 'M1.5 8s2.4-4.5 6.5-4.5S14.5 8 14.5 8 12.1 12.5 8 12.5 1.5 8 1.5 8zM8 10a2 2 0 1 0 0-4 2 2 0 0 0 0 4z',
  zoomIn: 'M7 3.5a3.5 3.5 0 1 0 0 7 3.5 3.5 0 0 0 0-7zM9.6 9.6l3.9 3.9M5.2 7h3.6M7 5.2v3.6',
  zoomOut: 'M7 3.5a3.5 3.5 0 1 0 0 7 3.5 3.5 0 0 0 0-7zM9.6 9.6l3.9 3.9M5.2 7h3.6',
  fit: 'M2.5 6V2.5H6M10 2.5h3.5V6M13.5 10v3.5H10M6 13.5H2.5V10',
  help: 'M8 14.5a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13zM6.2 6.2A1.9 1.9 0 0 1 8 4.8c1 0 1.9.7 1.9 1.7 0 1.4-1.9 1.5-1.9 2.9M8 11.2v.1',
  add: 'M8 3v10M3 8h10',
  pen: 'M10.5 3 13 5.5 6 12.5 2.5 13.5 3.5 10zM9 4.5 11.5 7',
  arrow: 'M3 13 12.5 3.5M7 3.5h5.5V9',
  box: 'M2.5 3.5h11v9h-11z',
  ellipse: 'M8 3.5c3 0 5.5 2 5.5 4.5S11 12.5 8 12.5 2.5 10.5 2.5 8 5 3.5 8 3.5z',
  close: 'M4 4l8 8M12 4l-8 8',
};

export function icon(name: string): SVGSVGElement {
  return lineIcon(ICONS[name] ?? '', 1.3);
}
