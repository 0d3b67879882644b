/**
 * The gallery's index: every image file in the workspace that carries a Pixelwright record,
 * newest first, kept in memory and in step with the disk. The workspace is the source of truth:
 * the index is rebuilt from the files (findFiles) on first use and then follows a
 * FileSystemWatcher, Pixelwright's own writes (onDidWriteAsset, at once) and new folders (looked
 * into, since the watcher misses files written into a folder made a moment before). What the last
 * window read is kept in the extension's storage (indexCache.ts), keyed by each file's
 * mtime and size: the list shows from it at once, and a scan reads only new and changed files.
 *
 * Reading is cheap: only the head of each file (and, for WebP, the few chunk headers up to the
 * XMP chunk) is read, see scan.ts.
 */
import * as vscode from 'vscode';
import type { Logger } from '../../core/log';
import type { StoredRecord } from '../../core/metadata';
import { compareNewestFirst, globToRegExp, isExcluded, parseTime } from './model';
import { stat } from 'node:fs/promises';
import { onDidWriteAsset } from '../run/assets';
import { entryMatches, loadIndexCache, saveIndexCache, type IndexEntry } from './indexCache';
import { bytesSource, scanFile, scanImage, type ScanResult } from '../../core/headScan';
import { Disposable } from '../platform/lifecycle';
import { MAX_SIDECAR_BYTES, imageNameOfSidecar, parseSidecar } from '../../core/sidecar';
import { sidecarUri } from '../run/recipes';

export interface IndexedImage {
  readonly uri: vscode.Uri;
  /** Workspace-relative path (folder name first in a multi-root workspace). */
  readonly id: string;
  /** mtime and size: changes with the file. */
  readonly rev: string;
  readonly record: StoredRecord;
  /** record.createdAt in ms (NaN when unreadable). */
  readonly time: number;
  readonly mtime: number;
  readonly size: number;
  readonly width?: number;
  readonly height?: number;
}

export const IMAGE_GLOB = '**/*.{png,jpg,jpeg,webp,gif,svg,PNG,JPG,JPEG,WEBP,GIF,SVG}';
const IMAGE_EXT = /\.(png|jpe?g|webp|gif|svg)$/i;
/** Folders never worth scanning, on top of files.exclude. */
const ALWAYS_EXCLUDED = ['**/node_modules', '**/.git'];
/** Files read at once during a scan. */
const SCAN_CONCURRENCY = 16;
/** Watcher events are gathered this long before the index is updated. */
const SETTLE_MS = 150;


export interface IndexOptions {
  /**
   * Where the index is kept between windows (a local path in the extension's workspace storage):
   * the list is shown from it at once, and files whose mtime and size are unchanged are not read again.
   */
  readonly cacheFile?: string;
  /**
   * False: no file system watchers (files and folders); Pixelwright's own writes are still listed
   * at once. For the tests that show that those do not depend on the watcher. Default true.
   */
  readonly fileWatchers?: boolean;
}

/** One file the index read: where it is and what its head held (with or without a record). */
interface Known {
  readonly uri: vscode.Uri;
  readonly entry: IndexEntry;
}

/** More new folders than this in one batch: the whole workspace is checked again (incrementally). */
const MAX_FOLDER_SCANS = 32;
/** The index is written to its cache file this long after the last change. */
const SAVE_DELAY_MS = 2000;

export class GalleryIndex extends Disposable {
  private readonly byKey = new Map<string, IndexedImage>();
  /** Every image file read (with a record or not), for incremental rescans and the cache file. */
  private known = new Map<string, Known>();
  private sorted: IndexedImage[] | undefined;
  private byId: Map<string, IndexedImage> | undefined;
  private started: Promise<void> | undefined;
  private scanningNow = false;
  private scanRunning: Promise<void> | undefined;
  private readonly pending = new Map<string, { uri: vscode.Uri; deleted: boolean }>();
  /** Changes seen while a full scan runs: applied again once it is done, so the scan cannot undo them. */
  private readonly dirtyDuringScan = new Map<string, { uri: vscode.Uri; deleted: boolean }>();
  private readonly deletedFolders: vscode.Uri[] = [];
  private readonly createdFolders: vscode.Uri[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private generation = 0;
  private isDisposed = false;
  private excluded: RegExp[] = excludePatterns().map(globToRegExp);
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  /** Fires after the list changed (added, changed or removed images; a scan's start and end). */
  readonly onDidChange = this.changed.event;
  /** How long the last full scan took, how many files it found, read and took from what it knew. */
  lastScan: { ms: number; files: number; images: number; bytesRead: number; reused: number } | undefined;
  /** Whether the list came from the cache file (before the first scan confirmed it). */
  fromCache = false;

  constructor(
    private readonly log?: Logger,
    private readonly options: IndexOptions = {},
  ) {
    super();
  }

  get scanning(): boolean {
    return this.scanningNow;
  }

  /**
   * Starts the index (once): the list from the cache file at once, then the watchers and a scan of
   * the workspace that reads only new and changed files. Resolves when that scan is done.
   * `scanAfter`: when the cache file listed images, the scan waits for it (the view's first screen
   * is sent first: findFiles and a stat of every file would compete with the page while it loads).
   */
  start(options: { scanAfter?: Promise<unknown> } = {}): Promise<void> {
    if (!this.started) {
      this.watch();
      this.started = (async () => {
        await this.loadCache();
        if (this.byKey.size && options.scanAfter) {
          // the kept list is shown (scanning) first; its check waits until the caller says
          this.scanningNow = true;
          this.changed.fire();
          await options.scanAfter;
          if (this.isDisposed) return;
        }
        await this.rescan();
      })();
    }
    return this.started;
  }

  /**
   * Checks the workspace again for what the watcher may have missed (the view calls it when it is
   * shown again): one stat per file, reads only of new or changed files, no progress shown. Not
   * before the index has started, and not while a scan runs.
   */
  async revalidate(): Promise<void> {
    if (!this.started) return;
    await this.started;
    if (this.scanRunning) return this.scanRunning;
    return this.rescan(true);
  }

  /**
   * Scans the whole workspace again (the watcher keeps running). Files whose mtime and size did not
   * change since they were last read are not read again. `quiet`: the list does not say "scanning".
   */
  rescan(quiet = false): Promise<void> {
    const run = this.doRescan(quiet).finally(() => {
      if (this.scanRunning === run) this.scanRunning = undefined;
    });
    this.scanRunning = run;
    return run;
  }

  private async doRescan(quiet: boolean): Promise<void> {
    const gen = ++this.generation;
    this.dirtyDuringScan.clear();
    // (already said when the kept list was shown: the list has not changed since)
    if (!quiet && !this.scanningNow) {
      this.scanningNow = true;
      this.changed.fire();
    }
    const t0 = Date.now();
    try {
      const patterns = excludePatterns();
      this.excluded = patterns.map(globToRegExp);
      const uris = (await vscode.workspace.findFiles(IMAGE_GLOB, excludeGlob(patterns))).filter((u) => !this.isExcluded(u));
      if (gen !== this.generation || this.isDisposed) return;
      const prior = this.known;
      const found = new Map<string, Known>();
      let bytesRead = 0;
      let reused = 0;
      let next = 0;
      const worker = async () => {
        while (next < uris.length) {
          const uri = uris[next++];
          const key = uri.toString();
          const r = await readEntry(uri, prior.get(key)?.entry);
          bytesRead += r.bytesRead;
          if (r.reused) reused++;
          if (r.entry) found.set(key, { uri, entry: r.entry });
        }
      };
      await Promise.all(Array.from({ length: Math.min(SCAN_CONCURRENCY, uris.length) }, worker));
      if (gen !== this.generation || this.isDisposed) return;
      const before = this.sorted ?? this.items();
      this.known = found;
      this.byKey.clear();
      for (const [k, v] of found) {
        const image = toImage(v.uri, v.entry);
        if (image) this.byKey.set(k, image);
      }
      this.invalidate();
      this.fromCache = false;
      this.lastScan = { ms: Date.now() - t0, files: uris.length, images: this.byKey.size, bytesRead, reused };
      this.log?.info(
        `gallery: ${this.byKey.size} image(s) with a record among ${uris.length} image file(s), ${reused} unchanged, ${Math.round(bytesRead / 1024)} KB read, in ${this.lastScan.ms} ms`,
      );
      this.scheduleSave();
      // What the watcher (or a write of ours) reported meanwhile is applied on top.
      const dirty = [...this.dirtyDuringScan.values()];
      this.dirtyDuringScan.clear();
      for (const d of dirty) this.pending.set(d.uri.toString(), d);
      if (dirty.length) await this.flush();
      if (quiet && !sameList(before, this.items())) this.changed.fire();
    } catch (err) {
      this.log?.warn(`gallery: scanning the workspace failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      if (gen === this.generation && !quiet) {
        this.scanningNow = false;
        if (!this.isDisposed) this.changed.fire();
      }
    }
  }

  private invalidate(): void {
    this.sorted = undefined;
    this.byId = undefined;
  }

  /** Newest first. */
  items(): readonly IndexedImage[] {
    this.sorted ??= [...this.byKey.values()].sort(compareNewestFirst);
    return this.sorted;
  }

  /** The image with this id (workspace-relative path). */
  get(id: string): IndexedImage | undefined {
    if (!this.byId) {
      this.byId = new Map();
      for (const i of this.byKey.values()) this.byId.set(i.id, i);
    }
    return this.byId.get(id);
  }

  /** Takes an image out at once (e.g. after deleting it), before the watcher says so. */
  forget(uri: vscode.Uri): void {
    const key = uri.toString();
    this.known.delete(key);
    if (this.scanRunning) this.dirtyDuringScan.set(key, { uri, deleted: true });
    if (this.byKey.delete(key)) {
      this.invalidate();
      this.scheduleSave();
      this.changed.fire();
    }
  }

  /** Reads one file again now (e.g. after writing it), before the watcher says so. */
  async refresh(uri: vscode.Uri): Promise<void> {
    this.enqueue(uri, false);
    await this.flush();
  }

  override dispose(): void {
    this.isDisposed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
      void this.save();
    }
    super.dispose();
  }

  private watch(): void {
    // Pixelwright's own writes: listed at once, whatever the watcher sees (or misses).
    this._register(onDidWriteAsset((u) => void this.refresh(u)));
    if (this.options.fileWatchers === false) return;
    const images = this._register(vscode.workspace.createFileSystemWatcher(IMAGE_GLOB));
    this._register(images.onDidCreate((u) => this.enqueue(u, false)));
    this._register(images.onDidChange((u) => this.enqueue(u, false)));
    this._register(images.onDidDelete((u) => this.enqueue(u, true)));
    this.watchSidecars();
    // Folders added or removed, or other excluded folders: the list is rebuilt.
    this._register(vscode.workspace.onDidChangeWorkspaceFolders(() => void this.rescan()));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('files.exclude')) void this.rescan();
      }),
    );
    // A deleted (or renamed) folder reports only itself, not the images inside it. A new folder is
    // looked into: files written into it before the watcher followed it are reported by nobody.
    const folders = this._register(vscode.workspace.createFileSystemWatcher('**/*', false, true, false));
    this._register(
      folders.onDidDelete((u) => {
        if (IMAGE_EXT.test(u.path)) return;
        this.deletedFolders.push(u);
        this.schedule();
      }),
    );
    this._register(
      folders.onDidCreate((u) => {
        if (IMAGE_EXT.test(u.path) || this.isExcluded(u)) return;
        this.createdFolders.push(u);
        this.schedule();
      }),
    );
  }

  /**
   * A sidecar written, changed or removed: its image is read again (its own mtime and size may
   * not have changed, so what the index knew of it is dropped first).
   */
  private watchSidecars(): void {
    const sidecars = this._register(vscode.workspace.createFileSystemWatcher('**/*.pixelwright.json'));
    const onSidecar = (u: vscode.Uri) => {
      const name = imageNameOfSidecar(u.path.slice(u.path.lastIndexOf('/') + 1));
      if (!name) return;
      const image = u.with({ path: u.path.slice(0, u.path.lastIndexOf('/') + 1) + name });
      this.known.delete(image.toString());
      this.enqueue(image, false);
    };
    this._register(sidecars.onDidCreate(onSidecar));
    this._register(sidecars.onDidChange(onSidecar));
    this._register(sidecars.onDidDelete(onSidecar));
  }

  /** In an excluded folder (files.exclude, node_modules, .git), relative to its workspace folder. */
  private isExcluded(uri: vscode.Uri): boolean {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder) return true;
    const rel = uri.path.slice(folder.uri.path.replace(/\/$/, '').length + 1);
    return isExcluded(rel, this.excluded);
  }

  private enqueue(uri: vscode.Uri, deleted: boolean): void {
    if (!IMAGE_EXT.test(uri.path) || (!deleted && this.isExcluded(uri))) return;
    const change = { uri, deleted };
    this.pending.set(uri.toString(), change);
    if (this.scanRunning) this.dirtyDuringScan.set(uri.toString(), change);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, SETTLE_MS);
  }

  private async flush(): Promise<void> {
    const batch = [...this.pending.values()];
    this.pending.clear();
    const deletedFolders = this.deletedFolders.splice(0);
    const createdFolders = this.createdFolders.splice(0);
    let changed = false;
    for (const f of deletedFolders) {
      const prefix = f.toString().endsWith('/') ? f.toString() : `${f.toString()}/`;
      for (const k of [...this.known.keys()]) if (k.startsWith(prefix)) this.known.delete(k);
      for (const k of [...this.byKey.keys()]) {
        if (k.startsWith(prefix)) changed = this.byKey.delete(k) || changed;
      }
    }
    if (createdFolders.length > MAX_FOLDER_SCANS) void this.rescan(true);
    else {
      const inFolders = await this.imagesIn(createdFolders);
      for (const uri of inFolders) if (!this.pending.has(uri.toString())) batch.push({ uri, deleted: false });
    }
    await Promise.all(
      batch.map(async ({ uri, deleted }) => {
        const key = uri.toString();
        const r = deleted ? undefined : (await readEntry(uri, this.known.get(key)?.entry)).entry;
        if (r) this.known.set(key, { uri, entry: r });
        else this.known.delete(key);
        const image = r && toImage(uri, r);
        if (image) {
          const old = this.byKey.get(key);
          if (!old || old.rev !== image.rev || old.id !== image.id || old.record !== image.record) {
            this.byKey.set(key, image);
            changed = true;
          }
        } else if (this.byKey.delete(key)) changed = true;
      }),
    );
    if (batch.length || deletedFolders.length) this.scheduleSave();
    if (changed && !this.isDisposed) {
      this.invalidate();
      this.changed.fire();
    }
  }

  /** The image files inside new folders (the outermost of them; the others are inside it). */
  private async imagesIn(folders: readonly vscode.Uri[]): Promise<vscode.Uri[]> {
    const keys = [...new Set(folders.map((f) => f.toString().replace(/\/$/, '')))];
    const outer = keys.filter((k) => !keys.some((o) => o !== k && k.startsWith(`${o}/`)));
    const out: vscode.Uri[] = [];
    await Promise.all(
      outer.map(async (k) => {
        const folder = vscode.Uri.parse(k);
        try {
          const st = await vscode.workspace.fs.stat(folder);
          if (!(st.type & vscode.FileType.Directory)) return;
          const uris = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, IMAGE_GLOB), excludeGlob(excludePatterns()));
          for (const u of uris) if (!this.isExcluded(u)) out.push(u);
        } catch {
          // gone again, or not readable
        }
      }),
    );
    return out;
  }

  // ---- the cache file ------------------------------------------------------------------------

  private async loadCache(): Promise<void> {
    const file = this.options.cacheFile;
    if (!file) return;
    const t0 = Date.now();
    const entries = await loadIndexCache(file);
    if (!entries.size || this.isDisposed || this.known.size) return;
    for (const [key, entry] of entries) {
      const uri = vscode.Uri.parse(key);
      if (this.isExcluded(uri)) continue;
      this.known.set(key, { uri, entry });
      const image = toImage(uri, entry);
      if (image) this.byKey.set(key, image);
    }
    this.invalidate();
    this.fromCache = true;
    this.log?.info(`gallery: ${this.byKey.size} image(s) listed from the index kept by the last window, in ${Date.now() - t0} ms`);
  }

  private scheduleSave(): void {
    if (!this.options.cacheFile || this.saveTimer || this.isDisposed) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.save();
    }, SAVE_DELAY_MS);
  }

  /** Writes the cache file now (it is also written a moment after each change, and on dispose). */
  async save(): Promise<void> {
    const file = this.options.cacheFile;
    if (!file) return;
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
    try {
      await saveIndexCache(file, [...this.known].map(([k, v]) => [k, v.entry] as [string, IndexEntry]));
    } catch (err) {
      this.log?.warn(`gallery: the index could not be kept for the next window: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

function sameList(a: readonly IndexedImage[], b: readonly IndexedImage[]): boolean {
  return a.length === b.length && a.every((x, i) => x.id === b[i].id && x.rev === b[i].rev);
}

/** files.exclude's patterns that are switched on, and the folders never worth scanning. */
function excludePatterns(): string[] {
  const fromSettings = vscode.workspace.getConfiguration('files').get<Record<string, unknown>>('exclude') ?? {};
  return [...new Set([...ALWAYS_EXCLUDED, ...Object.entries(fromSettings).filter(([, on]) => on === true).map(([p]) => p)])];
}

/** The patterns as one glob for findFiles (a glob cannot nest braces: patterns with their own are left to the matcher). */
function excludeGlob(patterns: readonly string[]): string {
  return `{${patterns.filter((p) => !/[{}]/.test(p)).join(',')}}`;
}

/** The id of an image: its workspace-relative path (folder name first when there are several folders). */
export function imageId(uri: vscode.Uri): string {
  return vscode.workspace.asRelativePath(uri, (vscode.workspace.workspaceFolders?.length ?? 0) > 1);
}

/** An entry as the list shows it; undefined when the file has no record. */
function toImage(uri: vscode.Uri, e: IndexEntry): IndexedImage | undefined {
  if (!e.record) return undefined;
  return {
    uri,
    id: imageId(uri),
    rev: `${Math.round(e.mtime).toString(36)}-${e.size.toString(36)}`,
    record: e.record,
    time: parseTime(e.record.createdAt),
    mtime: e.mtime,
    size: e.size,
    width: e.width,
    height: e.height,
  };
}

/** The record in an image's sidecar file (an image with C2PA credentials, or the sidecar setting), if any. */
async function sidecarRecord(image: vscode.Uri): Promise<StoredRecord | undefined> {
  try {
    const uri = sidecarUri(image);
    if ((await vscode.workspace.fs.stat(uri)).size > MAX_SIDECAR_BYTES) return undefined;
    return parseSidecar(await vscode.workspace.fs.readFile(uri)).record;
  } catch {
    return undefined;
  }
}

/**
 * What one file holds: `prior` again when the file's mtime and size are still those it was read at
 * (one stat, no read), else its head read; `entry` undefined when the file is gone or unreadable.
 */
async function readEntry(uri: vscode.Uri, prior: IndexEntry | undefined): Promise<{ entry?: IndexEntry; bytesRead: number; reused?: boolean }> {
  try {
    if (uri.scheme === 'file') {
      if (prior) {
        const st = await stat(uri.fsPath);
        if (!st.isFile()) return { bytesRead: 0 };
        if (entryMatches(prior, st.mtimeMs, st.size)) return { entry: prior, bytesRead: 0, reused: true };
      }
      const f = await scanFile(uri.fsPath);
      return { entry: { mtime: f.mtime, size: f.size, record: f.record ?? (await sidecarRecord(uri)), width: f.width, height: f.height }, bytesRead: f.bytesRead };
    }
    const st = await vscode.workspace.fs.stat(uri);
    if (st.type & vscode.FileType.Directory) return { bytesRead: 0 };
    if (entryMatches(prior, st.mtime, st.size)) return { entry: prior, bytesRead: 0, reused: true };
    const r: ScanResult = await scanImage(bytesSource(await vscode.workspace.fs.readFile(uri)));
    return { entry: { mtime: st.mtime, size: st.size, record: r.record ?? (await sidecarRecord(uri)), width: r.width, height: r.height }, bytesRead: r.bytesRead };
  } catch {
    return { bytesRead: 0 };
  }
}
