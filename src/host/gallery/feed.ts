/**
 * What the gallery host says to one page, and when: the first screen first, the rest after.
 *
 *  - Before the page is ready, the first screen's thumbnails are read (or made) into memory.
 *  - On `ready` with the page's size, one `init` message carries the words, the first screen's
 *    images and those of their thumbnails at hand, so that the page paints it from one message.
 *    The missing thumbnails follow as they are ready; the whole list waits until the page says it
 *    drew that screen (`shown`, or FULL_LIST_WAIT_MS at most): a list of 1000 images arriving
 *    while the first pictures decode delays them by hundreds of ms.
 *  - Later changes of the list are re-sent whole (throttled); thumbnails the page asks for are
 *    sent as they are ready, several per message.
 *
 * Dates are put into words here, not in the page: the page's first Intl.DateTimeFormat costs a
 * fresh renderer 100 ms or more (its ICU data), the extension host pays it once per process.
 *
 * Plain Node (no `vscode`): the view (./view.ts) feeds it its index and posts what it says; the
 * benchmark (bench/gallery.mjs) drives the same code with its own list.
 */
import type { StoredRecord } from '../../core/metadata';
import { firstScreenCount, type GalleryFirstScreen, type GalleryItem, type GalleryReadyMessage, type GalleryThumb, type ToGallery } from '../../shared/galleryProtocol';
import { ThumbnailFeed, type ThumbJob, type ThumbnailCache } from './thumbnails';

/** Longest prompt sent with the list (labels and tooltips); the details carry the whole one. */
export const LIST_PROMPT_CHARS = 240;
/** Thumbnails read (or made) while the page loads, before it says how much it shows. */
export const DEFAULT_FIRST_SCREEN = 16;
/** Items are re-sent at most this often while files keep changing. */
const ITEMS_THROTTLE_MS = 120;
/** The whole list is sent this long after the first screen at the latest, if the page does not say it drew it. */
export const FULL_LIST_WAIT_MS = 1500;

/** An image as the feed needs it (the index's entries have more). */
export interface FeedImage {
  readonly id: string;
  readonly rev: string;
  readonly record: StoredRecord;
  readonly width?: number;
  readonly height?: number;
}

/** The list the feed shows, and how to reach each image's bytes. */
export interface FeedSource<I extends FeedImage> {
  /** Newest first. */
  items(): readonly I[];
  get(id: string): I | undefined;
  /** The first scan of the workspace still runs. */
  readonly scanning: boolean;
  /** No folder is open. */
  noWorkspace(): boolean;
  /** The file name shown under the tile. */
  name(image: I): string;
  /** Where the thumbnail maker finds the file. */
  job(image: I): ThumbJob;
}

export interface FeedOptions {
  /** The UI's language (BCP 47): dates are written in it. */
  readonly locale: string;
  /** The page's words (localized), sent with `init`. */
  readonly strings: () => Record<string, string>;
  /** Posts to the page (in order, without waiting for the page to take each). */
  readonly post: (message: ToGallery) => unknown;
  /** A page is shown and has said `ready` (it may have gone since: hidden views lose their page). */
  readonly isReady: () => boolean;
  /** How long the whole list waits for the page's `shown` (default FULL_LIST_WAIT_MS). */
  readonly fullListWaitMs?: number;
}

/** Dates in words, in one language; the formatter is made on first use (or by warm()). */
export class DateText {
  private format: Intl.DateTimeFormat | undefined;

  constructor(private readonly locale: string) {}

  /** Makes the formatter now (it costs tens of ms the first time in a process). */
  warm(): void {
    if (this.format) return;
    try {
      this.format = new Intl.DateTimeFormat(this.locale || undefined, { dateStyle: 'medium', timeStyle: 'short' });
    } catch {
      this.format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
    }
  }

  /** An ISO 8601 date in words; empty when it is not one. */
  text(iso: unknown): string {
    const t = typeof iso === 'string' ? Date.parse(iso) : NaN;
    if (!Number.isFinite(t)) return '';
    this.warm();
    return this.format!.format(t);
  }
}

/** An image as the list sends it. */
export function listItem(image: FeedImage, name: string, dates: DateText): GalleryItem {
  const r = image.record;
  const operation = r.operation === 'edit' || r.operation === 'variation' ? r.operation : 'generate';
  const createdAt = typeof r.createdAt === 'string' ? r.createdAt : '';
  return {
    id: image.id,
    rev: image.rev,
    name,
    prompt: r.prompt.length > LIST_PROMPT_CHARS ? `${r.prompt.slice(0, LIST_PROMPT_CHARS - 1)}…` : r.prompt,
    model: r.model,
    operation,
    createdAt,
    when: dates.text(createdAt),
    width: image.width,
    height: image.height,
  };
}

export class GalleryFeed<I extends FeedImage> {
  readonly dates: DateText;
  private readonly thumbs: ThumbnailFeed;
  /** How many tiles the page shows first (from its size); 0: it asks for what it shows. */
  private firstScreen = 0;
  /** The thumbnail size the page asked for (until it does: the size the last page asked for). */
  private thumbSize: number;
  private itemsTimer: ReturnType<typeof setTimeout> | undefined;
  private lastItemsAt = 0;
  private firstSent: (() => void) | undefined;
  /** The whole list waits for the page's `shown` (or this timer). */
  private holdTimer: ReturnType<typeof setTimeout> | undefined;
  /** The page got an empty first screen (the list was not known yet): the list's first screen is still owed. */
  private firstOwed = false;
  /** What the page got last (ids, versions, scan state): an unchanged list is not sent again. */
  private lastSig = '';
  /**
   * Resolves once a page drew its first screen (or got the whole list): other work (the check of
   * the kept list against the disk) waits for it rather than compete with the first pictures.
   */
  readonly firstScreenSent: Promise<void>;

  constructor(
    private readonly cache: ThumbnailCache,
    private readonly source: FeedSource<I>,
    private readonly options: FeedOptions,
  ) {
    this.dates = new DateText(options.locale);
    this.thumbSize = cache.lastSize;
    this.thumbs = new ThumbnailFeed(cache, (items) => void options.post({ type: 'thumbs', items }));
    this.firstScreenSent = new Promise<void>((resolve) => (this.firstSent = resolve));
  }

  /** While the page loads: the first screen's thumbnails into memory (read, or made). */
  prefetch(): void {
    // no size: the cache takes the one the last page asked for (its folder's listing says which)
    this.thumbs.prefetch(this.source.items().slice(0, DEFAULT_FIRST_SCREEN).map((image) => this.source.job(image)));
  }

  /** The page said `ready`: its first screen in one message, then the whole list and the missing thumbnails. */
  onReady(msg: GalleryReadyMessage): void {
    this.thumbs.reset();
    this.release();
    this.lastSig = '';
    this.firstOwed = false;
    this.firstScreen = msg.view ? firstScreenCount(msg.view.width, msg.view.height) : 0;
    this.thumbSize = msg.thumbSize ?? this.cache.lastSize;
    if (msg.thumbSize) this.cache.rememberSize(msg.thumbSize);
    const base = { type: 'init' as const, strings: this.options.strings(), locale: this.options.locale };
    if (!this.firstScreen) {
      this.options.post(base);
      this.sendItems();
      return;
    }
    const list = this.source.items();
    this.options.post({ ...base, first: this.firstScreenOf(list) });
    this.afterFirst(list);
    // Nothing to show yet (the first scan runs): the first screen goes out on its own once the list is known.
    this.firstOwed = list.length === 0;
  }

  /** The first `firstScreen` images of the list, with those of their thumbnails at hand. */
  private firstScreenOf(list: readonly I[]): GalleryFirstScreen {
    const head = list.slice(0, this.firstScreen);
    const thumbs: GalleryThumb[] = [];
    for (const image of head) {
      const t = this.cache.peek({ id: image.id, rev: image.rev, size: this.thumbSize });
      if (t !== undefined) thumbs.push({ id: image.id, rev: image.rev, bytes: t?.bytes, mime: t?.mime });
    }
    this.thumbs.markSent(thumbs);
    this.lastItemsAt = Date.now();
    return { items: head.map((i) => this.item(i)), total: list.length, scanning: this.source.scanning, noWorkspace: this.source.noWorkspace() || undefined, thumbs };
  }

  /** After a first screen went out: its missing thumbnails first (they are on screen), the rest of the list once the page drew them. */
  private afterFirst(list: readonly I[]): void {
    this.thumbs.push(this.firstJobs(this.firstScreen));
    if (list.length > this.firstScreen) {
      this.holdTimer = setTimeout(() => this.onShown(), this.options.fullListWaitMs ?? FULL_LIST_WAIT_MS);
    } else {
      this.lastSig = this.signature(list);
      this.firstSent?.();
    }
  }

  /** The page drew its first screen: the whole list now (as it is now). */
  onShown(): void {
    if (!this.holdTimer) return;
    this.release();
    this.sendItems();
    this.firstSent?.();
  }

  private release(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = undefined;
  }

  /** The list changed: sent again (at most every ITEMS_THROTTLE_MS). */
  listChanged(): void {
    // held for the first screen: the list goes out as it is then
    if (this.itemsTimer || this.holdTimer) return;
    if (this.firstOwed && this.options.isReady()) {
      const list = this.source.items();
      if (list.length) {
        // the first scan found images: their first screen at once, as init would have carried it
        this.firstOwed = false;
        this.options.post({ type: 'first', first: this.firstScreenOf(list) });
        this.afterFirst(list);
        return;
      }
    }
    const wait = Math.max(0, this.lastItemsAt + ITEMS_THROTTLE_MS - Date.now());
    this.itemsTimer = setTimeout(() => {
      this.itemsTimer = undefined;
      this.sendItems();
    }, wait);
  }

  /**
   * The thumbnails the page asks for (those of versions no longer listed are left out). `size`:
   * its tiles now need another size; what is still on its way at the old size is dropped (the page
   * asks again for what it lacks), and the next window starts with the new size.
   */
  request(wanted: readonly { id: string; rev: string }[], size?: number): void {
    if (size !== undefined && size !== this.thumbSize) {
      this.thumbSize = size;
      this.cache.rememberSize(size);
      this.thumbs.reset();
    }
    const jobs: ThumbJob[] = [];
    for (const w of wanted) {
      const image = this.source.get(w.id);
      if (image && image.rev === w.rev) jobs.push(this.job(image));
    }
    this.thumbs.request(jobs);
  }

  dispose(): void {
    if (this.itemsTimer) clearTimeout(this.itemsTimer);
    this.itemsTimer = undefined;
    this.release();
  }

  private sendItems(): void {
    if (!this.options.isReady()) return;
    const list = this.source.items();
    // The check of a kept list usually finds it unchanged: 1000 items again would redraw nothing.
    if (this.signature(list) === this.lastSig) return;
    this.postItems(list);
    // The first screen's thumbnails follow the list at once (those already sent to this page are not sent again).
    if (this.firstScreen) this.thumbs.push(this.firstJobs(this.firstScreen));
  }

  /** The list as the page sees it: its versions and the scan state. */
  private signature(list: readonly I[]): string {
    let sig = `${this.source.scanning ? 1 : 0}${this.source.noWorkspace() ? 1 : 0}`;
    for (const i of list) sig += `\t${i.id}\n${i.rev}`;
    return sig;
  }

  private postItems(list: readonly I[]): void {
    this.lastItemsAt = Date.now();
    this.lastSig = this.signature(list);
    this.options.post({ type: 'items', items: list.map((i) => this.item(i)), scanning: this.source.scanning, noWorkspace: this.source.noWorkspace() });
    this.firstSent?.();
  }

  private item(image: I): GalleryItem {
    return listItem(image, this.source.name(image), this.dates);
  }

  /** Thumbnail jobs for the first `n` images of the list. */
  private firstJobs(n: number): ThumbJob[] {
    return this.source
      .items()
      .slice(0, n)
      .map((image) => this.job(image));
  }

  /** An image's thumbnail job, at the size the page needs. */
  private job(image: I): ThumbJob {
    return { ...this.source.job(image), size: this.thumbSize };
  }
}
