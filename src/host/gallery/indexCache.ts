/**
 * The gallery index kept between windows: for every image file the last scan read, its mtime and
 * size and what its head held (the record and pixel size, or that it has no record). A new window
 * lists the images from it at once, then checks each file with one stat and reads again only the
 * files whose mtime or size changed. The files stay the source of truth: an entry is used only
 * while the file's mtime and size are the ones it was read at.
 *
 * Plain Node (no `vscode`): the benchmark and unit tests use it directly. The file lives in the
 * extension's workspace storage; a damaged or foreign file is ignored (and replaced on the next save).
 */
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { StoredRecord } from '../../core/metadata';

/** What a scan learnt about one file. `record` undefined: the file has none (it is not listed). */
export interface IndexEntry {
  readonly mtime: number;
  readonly size: number;
  readonly record?: StoredRecord;
  readonly width?: number;
  readonly height?: number;
}

/** Bumped when the entry's meaning or the record's reading changes: older files are ignored. */
const FORMAT = 'pixelwright-gallery-index/1';
/** More entries than this are not kept (a huge workspace still opens, it only scans in full). */
export const MAX_CACHED_ENTRIES = 50_000;

type Row = [key: string, mtime: number, size: number, record: StoredRecord | 0, width: number, height: number];

/** Reads the cache file; an empty map when it is missing, damaged or of another format. */
export async function loadIndexCache(file: string): Promise<Map<string, IndexEntry>> {
  const out = new Map<string, IndexEntry>();
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return out;
  }
  if (!data || typeof data !== 'object' || (data as { format?: unknown }).format !== FORMAT) return out;
  const rows = (data as { rows?: unknown }).rows;
  if (!Array.isArray(rows)) return out;
  for (const r of rows as unknown[]) {
    if (!Array.isArray(r) || r.length !== 6) continue;
    const [key, mtime, size, record, width, height] = r as Row;
    if (typeof key !== 'string' || !Number.isFinite(mtime) || !Number.isFinite(size)) continue;
    const rec = record && typeof record === 'object' && typeof record.prompt === 'string' && typeof record.model === 'string' ? record : undefined;
    const entry: { -readonly [K in keyof IndexEntry]: IndexEntry[K] } = { mtime, size };
    if (rec) entry.record = rec;
    if (width > 0 && height > 0) {
      entry.width = width;
      entry.height = height;
    }
    out.set(key, entry);
  }
  return out;
}

/** Writes the cache file (a temporary file renamed into place, so a reader never sees half of it). */
export async function saveIndexCache(file: string, entries: Iterable<[string, IndexEntry]>): Promise<void> {
  const rows: Row[] = [];
  for (const [key, e] of entries) {
    if (rows.length >= MAX_CACHED_ENTRIES) break;
    rows.push([key, e.mtime, e.size, e.record ?? 0, e.width ?? 0, e.height ?? 0]);
  }
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await writeFile(temp, JSON.stringify({ format: FORMAT, rows }));
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/** Whether an entry still describes a file of this mtime and size. */
export function entryMatches(e: IndexEntry | undefined, mtime: number, size: number): e is IndexEntry {
  return !!e && e.size === size && Math.round(e.mtime) === Math.round(mtime);
}
