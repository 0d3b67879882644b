/** The gallery's icons; the DOM helpers are shared (../common/dom). */
import { lineIcon } from '../common/dom';

export { h, isMac, isTextEntry, modKey, toggleAttr } from '../common/dom';

/** 16x16 line icons drawn with currentColor (so they follow the theme). */
const ICONS: Record<string, string> = {
  open: 'M9.5 2.5h4v4M13.5 2.5 8 8M12 9.5v3a1 1 0 0 1-1 1H3.5a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1h3',
  insert: 'M3 3.5h10M3 6.5h4M3 9.5h4M3 12.5h10M9.5 6.5l2.5 1.5-2.5 1.5z',
  more: 'M3.5 8h.01M8 8h.01M12.5 8h.01',
  close: 'M4 4l8 8M12 4l-8 8',
  image: 'M2.5 3.5h11v9h-11zM2.5 10.5l3-3 3 3 2-2 3 3M10.5 6a.5.5 0 1 0 0-.01',
  search: 'M7 3a4 4 0 1 0 0 8 4 4 0 0 0 0-8zM10 10l3.5 3.5',
};

export function icon(name: string): SVGSVGElement {
  return lineIcon(ICONS[name] ?? '', name === 'more' ? 2.2 : 1.3);
}
