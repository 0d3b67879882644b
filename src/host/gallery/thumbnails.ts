/**
 * The gallery's thumbnail cache and work queue. A thumbnail is made once per file version (path +
 * mtime + size) with sharp (core/thumbnails.ts, in the lazily loaded engine bundle), written under
 * the extension's workspace storage, and kept in memory for the tiles most recently shown.
 *
 * The queue serves the webview's latest wish only: each request replaces what was still waiting
 * (tiles scrolled past are not made), and the few jobs already running finish and are kept.
 *
 * Plain Node (no `vscode`): the benchmark uses it as the host does.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Thumbnail, ThumbnailOptions } from '../../core/thumbnails';
import { DEFAULT_THUMB_SIZE, isThumbSize, THUMB_SIZES, type GalleryThumb } from '../../shared/galleryProtocol';

export type MakeThumbnail = (input: string | Uint8Array, options?: ThumbnailOptions) => Promise<Thumbnail>;

export interface ThumbJob {
  readonly id: string;
  readonly rev: string;
  /** A local file path (sharp reads it itself) or a loader of the file's bytes. */
  readonly source: string | (() => Promise<Uint8Array>);
  /** Longest side, px (one of THUMB_SIZES); absent: the size the last page asked for (see lastSize). */
  readonly size?: number;
}

export interface ThumbBytes {
  readonly bytes: Uint8Array;
  readonly mime: string;
}

/** Bumped when the thumbnails' encoding changes, so old cache files are not used (the size is in each name). */
const CACHE_VERSION = 'v2-webp';
const FILE_RE = /^[0-9a-f]{40}\.webp$/;
/** The size pages asked for last, kept beside the thumbnails: a new window reads (or makes) that size before its page says. */
const SIZE_FILE = 'size.txt';

export interface CacheStats {
  made: number;
  fromDisk: number;
  fromMemory: number;
  failed: number;
}

export class ThumbnailCache {
  private readonly memory = new Map<string, ThumbBytes>();
  private readonly failed = new Set<string>();
  private readonly running = new Map<string, Promise<ThumbBytes | undefined>>();
  private queue: { job: ThumbJob; deliver: (t: ThumbBytes | undefined) => void }[] = [];
  private active = 0;
  private dirReady: Promise<boolean> | undefined;
  /** The cache files known to exist (listed once by warm(), then kept up to date): read at once, unqueued. */
  private onDisk: Set<string> | undefined;
  private listing: Promise<void> | undefined;
  private disposed = false;
  readonly stats: CacheStats = { made: 0, fromDisk: 0, fromMemory: 0, failed: 0 };

  constructor(
    /** Where thumbnails are written; undefined: memory only. */
    private readonly dir: string | undefined,
    /** Loads the thumbnail maker on first need (the engine bundle); undefined when unavailable. */
    private readonly loadMaker: () => Promise<MakeThumbnail | undefined>,
    private readonly options: { readonly concurrency?: number; readonly memoryEntries?: number; readonly onError?: (job: ThumbJob, err: unknown) => void } = {},
  ) {}

  /** The size pages asked for last (read by warm()); undefined before or when none was kept. */
  private keptSize: number | undefined;

  /** The cache file name of a version of an image at a size. */
  static fileName(id: string, rev: string, size: number = DEFAULT_THUMB_SIZE): string {
    return `${createHash('sha1').update(`${CACHE_VERSION}\0${size}\0${id}\0${rev}`).digest('hex')}.webp`;
  }

  /** A job's cache file name (a job without a size takes lastSize, as it is when the job is looked at). */
  private keyOf(job: Pick<ThumbJob, 'id' | 'rev' | 'size'>): string {
    return ThumbnailCache.fileName(job.id, job.rev, job.size ?? this.lastSize);
  }

  /** The size pages asked for last (kept by rememberSize(), read by warm()), else DEFAULT_THUMB_SIZE. */
  get lastSize(): number {
    return this.keptSize ?? DEFAULT_THUMB_SIZE;
  }

  /** A page asked for this size: kept for the next window's prefetch (written only when it changed). */
  rememberSize(size: number): void {
    if (!isThumbSize(size) || size === this.keptSize) return;
    this.keptSize = size;
    const dir = this.dir;
    if (dir) void this.ensureDir().then((ok) => (ok ? writeFile(join(dir, SIZE_FILE), String(size)) : undefined)).catch(() => undefined);
  }

  /**
   * Lists the cache folder once, so that thumbnails already made are read at once instead of
   * waiting their turn behind the ones to make. Call it early (when the view opens).
   */
  warm(): Promise<void> {
    this.listing ??= (async () => {
      if (!this.dir) return;
      try {
        const names = await readdir(this.dir);
        this.onDisk = new Set(names.filter((n) => FILE_RE.test(n)));
        if (names.includes(SIZE_FILE)) {
          const kept = Number((await readFile(join(this.dir, SIZE_FILE), 'utf8')).trim());
          if (this.keptSize === undefined && isThumbSize(kept)) this.keptSize = kept;
        }
      } catch {
        this.onDisk ??= new Set();
      }
    })();
    return this.listing;
  }

  /**
   * Replaces the waiting jobs with `jobs` (in that order); each job's thumbnail is handed to
   * `deliver` when ready (undefined when it cannot be made). Jobs already running are not repeated.
   * Memory hits are delivered before this returns; files in the disk cache are read at once.
   * `keep`: the waiting jobs are kept, after these (for thumbnails sent unasked).
   */
  request(jobs: readonly ThumbJob[], deliver: (job: ThumbJob, thumb: ThumbBytes | undefined) => void, keep = false): void {
    if (this.listing && !this.onDisk) {
      // the cache folder is being listed (a few ms): what is on disk is then read at once, not made
      void this.listing.then(() => this.request(jobs, deliver, keep));
      return;
    }
    const waiting = keep ? this.queue : [];
    this.queue = [];
    for (const job of jobs) {
      const key = this.keyOf(job);
      const hit = this.fromMemory(key);
      if (hit) {
        deliver(job, hit);
        continue;
      }
      if (this.failed.has(key)) {
        deliver(job, undefined);
        continue;
      }
      const inFlight = this.running.get(key);
      if (inFlight) {
        void inFlight.then((t) => deliver(job, t));
        continue;
      }
      if (this.onDisk?.has(key)) {
        void this.get(job).then(
          (t) => deliver(job, t),
          () => deliver(job, undefined),
        );
        continue;
      }
      this.queue.push({ job, deliver: (t) => deliver(job, t) });
    }
    const ids = new Set(this.queue.map((q) => `${q.job.id}\0${q.job.size}`));
    for (const w of waiting) if (!ids.has(`${w.job.id}\0${w.job.size}`)) this.queue.push(w);
    this.pump();
  }

  /**
   * The thumbnail when it is in memory now (made or read a moment ago), null when it could not be
   * made, undefined otherwise. Nothing is read or queued.
   */
  peek(job: Pick<ThumbJob, 'id' | 'rev' | 'size'>): ThumbBytes | null | undefined {
    const key = this.keyOf(job);
    return this.fromMemory(key) ?? (this.failed.has(key) ? null : undefined);
  }

  /** How many thumbnails the cache folder held when warm() listed it (0 before). */
  get onDiskCount(): number {
    return this.onDisk?.size ?? 0;
  }

  /** One thumbnail, now (no queue): memory, then disk, then made. */
  get(job: ThumbJob): Promise<ThumbBytes | undefined> {
    // the size fixed now: what is made is what the key says, whatever a page asks for meanwhile
    if (job.size === undefined) job = { ...job, size: this.lastSize };
    const key = this.keyOf(job);
    const hit = this.fromMemory(key);
    if (hit) return Promise.resolve(hit);
    let p = this.running.get(key);
    if (!p) {
      p = this.load(job, key).finally(() => this.running.delete(key));
      this.running.set(key, p);
    }
    return p;
  }

  /** Deletes cache files that belong to no current image version (at any size); returns how many. */
  async prune(current: Iterable<{ id: string; rev: string }>): Promise<number> {
    if (!this.dir) return 0;
    const keep = new Set<string>();
    for (const { id, rev } of current) for (const size of THUMB_SIZES) keep.add(ThumbnailCache.fileName(id, rev, size));
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const name of names) {
      if (!FILE_RE.test(name) || keep.has(name)) continue;
      try {
        await unlink(join(this.dir, name));
        this.memory.delete(name);
        this.onDisk?.delete(name);
        removed++;
      } catch {
        // another window may have removed it
      }
    }
    return removed;
  }

  dispose(): void {
    this.disposed = true;
    this.queue = [];
    this.memory.clear();
  }

  private pump(): void {
    const limit = Math.max(1, this.options.concurrency ?? 2);
    while (!this.disposed && this.active < limit && this.queue.length) {
      const next = this.queue.shift()!;
      this.active++;
      void this.get(next.job)
        .then(next.deliver, () => next.deliver(undefined))
        .finally(() => {
          this.active--;
          this.pump();
        });
    }
  }

  /** The thumbnail when it is in memory (marked as just used, and counted), else undefined. */
  private fromMemory(key: string): ThumbBytes | undefined {
    const hit = this.memory.get(key);
    if (hit) {
      this.touch(key, hit);
      this.stats.fromMemory++;
    }
    return hit;
  }

  private touch(key: string, value: ThumbBytes): void {
    this.memory.delete(key);
    this.memory.set(key, value);
    const max = this.options.memoryEntries ?? 300;
    while (this.memory.size > max) this.memory.delete(this.memory.keys().next().value as string);
  }

  private async load(job: ThumbJob, key: string): Promise<ThumbBytes | undefined> {
    if (this.disposed) return undefined;
    const file = this.dir && (await this.ensureDir()) ? join(this.dir, key) : undefined;
    if (file) {
      try {
        const bytes = new Uint8Array(await readFile(file));
        if (bytes.length > 0) {
          const t = { bytes, mime: 'image/webp' };
          this.stats.fromDisk++;
          this.onDisk?.add(key);
          this.touch(key, t);
          return t;
        }
      } catch {
        // not cached yet
        this.onDisk?.delete(key);
      }
    }
    try {
      const make = await this.loadMaker();
      if (!make) throw new Error('no thumbnail maker (the engine bundle does not export makeThumbnail)');
      const input = typeof job.source === 'string' ? job.source : await job.source();
      const thumb = await make(input, { maxSize: job.size ?? this.lastSize });
      const t = { bytes: thumb.bytes, mime: thumb.mime };
      this.stats.made++;
      this.touch(key, t);
      if (file) {
        const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
        try {
          await writeFile(temp, thumb.bytes);
          await rename(temp, file);
          this.onDisk?.add(key);
        } catch {
          await unlink(temp).catch(() => undefined);
        }
      }
      return t;
    } catch (err) {
      this.stats.failed++;
      this.failed.add(key);
      this.options.onError?.(job, err);
      return undefined;
    }
  }

  private ensureDir(): Promise<boolean> {
    this.dirReady ??= mkdir(this.dir!, { recursive: true }).then(
      () => true,
      () => false,
    );
    return this.dirReady;
  }
}

/** A thumbnail as the webview gets it: the gallery protocol's own type. */
export type FedThumb = GalleryThumb;

/**
 * Feeds one webview page with thumbnails: what it asks for, and the first screen's, sent unasked
 * with the list (once per page). Thumbnails ready at the same moment travel in one message.
 */
export class ThumbnailFeed {
  private readonly sent = new Set<string>();
  private batch: FedThumb[] = [];
  private flushing = false;
  private page = 0;

  constructor(
    private readonly cache: ThumbnailCache,
    private readonly post: (items: FedThumb[]) => void,
  ) {}

  /** A new page (the webview loaded again): nothing was sent to it. */
  reset(): void {
    this.page++;
    this.sent.clear();
    this.batch = [];
  }

  /** The thumbnails the page asked for (they replace what it asked for before and is still waiting). */
  request(jobs: readonly ThumbJob[]): void {
    const page = this.page;
    for (const j of jobs) this.sent.add(`${j.id}\n${j.rev}`);
    this.cache.request(jobs, (job, t) => this.add(page, job, t));
  }

  /** Thumbnails the page got otherwise (inside another message): not sent again. */
  markSent(items: readonly { id: string; rev: string }[]): void {
    for (const j of items) this.sent.add(`${j.id}\n${j.rev}`);
  }

  /** The first screen's thumbnails, unasked: those not sent to this page yet, first in line. */
  push(jobs: readonly ThumbJob[]): void {
    const page = this.page;
    const fresh = jobs.filter((j) => !this.sent.has(`${j.id}\n${j.rev}`));
    if (!fresh.length) return;
    for (const j of fresh) this.sent.add(`${j.id}\n${j.rev}`);
    this.cache.request(fresh, (job, t) => this.add(page, job, t), true);
  }

  /** Makes (or reads) thumbnails before a page exists to take them: they wait in memory. */
  prefetch(jobs: readonly ThumbJob[]): void {
    this.cache.request(jobs, () => undefined, true);
  }

  private add(page: number, job: ThumbJob, t: ThumbBytes | undefined): void {
    if (page !== this.page) return;
    this.batch.push({ id: job.id, rev: job.rev, bytes: t?.bytes, mime: t?.mime, size: job.size ?? this.cache.lastSize });
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => {
      this.flushing = false;
      const items = this.batch;
      this.batch = [];
      if (items.length && page === this.page) this.post(items);
    });
  }
}
