/**
 * The gallery's UI: a filter, a virtualized grid of tiles (only the rows on screen are in the
 * DOM; thumbnails are asked from the host for those rows only), an action menu per tile, and a
 * dialog with the prompt and settings. Keyboard: arrows / Home / End / Page keys move between
 * tiles, Enter opens, Shift+F10 or the Menu key opens the actions, Delete deletes (after the
 * host's confirmation), Ctrl+C copies the path.
 */
import { matchesGalleryQuery, parseGalleryQuery } from '../../shared/gallerySearch';
import {
  GRID,
  gridLayout,
  itemRange,
  moveFocus,
  scrollToShow,
  thumbSizeFor,
  visibleRows,
  type FromGallery,
  type GalleryAction,
  type GalleryDetails,
  type GalleryFirstScreen,
  type GalleryItem,
  type GalleryItemsMessage,
  type GalleryReplyMessage,
  type GalleryThumb,
  type GalleryThumbMessage,
  type GridLayout,
} from '../../shared/galleryProtocol';
import { h, icon, isMac } from './dom';
import type { WebviewHost } from '../common/bootstrap';
import { s } from '../common/strings';

/** What the webview keeps across hiding, reloads and restarts (vscode.setState): UI state only. */
export interface UiState {
  readonly scrollTop?: number;
  readonly focusId?: string;
  readonly filter?: string;
}

export type Host = WebviewHost<FromGallery, UiState, GalleryReplyMessage>;

const { minTile: MIN_TILE, gap: GAP, caption: CAPTION, padding: PADDING, overscanRows: OVERSCAN_ROWS } = GRID;
/**
 * Encoded thumbnails kept (a few KB each); the oldest not on screen are dropped beyond this. Only
 * the tiles in the DOM hold decoded pixels (a canvas each), so memory stays flat however far the
 * list is scrolled: an <img> per thumbnail would leave decoded bitmaps in the image cache.
 */
const MAX_THUMB_BYTES = 24 * 1024 * 1024;

interface MenuEntry {
  readonly action: GalleryAction;
  readonly separatorBefore?: boolean;
}

const MENU: readonly MenuEntry[] = [
  { action: 'open' },
  { action: 'reveal' },
  { action: 'copyPath' },
  { action: 'insert' },
  { action: 'edit', separatorBefore: true },
  { action: 'variations' },
  { action: 'runAgain' },
  { action: 'rework' },
  { action: 'remix' },
  { action: 'showRecipe', separatorBefore: true },
  { action: 'copyPrompt' },
  { action: 'details' },
  { action: 'delete', separatorBefore: true },
];

/** The menu's words for an action (s() takes literals only, so that a test can check them). */
function label(action: GalleryAction): string {
  switch (action) {
    case 'open':
      return s('Open');
    case 'reveal':
      return s('Reveal in Explorer');
    case 'copyPath':
      return s('Copy Path');
    case 'insert':
      return s('Insert into Editor');
    case 'edit':
      return s('Edit with Mask…');
    case 'variations':
      return s('Create Variations…');
    case 'runAgain':
      return s('Run Again');
    case 'details':
      return s('Show Prompt and Settings');
    case 'showRecipe':
      return s('Show Recipe');
    case 'remix':
      return s('Remix…');
    case 'rework':
      return s('Rework…');
    case 'copyPrompt':
      return s('Copy Prompt');
    case 'delete':
      return s('Delete…');
  }
}

export class GalleryApp {
  private all: readonly GalleryItem[] = [];
  /** How many images the whole list has: more than `all` while only the first screen is known. */
  private total = 0;
  private shown: readonly GalleryItem[] = [];
  private scanning = true;
  private noWorkspace = false;
  private layout: GridLayout = gridLayout(0, 0, MIN_TILE, GAP, CAPTION);
  private readonly rowsInDom = new Map<number, HTMLElement>();
  private focusIndex = 0;
  private state: UiState;
  private restoreScroll: number | undefined;
  private frame = 0;
  private thumbTimer: ReturnType<typeof setTimeout> | undefined;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private lastWanted = '';
  /** Encoded thumbnails by `id\nrev` (null when the host could not make one), least recently shown first. */
  private readonly thumbs = new Map<string, Thumb | null>();
  private thumbBytes = 0;
  /** The keys of the versions listed now. */
  private live = new Set<string>();
  /** The first screen came with init and the host waits to hear that it is drawn. */
  private firstPending = false;
  /** The frame in which checkFirstDrawn looks next (0: none asked for). */
  private firstCheck = 0;
  /**
   * Thumbnails the host sends unasked (the first screen's, not inside its message): not asked for
   * again while they come, or each would be decoded twice. Dropped once the page asks for anything
   * itself (the host's queue then follows the page's wish).
   */
  private readonly promised = new Set<string>();
  private menuFor: { item: GalleryItem; restore: HTMLElement | null } | undefined;
  private dialogRestore: HTMLElement | null = null;

  private readonly root: HTMLElement;
  private readonly filter: HTMLInputElement;
  private readonly count = h('span', { class: 'count', 'aria-live': 'polite' });
  private readonly progress = h('div', { class: 'progress', role: 'progressbar', 'aria-label': s('Looking for images…'), hidden: true });
  private readonly scroller = h('div', { class: 'scroller' });
  private readonly grid: HTMLElement;
  private readonly empty = h('p', { class: 'empty', hidden: true });
  private readonly notice = h('div', { class: 'notice', role: 'status', 'aria-live': 'polite' });
  private readonly alert = h('div', { class: 'notice error', role: 'alert' });
  private readonly menu = h('div', { class: 'menu', role: 'menu', hidden: true });
  private readonly backdrop = h('div', { class: 'backdrop', hidden: true });
  private readonly dialog = h('div', { class: 'dialog', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'details-title' });
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly host: Host,
    mount: HTMLElement,
    /** The thumbnail size the tiles need (said in `ready`; follows the page's width). */
    private thumbSize: number,
  ) {
    this.state = host.getState() ?? {};
    this.restoreScroll = typeof this.state.scrollTop === 'number' ? this.state.scrollTop : undefined;

    this.filter = h('input', {
      type: 'search',
      id: 'filter',
      class: 'filter',
      placeholder: s('Search: words, model:, op:edit, after:2026-01-01, before:, on:2026-05'),
      'aria-label': s('Filter'),
      spellcheck: 'false',
      autocomplete: 'off',
    });
    this.filter.value = this.state.filter ?? '';
    this.filter.addEventListener('input', () => {
      this.saveState({ filter: this.filter.value });
      this.applyFilter();
      this.scroller.scrollTop = 0;
      this.render(true);
    });
    this.filter.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowDown' && this.shown.length) {
        e.preventDefault();
        this.focusTile(Math.min(this.focusIndex, this.shown.length - 1));
      }
    });

    this.grid = h('div', {
      class: 'grid',
      role: 'grid',
      'aria-label': s('Images Pixelwright made'),
      'aria-describedby': 'grid-help',
      'aria-readonly': 'true',
    });
    this.scroller.append(this.grid);
    this.scroller.addEventListener('scroll', () => this.scheduleRender(), { passive: true });
    this.grid.addEventListener('keydown', (e) => this.onGridKey(e));
    this.grid.addEventListener('focusin', (e) => {
      const tile = (e.target as HTMLElement).closest<HTMLElement>('.tile');
      if (tile) this.setFocusIndex(Number(tile.dataset.index), false);
    });
    this.grid.addEventListener('click', (e) => this.onGridClick(e));
    this.grid.addEventListener('dblclick', (e) => {
      const item = this.itemAt(e.target);
      if (item && !(e.target as HTMLElement).closest('button')) this.run('open', item);
    });
    this.grid.addEventListener('contextmenu', (e) => {
      const tile = (e.target as HTMLElement).closest<HTMLElement>('.tile');
      const item = this.itemAt(e.target);
      if (!tile || !item) return;
      e.preventDefault();
      this.setFocusIndex(Number(tile.dataset.index), true);
      this.openMenu(item, tile, e.clientX, e.clientY);
    });
    // a new width changes the layout, and render() then rebuilds the rows; the first call (on the
    // first layout) must not throw away the tiles just made
    new ResizeObserver(() => {
      this.followThumbSize();
      this.render(false);
    }).observe(this.scroller);

    this.menu.addEventListener('keydown', (e) => this.onMenuKey(e));
    this.menu.addEventListener('focusout', (e) => {
      if (!this.menu.contains(e.relatedTarget as Node | null)) this.closeMenu(false);
    });
    document.addEventListener('pointerdown', (e) => {
      if (!this.menu.hidden && !this.menu.contains(e.target as Node)) this.closeMenu(false);
    });

    this.backdrop.append(this.dialog);
    this.backdrop.addEventListener('click', (e) => {
      if (e.target === this.backdrop) this.closeDetails();
    });
    this.dialog.addEventListener('keydown', (e) => this.onDialogKey(e));

    this.root = h(
      'div',
      { class: 'gallery' },
      h('div', { class: 'bar' }, h('span', { class: 'filter-box' }, icon('search'), this.filter), this.count),
      this.progress,
      this.scroller,
      this.empty,
      h('p', { id: 'grid-help', class: 'visually-hidden' }, s('Arrow keys move between images, Enter opens one, Shift+F10 or the Menu key lists its actions.')),
      this.notice,
      this.alert,
      this.menu,
      this.backdrop,
    );
    mount.replaceChildren(this.root);
    this.updateChrome();
  }

  // ---- from the host -----------------------------------------------------------------------

  /** The first screen, before the whole list: its images, the list's length, the thumbnails at hand. */
  onFirst(m: GalleryFirstScreen): void {
    this.firstPending = true;
    const inside = new Set(m.thumbs.map(thumbKey));
    for (const i of m.items) if (!inside.has(thumbKey(i))) this.promised.add(thumbKey(i));
    this.onItems({ type: 'items', items: m.items, scanning: m.scanning, noWorkspace: m.noWorkspace }, m.total);
    this.onThumbs({ type: 'thumbs', items: m.thumbs });
    this.checkFirstDrawn();
  }

  /**
   * Once every tile of the first screen shows its picture (or has none to show), the host is told:
   * it holds the whole list until then, so that its arrival does not delay the first pictures.
   */
  private checkFirstDrawn(): void {
    // once per frame at most: each check reads the layout, which a picture put in just made stale
    if (!this.firstPending || this.firstCheck) return;
    this.firstCheck = requestAnimationFrame(() => {
      this.firstCheck = 0;
      this.firstDrawnNow();
    });
  }

  private firstDrawnNow(): void {
    if (!this.firstPending) return;
    const box = this.scroller.getBoundingClientRect();
    for (const tile of Array.from(this.grid.querySelectorAll<HTMLElement>('.tile'))) {
      const r = tile.getBoundingClientRect();
      const onScreen = r.bottom > box.top && r.top < box.bottom;
      if (onScreen && !tile.dataset.thumb && !tile.classList.contains('no-thumb')) return;
    }
    this.firstPending = false;
    this.host.post({ type: 'shown' });
  }

  /** The list (`total`: the whole list's length, when these are only its first images). */
  onItems(m: GalleryItemsMessage, total = m.items.length): void {
    const focusId = this.shown[this.focusIndex]?.id ?? this.state.focusId;
    this.all = m.items;
    this.total = Math.max(total, m.items.length);
    this.scanning = m.scanning;
    this.noWorkspace = !!m.noWorkspace;
    // Thumbnails of versions no longer listed are released.
    const live = new Set(m.items.map((i) => thumbKey(i)));
    this.live = live;
    for (const k of Array.from(this.thumbs.keys())) if (!live.has(k)) this.dropThumb(k);
    this.applyFilter();
    const at = focusId ? this.shown.findIndex((i) => i.id === focusId) : -1;
    this.focusIndex = at >= 0 ? at : Math.min(this.focusIndex, Math.max(0, this.shown.length - 1));
    this.lastWanted = '';
    const hadFocus = this.grid.contains(document.activeElement);
    // rows whose tiles are unchanged stay (their pictures too): the whole list after the first screen redraws nothing
    this.render(false);
    // A tile that had the focus keeps it (or, when it went, its successor takes it).
    if (hadFocus && this.shown.length) this.focusTile(this.focusIndex);
    if (this.restoreScroll !== undefined && this.shown.length) {
      this.scroller.scrollTop = this.restoreScroll;
      if (!this.scanning) this.restoreScroll = undefined;
      this.render(true);
    }
  }

  onThumbs(m: GalleryThumbMessage): void {
    for (const t of m.items) this.onThumb(t);
    this.trimThumbs();
  }

  private onThumb(m: GalleryThumb): void {
    const key = `${m.id}\n${m.rev}`;
    this.promised.delete(key);
    if (!this.live.has(key)) return; // a version no longer listed
    const thumb = m.bytes && m.mime ? { bytes: m.bytes, mime: m.mime, size: m.size ?? 0 } : null;
    this.dropThumb(key);
    this.thumbs.set(key, thumb);
    this.thumbBytes += thumb?.bytes.byteLength ?? 0;
    for (const tile of Array.from(this.grid.querySelectorAll<HTMLElement>('.tile'))) {
      if (tile.dataset.key === key) this.fillThumb(tile, thumb);
    }
  }

  // ---- filtering and layout ------------------------------------------------------------------

  private applyFilter(): void {
    const query = parseGalleryQuery(this.filter.value);
    const any = query.words.length || query.model || query.operation || query.from || query.to || query.invalid;
    this.shown = any ? this.all.filter((i) => matchesGalleryQuery(i, query)) : this.all;
    this.updateChrome();
  }

  /** The number of tiles the grid is laid out for: the whole list's, while only its first screen is known. */
  private get laidOut(): number {
    return this.shown === this.all ? this.total : this.shown.length;
  }

  private updateChrome(): void {
    const total = this.total;
    const n = this.shown === this.all ? total : this.shown.length;
    this.progress.hidden = !this.scanning;
    this.count.textContent = this.scanning && !total ? s('Looking for images…') : n !== total ? s('{0} of {1} images', n, total) : total === 1 ? s('1 image') : s('{0} images', total);
    this.grid.setAttribute('aria-rowcount', String(this.layout.rows));
    this.grid.setAttribute('aria-colcount', String(this.layout.columns));
    let text = '';
    if (this.noWorkspace) text = s('Open a folder to see the images Pixelwright made in it.');
    else if (!total && !this.scanning) text = s('No images yet. The images Pixelwright makes in this workspace appear here, newest first.');
    else if (total && !n) text = s('No image matches the filter.');
    this.empty.textContent = text;
    this.empty.hidden = !text;
  }

  private scheduleRender(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render(false);
      this.saveState({ scrollTop: Math.round(this.scroller.scrollTop) });
    });
  }

  /** Puts the rows on screen (plus a margin) into the DOM; `rebuild` redraws them all. */
  private render(rebuild: boolean): void {
    const width = this.scroller.clientWidth - PADDING * 2;
    const next = gridLayout(this.laidOut, width, MIN_TILE, GAP, CAPTION);
    if (next.columns !== this.layout.columns || next.tile !== this.layout.tile || next.rows !== this.layout.rows) rebuild = true;
    this.layout = next;
    this.grid.style.height = `${next.height + PADDING * 2}px`;
    this.grid.style.setProperty('--tile', `${next.tile}px`);
    this.updateChrome();
    if (rebuild) {
      for (const row of this.rowsInDom.values()) row.remove();
      this.rowsInDom.clear();
    }
    const rows = visibleRows(next, this.scroller.scrollTop - PADDING, this.scroller.clientHeight, OVERSCAN_ROWS);
    for (const [r, el] of this.rowsInDom) {
      const outside = r < rows.start || r >= rows.end;
      if (outside && el.contains(document.activeElement)) continue; // keep the focused tile in the DOM
      if (outside || el.dataset.sig !== this.rowSig(r)) {
        el.remove();
        this.rowsInDom.delete(r);
      }
    }
    for (let r = rows.start; r < rows.end; r++) if (!this.rowsInDom.has(r)) this.rowsInDom.set(r, this.makeRow(r));
    // The grid's tab stop: the focused tile, or the first one on screen when it scrolled away.
    const focusRow = Math.floor(this.focusIndex / next.columns);
    if (!this.rowsInDom.has(focusRow) && !this.grid.contains(document.activeElement) && this.shown.length) {
      const firstOnScreen = visibleRows(next, this.scroller.scrollTop - PADDING, this.scroller.clientHeight, 0).start;
      this.focusIndex = Math.min(this.shown.length - 1, firstOnScreen * next.columns);
    }
    this.updateTabStop();
    this.scheduleThumbs(itemRange(rows, next.columns, this.shown.length));
  }

  /** What row `r` shows (its tiles' versions): a row in the DOM is kept while this is unchanged. */
  private rowSig(r: number): string {
    const { columns } = this.layout;
    return `${columns}\t${this.shown
      .slice(r * columns, (r + 1) * columns)
      .map((i) => `${thumbKey(i)}\n${i.prompt}\n${i.when}`)
      .join('\t')}`;
  }

  private makeRow(r: number): HTMLElement {
    const { columns, rowHeight } = this.layout;
    const row = h('div', { class: 'row', role: 'row', 'aria-rowindex': r + 1, 'data-sig': this.rowSig(r) });
    row.style.transform = `translateY(${PADDING + r * rowHeight}px)`;
    for (let c = 0; c < columns; c++) {
      const i = r * columns + c;
      const item = this.shown[i];
      if (!item) break;
      row.append(this.makeTile(item, i, c));
    }
    // Rows stay in index order in the DOM (screen readers read it in that order).
    const after = [...this.rowsInDom.entries()].filter(([k]) => k > r).sort((a, b) => a[0] - b[0])[0]?.[1];
    this.grid.insertBefore(row, after ?? null);
    return row;
  }

  private makeTile(item: GalleryItem, index: number, column: number): HTMLElement {
    const when = item.when;
    const tile = h('div', {
      class: 'tile',
      role: 'gridcell',
      tabindex: -1,
      'aria-colindex': column + 1,
      'aria-label': s('{0}, {1}, {2}', item.prompt.trim() || item.name, item.model, when),
      'data-index': index,
      'data-id': item.id,
      'data-key': thumbKey(item),
      title: `${item.prompt}\n${item.name} · ${item.model} · ${when}`,
    });
    const box = h('div', { class: 'thumb' });
    const actions = h(
      'div',
      { class: 'actions' },
      this.tileButton('open', s('Open'), () => this.run('open', item)),
      this.tileButton('insert', s('Insert into Editor'), () => this.run('insert', item)),
      this.tileButton('more', s('More actions'), (b) => this.openMenu(item, b), true),
    );
    tile.append(box, h('div', { class: 'caption' }, item.prompt), actions);
    const key = thumbKey(item);
    const thumb = this.thumbs.get(key);
    this.fillThumb(tile, thumb);
    if (thumb !== undefined) {
      // refresh its place in the LRU order
      this.thumbs.delete(key);
      this.thumbs.set(key, thumb);
    }
    return tile;
  }

  private tileButton(name: string, label: string, onClick: (b: HTMLButtonElement) => void, menu = false): HTMLButtonElement {
    const b = h('button', { type: 'button', class: 'icon-button', tabindex: -1, 'aria-label': label, title: label, 'aria-haspopup': menu ? 'menu' : undefined }, icon(name));
    b.addEventListener('click', (e) => {
      e.stopPropagation();
      onClick(b);
    });
    return b;
  }

  /** Shows a thumbnail in a tile: decoded off the main thread, drawn into a canvas the tile owns. */
  private fillThumb(tile: HTMLElement, thumb: Thumb | null | undefined): void {
    const box = tile.querySelector('.thumb');
    if (!box) return;
    if (thumb === undefined) {
      tile.classList.add('loading');
      return;
    }
    if (thumb === null) {
      box.replaceChildren(h('span', { class: 'placeholder', title: s('No preview') }, icon('image')));
      tile.classList.add('no-thumb');
      tile.classList.remove('loading');
      this.checkFirstDrawn();
      return;
    }
    const key = tile.dataset.key;
    void createImageBitmap(new Blob([thumb.bytes as Uint8Array<ArrayBuffer>], { type: thumb.mime })).then(
      (bmp) => {
        // the tile may have been recycled or removed meanwhile
        if (tile.isConnected && tile.dataset.key === key) {
          const { width, height } = bmp;
          const canvas = h('canvas', { width, height, 'aria-hidden': 'true' });
          // the decoded bitmap is handed to the canvas as it is (no copy, no draw)
          const renderer = canvas.getContext('bitmaprenderer');
          if (renderer) renderer.transferFromImageBitmap(bmp);
          else canvas.getContext('2d')?.drawImage(bmp, 0, 0);
          box.replaceChildren(canvas);
          tile.classList.remove('loading', 'no-thumb');
          tile.dataset.thumb = `${width}x${height}`;
          this.checkFirstDrawn();
        }
        bmp.close();
      },
      () => this.fillThumb(tile, null),
    );
  }

  private dropThumb(key: string): void {
    const t = this.thumbs.get(key);
    if (t) this.thumbBytes -= t.bytes.byteLength;
    this.thumbs.delete(key);
  }

  private trimThumbs(): void {
    if (this.thumbBytes <= MAX_THUMB_BYTES) return;
    const onScreen = new Set(Array.from(this.grid.querySelectorAll<HTMLElement>('.tile')).map((t) => t.dataset.key));
    for (const k of Array.from(this.thumbs.keys())) {
      if (this.thumbBytes <= MAX_THUMB_BYTES) break;
      if (!onScreen.has(k)) this.dropThumb(k);
    }
  }

  /**
   * The page's width changed: its tiles may need thumbnails of another size (a narrower sidebar
   * can mean one wide column). Those smaller than the new size are asked for again; until they
   * come, the tiles keep what they show.
   */
  private followThumbSize(): void {
    const size = thumbSizeFor(window.innerWidth, window.devicePixelRatio);
    if (size === this.thumbSize) return;
    this.thumbSize = size;
    this.lastWanted = '';
    this.promised.clear();
  }

  /** A thumbnail to ask for: none yet, or one made smaller than the tiles need now. */
  private lacksThumb(i: GalleryItem): boolean {
    const key = thumbKey(i);
    const t = this.thumbs.get(key);
    return t === undefined ? !this.promised.has(key) : t !== null && t.size < this.thumbSize;
  }

  /** Asks the host for the thumbnails of the tiles in the DOM that have none yet (debounced while scrolling). */
  private scheduleThumbs(range: { start: number; end: number }): void {
    if (this.thumbTimer) clearTimeout(this.thumbTimer);
    this.thumbTimer = setTimeout(() => {
      this.thumbTimer = undefined;
      const wanted = this.shown.slice(range.start, range.end).filter((i) => this.lacksThumb(i));
      const sig = wanted.map(thumbKey).join('\t');
      if (sig === this.lastWanted) return;
      this.lastWanted = sig;
      if (!wanted.length) return;
      // the host's queue now follows this wish: what it promised and has not sent yet is asked for again next time
      this.promised.clear();
      this.host.post({ type: 'thumbs', items: wanted.map((i) => ({ id: i.id, rev: i.rev })), size: this.thumbSize });
    }, 40);
  }

  // ---- focus and keys --------------------------------------------------------------------------

  private tileEl(index: number): HTMLElement | null {
    return this.grid.querySelector<HTMLElement>(`.tile[data-index="${index}"]`);
  }

  private updateTabStop(): void {
    for (const t of Array.from(this.grid.querySelectorAll<HTMLElement>('.tile[tabindex="0"]'))) t.tabIndex = -1;
    const el = this.tileEl(this.focusIndex);
    if (el) el.tabIndex = 0;
  }

  private setFocusIndex(index: number, save: boolean): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.shown.length) return;
    this.focusIndex = index;
    this.updateTabStop();
    if (save) this.saveState({ focusId: this.shown[index].id });
  }

  /** Scrolls tile `index` into view, renders it and focuses it. */
  private focusTile(index: number): void {
    if (!this.shown.length) return;
    const i = Math.max(0, Math.min(this.shown.length - 1, index));
    const row = Math.floor(i / this.layout.columns);
    // Rows sit PADDING below the top of the scrolled content.
    const viewTop = this.scroller.scrollTop - PADDING;
    const want = scrollToShow(row, this.layout.rowHeight, viewTop, this.scroller.clientHeight - PADDING);
    if (want !== viewTop) this.scroller.scrollTop = row === 0 ? 0 : want + PADDING;
    this.focusIndex = i;
    this.render(false);
    this.setFocusIndex(i, true);
    this.tileEl(i)?.focus({ preventScroll: true });
  }

  private onGridKey(e: KeyboardEvent): void {
    const tile = (e.target as HTMLElement).closest<HTMLElement>('.tile');
    if (!tile || (e.target as HTMLElement).closest('button')) return;
    const index = Number(tile.dataset.index);
    const item = this.shown[index];
    if (!item) return;
    const mod = isMac ? e.metaKey : e.ctrlKey;
    const pageRows = Math.max(1, Math.floor(this.scroller.clientHeight / this.layout.rowHeight) - 1);
    const to = moveFocus(index, e.key, this.layout.columns, this.shown.length, pageRows, e.ctrlKey || e.metaKey);
    if (to !== undefined && !e.altKey && !e.shiftKey) {
      e.preventDefault();
      this.focusTile(to);
      return;
    }
    if (e.key === 'Enter' && !e.altKey) {
      e.preventDefault();
      this.run('open', item);
    } else if ((e.key === 'F10' && e.shiftKey) || e.key === 'ContextMenu') {
      e.preventDefault();
      this.openMenu(item, tile);
    } else if (e.key === 'Delete' || (isMac && e.key === 'Backspace' && e.metaKey)) {
      e.preventDefault();
      this.run('delete', item);
    } else if (mod && (e.key === 'c' || e.key === 'C') && !e.shiftKey && !e.altKey) {
      e.preventDefault();
      this.run('copyPath', item);
    } else if (e.key === 'Escape' && this.filter.value) {
      e.preventDefault();
      this.filter.focus();
    }
  }

  private onGridClick(e: MouseEvent): void {
    const tile = (e.target as HTMLElement).closest<HTMLElement>('.tile');
    if (!tile) return;
    this.setFocusIndex(Number(tile.dataset.index), true);
    if (!(e.target as HTMLElement).closest('button')) tile.focus({ preventScroll: true });
  }

  private itemAt(target: EventTarget | null): GalleryItem | undefined {
    const tile = (target as HTMLElement | null)?.closest<HTMLElement>('.tile');
    return tile ? this.shown[Number(tile.dataset.index)] : undefined;
  }

  // ---- actions ------------------------------------------------------------------------------------

  /** Asks the host to act on an image; shows its notice or error when it answers. */
  private run(action: GalleryAction, item: GalleryItem): void {
    this.host.request({ type: 'action', action, item: item.id }).then(
      (r) => {
        if (r.notice) this.say(r.notice, false);
        if (r.details) this.showDetails(r.details);
      },
      (err: Error) => this.say(err.message, true),
    );
  }

  private say(text: string, error: boolean): void {
    const el = error ? this.alert : this.notice;
    (error ? this.notice : this.alert).textContent = '';
    el.textContent = text;
    el.classList.add('visible');
    if (this.noticeTimer) clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => {
      this.notice.classList.remove('visible');
      this.alert.classList.remove('visible');
    }, error ? 8000 : 3000);
  }

  // ---- the action menu -------------------------------------------------------------------------

  private openMenu(item: GalleryItem, anchor: HTMLElement, x?: number, y?: number): void {
    this.closeMenu(false);
    this.menuFor = { item, restore: anchor.closest<HTMLElement>('.tile') ?? anchor };
    this.menu.setAttribute('aria-label', s('Actions for {0}', item.name));
    const entries = MENU.filter((m) => (m.action !== 'runAgain' || item.operation === 'generate') && (m.action !== 'rework' || item.operation !== 'generate'));
    this.menu.replaceChildren(
      ...entries.flatMap((m, i) => {
        const b = h('button', { type: 'button', role: 'menuitem', tabindex: -1, class: m.action === 'delete' ? 'danger' : undefined, 'data-action': m.action }, label(m.action));
        b.addEventListener('click', () => {
          this.closeMenu(true);
          this.run(m.action, item);
        });
        return m.separatorBefore && i > 0 ? [h('div', { role: 'separator', class: 'sep' }), b] : [b];
      }),
    );
    this.menu.hidden = false;
    const r = anchor.getBoundingClientRect();
    const mw = this.menu.offsetWidth;
    const mh = this.menu.offsetHeight;
    let left = x ?? r.left;
    let top = y ?? r.bottom + 2;
    if (left + mw > window.innerWidth - 4) left = Math.max(4, window.innerWidth - mw - 4);
    if (top + mh > window.innerHeight - 4) top = Math.max(4, (y ?? r.top) - mh - 2);
    this.menu.style.left = `${left}px`;
    this.menu.style.top = `${top}px`;
    this.menuItems()[0]?.focus();
  }

  private menuItems(): HTMLButtonElement[] {
    return Array.from(this.menu.querySelectorAll<HTMLButtonElement>('[role="menuitem"]'));
  }

  private closeMenu(restoreFocus: boolean): void {
    if (this.menu.hidden) return;
    this.menu.hidden = true;
    const restore = this.menuFor?.restore;
    this.menuFor = undefined;
    if (restoreFocus && restore?.isConnected) restore.focus({ preventScroll: true });
  }

  private onMenuKey(e: KeyboardEvent): void {
    const items = this.menuItems();
    const at = items.indexOf(document.activeElement as HTMLButtonElement);
    let to: number | undefined;
    if (e.key === 'ArrowDown') to = (at + 1) % items.length;
    else if (e.key === 'ArrowUp') to = (at - 1 + items.length) % items.length;
    else if (e.key === 'Home') to = 0;
    else if (e.key === 'End') to = items.length - 1;
    else if (e.key === 'Escape' || e.key === 'Tab') {
      e.preventDefault();
      this.closeMenu(true);
      return;
    } else if (e.key.length === 1 && /\S/.test(e.key)) {
      // type-ahead: the next item starting with that letter
      const k = e.key.toLowerCase();
      for (let n = 1; n <= items.length; n++) {
        const c = items[(at + n) % items.length];
        if ((c.textContent ?? '').trim().toLowerCase().startsWith(k)) {
          to = (at + n) % items.length;
          break;
        }
      }
    }
    if (to !== undefined) {
      e.preventDefault();
      items[to]?.focus();
    }
  }

  // ---- the details dialog ----------------------------------------------------------------------

  private showDetails(d: GalleryDetails): void {
    this.dialogRestore = (document.activeElement as HTMLElement | null) ?? null;
    const row = (label: string, value: Node | string | undefined) => (value === undefined || value === '' ? [] : [h('dt', {}, label), h('dd', {}, value)]);
    const op = d.operation === 'edit' ? s('edit') : d.operation === 'variation' ? s('variation') : s('generation');
    const optionList = Object.entries(d.options);
    const close = h('button', { type: 'button', class: 'icon-button close', 'aria-label': s('Close'), title: s('Close') }, icon('close'));
    close.addEventListener('click', () => this.closeDetails());
    const size = d.width && d.height ? s('{0} × {1} px, {2}', d.width, d.height, formatBytes(d.bytes ?? 0)) : formatBytes(d.bytes ?? 0);
    this.dialog.replaceChildren(
      h('div', { class: 'dialog-head' }, h('h2', { id: 'details-title' }, s('Prompt and settings')), close),
      h(
        'dl',
        { class: 'details' },
        ...row(s('Prompt'), h('span', { class: 'prompt-text' }, d.prompt)),
        ...row(s('Revised prompt (by the model)'), d.revisedPrompt ? h('span', { class: 'prompt-text' }, d.revisedPrompt) : undefined),
        ...row(s('Model'), d.model),
        ...row(s('Operation'), op),
        ...row(s('Options'), optionList.length ? h('span', { class: 'options' }, ...optionList.map(([k, v]) => h('code', {}, `${k}: ${String(v)}`))) : undefined),
        ...row(s('Sources'), d.sources?.length ? d.sources.join(', ') : undefined),
        ...row(s('Created'), d.when ?? d.createdAt),
        ...row(s('File'), `${d.id} (${size})`),
        ...row(s('Provider'), d.provider),
        ...row(s('Tool'), d.tool),
      ),
      d.truncated?.length ? h('p', { class: 'hint' }, s('Shortened to fit the file: {0}', d.truncated.join(', '))) : '',
    );
    this.backdrop.hidden = false;
    close.focus();
  }

  private closeDetails(): void {
    if (this.backdrop.hidden) return;
    this.backdrop.hidden = true;
    const back = this.dialogRestore;
    this.dialogRestore = null;
    if (back?.isConnected) back.focus({ preventScroll: true });
    else this.tileEl(this.focusIndex)?.focus({ preventScroll: true });
  }

  private onDialogKey(e: KeyboardEvent): void {
    if (e.key === 'Escape') {
      e.preventDefault();
      this.closeDetails();
    } else if (e.key === 'Tab') {
      // focus stays in the dialog: its only control is Close
      const focusables = Array.from(this.dialog.querySelectorAll<HTMLElement>('button'));
      if (focusables.length <= 1) {
        e.preventDefault();
        focusables[0]?.focus();
      }
    }
  }

  // ---- state ----------------------------------------------------------------------------------

  private saveState(patch: Partial<UiState>): void {
    this.state = { ...this.state, ...patch };
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.host.setState(this.state);
    }, 100);
  }
}

interface Thumb {
  readonly bytes: Uint8Array;
  readonly mime: string;
  /** The size it was made at (0: not said). */
  readonly size: number;
}

function thumbKey(i: { id: string; rev: string }): string {
  return `${i.id}\n${i.rev}`;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
