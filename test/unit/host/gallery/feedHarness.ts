/**
 * A gallery feed over a made-up list, for the feed's tests: the list (newest first), the real
 * GalleryFeed on a given thumbnail cache, what it posts, and a switch for the page's readiness.
 */
import type { StoredRecord } from '../../../../src/core/metadata';
import { GalleryFeed, type FeedImage } from '../../../../src/host/gallery/feed';
import type { ThumbnailCache } from '../../../../src/host/gallery/thumbnails';
import type { ToGallery } from '../../../../src/shared/galleryProtocol';

export interface Image extends FeedImage {
  readonly path: string;
}

/** `n` images, a minute apart, newest first: images/0.png ... */
export function images(n: number): Image[] {
  return Array.from({ length: n }, (_, i) => {
    const record: StoredRecord = { v: 1, operation: 'generate', prompt: `image ${i}`, model: 'gpt-image-1.5', createdAt: new Date(Date.UTC(2026, 10, 1) - i * 60_000).toISOString() } as StoredRecord;
    return { id: `images/${i}.png`, rev: `r${i}`, path: `/ws/images/${i}.png`, record };
  });
}

/** The feed of `list` (read live: change it to change the list) on `cache`. */
export function feedOn(cache: ThumbnailCache, list: Image[], opts: { fullListWaitMs?: number } = {}) {
  const posted: ToGallery[] = [];
  let ready = false;
  const feed = new GalleryFeed(
    cache,
    {
      items: () => list,
      get: (id) => list.find((i) => i.id === id),
      scanning: false,
      noWorkspace: () => false,
      name: (i) => i.path.slice(i.path.lastIndexOf('/') + 1),
      job: (i) => ({ id: i.id, rev: i.rev, source: i.path }),
    },
    { locale: 'en', strings: () => ({ Open: 'Open' }), post: (m) => posted.push(m), isReady: () => ready, fullListWaitMs: opts.fullListWaitMs },
  );
  return { feed, posted, setReady: () => (ready = true) };
}
