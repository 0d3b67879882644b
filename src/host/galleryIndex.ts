/**
 * The gallery's index: every image file in the workspace that carries a Pixelwright record,
 * newest first, kept in memory and in step with the disk. The workspace is the source of truth:
 * the index is rebuilt from the files (findFiles) on first use and then follows a
 * FileSystemWatcher; nothing about the images is stored elsewhere.
 *
 * Reading is cheap: only the head of each file (and, for WebP, the few chunk headers up to the
 * XMP chunk) is read, see galleryScan.ts.
 */
import * as vscode from 'vscode';
import type { StoredRecord } from '../core/metadata';
import { compareNewestFirst, globToRegExp, isExcluded, parseTime } from './galleryModel';
import { bytesSource, scanFile, scanImage, type ScanResult } from './galleryScan';
import { Disposable } from './lifecycle';

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

export const IMAGE_GLOB = '**/*.{png,jpg,jpeg,webp,PNG,JPG,JPEG,WEBP}';
const IMAGE_EXT = /\.(png|jpe?g|webp)$/i;
/** Folders never worth scanning, on top of files.exclude. */
const ALWAYS_EXCLUDED = ['**/node_modules', '**/.git'];
/** Files read at once during a scan. */
const SCAN_CONCURRENCY = 16;
/** Watcher events are gathered this long before the index is updated. */
const SETTLE_MS = 150;

export interface IndexLog {
  info(message: string): void;
  warn(message: string): void;
}

export class GalleryIndex extends Disposable {
  private readonly byKey = new Map<string, IndexedImage>();
  private sorted: IndexedImage[] | undefined;
  private byId: Map<string, IndexedImage> | undefined;
  private started: Promise<void> | undefined;
  private scanningNow = false;
  private readonly pending = new Map<string, { uri: vscode.Uri; deleted: boolean }>();
  private readonly deletedFolders: vscode.Uri[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private generation = 0;
  private isDisposed = false;
  private excluded: RegExp[] = excludePatterns().map(globToRegExp);
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  /** Fires after the list changed (added, changed or removed images; the first scan's end). */
  readonly onDidChange = this.changed.event;
  /** How long the last full scan took, and how many files it read. */
  lastScan: { ms: number; files: number; images: number; bytesRead: number } | undefined;

  constructor(private readonly log?: IndexLog) {
    super();
  }

  get scanning(): boolean {
    return this.scanningNow;
  }

  /** Starts the first scan and the watcher (once); resolves when the scan is done. */
  start(): Promise<void> {
    if (!this.started) {
      this.watch();
      this.started = this.rescan();
    }
    return this.started;
  }

  /** Scans the whole workspace again (the watcher keeps running). */
  async rescan(): Promise<void> {
    const gen = ++this.generation;
    this.scanningNow = true;
    this.changed.fire();
    const t0 = Date.now();
    try {
      const patterns = excludePatterns();
      this.excluded = patterns.map(globToRegExp);
      const uris = (await vscode.workspace.findFiles(IMAGE_GLOB, excludeGlob(patterns))).filter((u) => !this.isExcluded(u));
      if (gen !== this.generation || this.isDisposed) return;
      const found = new Map<string, IndexedImage>();
      let bytesRead = 0;
      let next = 0;
      const worker = async () => {
        while (next < uris.length) {
          const uri = uris[next++];
          const r = await readImage(uri);
          bytesRead += r.bytesRead;
          if (r.image) found.set(uri.toString(), r.image);
        }
      };
      await Promise.all(Array.from({ length: Math.min(SCAN_CONCURRENCY, uris.length) }, worker));
      if (gen !== this.generation || this.isDisposed) return;
      this.byKey.clear();
      for (const [k, v] of found) this.byKey.set(k, v);
      this.invalidate();
      this.lastScan = { ms: Date.now() - t0, files: uris.length, images: found.size, bytesRead };
      this.log?.info(`gallery: ${found.size} image(s) with a record among ${uris.length} image file(s), ${Math.round(bytesRead / 1024)} KB read, in ${this.lastScan.ms} ms`);
    } catch (err) {
      this.log?.warn(`gallery: scanning the workspace failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      if (gen === this.generation) {
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
    if (this.byKey.delete(uri.toString())) {
      this.invalidate();
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
    super.dispose();
  }

  private watch(): void {
    const images = this._register(vscode.workspace.createFileSystemWatcher(IMAGE_GLOB));
    this._register(images.onDidCreate((u) => this.enqueue(u, false)));
    this._register(images.onDidChange((u) => this.enqueue(u, false)));
    this._register(images.onDidDelete((u) => this.enqueue(u, true)));
    // A deleted (or renamed) folder reports only itself, not the images inside it.
    // Folders added or removed, or other excluded folders: the list is rebuilt.
    this._register(vscode.workspace.onDidChangeWorkspaceFolders(() => void this.rescan()));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('files.exclude')) void this.rescan();
      }),
    );
    const folders = this._register(vscode.workspace.createFileSystemWatcher('**/*', true, true, false));
    this._register(
      folders.onDidDelete((u) => {
        if (IMAGE_EXT.test(u.path)) return;
        this.deletedFolders.push(u);
        this.schedule();
      }),
    );
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
    this.pending.set(uri.toString(), { uri, deleted });
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
    const folders = this.deletedFolders.splice(0);
    let changed = false;
    for (const f of folders) {
      const prefix = f.toString().endsWith('/') ? f.toString() : `${f.toString()}/`;
      for (const k of [...this.byKey.keys()]) {
        if (k.startsWith(prefix)) changed = this.byKey.delete(k) || changed;
      }
    }
    await Promise.all(
      batch.map(async ({ uri, deleted }) => {
        const key = uri.toString();
        const r = deleted ? undefined : (await readImage(uri)).image;
        if (r) {
          const old = this.byKey.get(key);
          if (!old || old.rev !== r.rev || old.id !== r.id) {
            this.byKey.set(key, r);
            changed = true;
          }
        } else if (this.byKey.delete(key)) changed = true;
      }),
    );
    if (changed && !this.isDisposed) {
      this.invalidate();
      this.changed.fire();
    }
  }
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

/** Reads one file's record; `image` is undefined when it has none or cannot be read. */
async function readImage(uri: vscode.Uri): Promise<{ image?: IndexedImage; bytesRead: number }> {
  try {
    let r: ScanResult;
    let size: number;
    let mtime: number;
    if (uri.scheme === 'file') {
      const f = await scanFile(uri.fsPath);
      r = f;
      size = f.size;
      mtime = f.mtime;
    } else {
      const st = await vscode.workspace.fs.stat(uri);
      if (st.type & vscode.FileType.Directory) return { bytesRead: 0 };
      r = await scanImage(bytesSource(await vscode.workspace.fs.readFile(uri)));
      size = st.size;
      mtime = st.mtime;
    }
    if (!r.record) return { bytesRead: r.bytesRead };
    return {
      bytesRead: r.bytesRead,
      image: {
        uri,
        id: imageId(uri),
        rev: `${Math.round(mtime).toString(36)}-${size.toString(36)}`,
        record: r.record,
        time: parseTime(r.record.createdAt),
        mtime,
        size,
        width: r.width,
        height: r.height,
      },
    };
  } catch {
    return { bytesRead: 0 };
  }
}
