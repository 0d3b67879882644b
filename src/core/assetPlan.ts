/**
 * The plan of an asset manifest: each entry's image and each rendition compared with the file at
 * its path, by the recipe hash the file records (read from the file's head only, core/scan.ts):
 * new (no file), changed (another hash), foreign (a file Pixelwright did not make for the
 * manifest: the new image gets a unique name beside it), up to date; renditions whose image is
 * still to be made wait for it. Images that record a hash in the outputs' folders but that no
 * entry names any more are orphaned. With the estimated cost, interactively and through the Batch
 * API (half price). No `vscode`: the host hands in how to read a head and list a folder.
 */
import { readdir, stat } from 'node:fs/promises';
import * as nodePath from 'node:path';
import type { StoredRecord } from './metadata';
import { scanFile } from './headScan';
import { renditionHash, recipeHash, type AssetEntry, type Rendition } from './manifest';
import { estimateCost } from './pricing';

export type PlanState = 'new' | 'changed' | 'foreign' | 'up-to-date' | 'waiting';

export interface PlanItem {
  readonly kind: 'image' | 'rendition';
  /** Workspace-relative. */
  readonly path: string;
  readonly entry: AssetEntry;
  readonly rendition?: Rendition;
  readonly state: PlanState;
  /** The hash the file should record (a waiting rendition's is known once its image is made). */
  readonly recipe?: string;
  /** The hash the file records now. */
  readonly recorded?: string;
}

/** What the images to make may cost, from the price list (token-billed models have no fixed price). */
export interface PlanCost {
  /** Images to make through the API. */
  readonly images: number;
  /** Of those, how many have a price per image; min and max are their sum in USD. */
  readonly priced: number;
  readonly min: number;
  readonly max: number;
  /** Billed by tokens (no fixed price per image) or not in the price list. */
  readonly unpriced: number;
}

export interface AssetPlan {
  readonly items: readonly PlanItem[];
  /** Images with a recorded recipe hash, in the outputs' folders, that no entry names. */
  readonly orphaned: readonly string[];
  /** Interactive price; the Batch API costs half. */
  readonly cost: PlanCost;
  /** Bytes read from image files to make the plan. */
  readonly bytesRead: number;
}

/** A file's head, as the planner needs it: undefined when there is no file. */
export interface FileHead {
  readonly record?: StoredRecord;
  /** The recipe hash kept beside a file that cannot carry a record (AVIF renditions); else the record's. */
  readonly recipe?: string;
  readonly bytesRead: number;
}

/** Hashes of files that carry no record (AVIF renditions), kept in `.pixelwright/`: valid while the size is the one written. */
export type Sidecar = ReadonlyMap<string, { readonly recipe: string; readonly size: number }>;

export interface PlanIO {
  head(path: string): Promise<FileHead | undefined>;
  /** The image files (workspace-relative paths) directly in a workspace-relative folder. */
  listImages(folder: string): Promise<readonly string[]>;
  /** SHA-256 of a source image's bytes (edits: a changed source changes the recipe). */
  sourceDigest(path: string): string | undefined;
  /** Heads read at once (default 32). */
  readonly concurrency?: number;
}

/** Compares `entries` with the files. */
export async function planAssets(entries: readonly AssetEntry[], io: PlanIO): Promise<AssetPlan> {
  const outputs = new Set<string>();
  for (const e of entries) {
    outputs.add(e.path);
    for (const r of e.renditions) outputs.add(r.path);
  }
  const folders = new Set([...outputs].map((p) => (p.includes('/') ? p.slice(0, p.lastIndexOf('/')) : '')));
  const listed = (await Promise.all([...folders].map((f) => io.listImages(f)))).flat();
  const extra = listed.filter((p) => !outputs.has(p));
  const paths = [...outputs, ...extra];
  const heads = new Map<string, FileHead | undefined>();
  let bytesRead = 0;
  await eachLimited(paths, io.concurrency ?? 32, async (p) => {
    const h = await io.head(p);
    heads.set(p, h);
    bytesRead += h?.bytesRead ?? 0;
  });

  const items: PlanItem[] = [];
  for (const entry of entries) {
    const recipe = recipeHash(entry, (p) => io.sourceDigest(p));
    const head = heads.get(entry.path);
    const state = stateOf(head, recipe);
    items.push({ kind: 'image', path: entry.path, entry, state, recipe, recorded: recordedOf(head) });
    for (const r of entry.renditions) {
      const rHead = heads.get(r.path);
      if (state !== 'up-to-date') {
        items.push({ kind: 'rendition', path: r.path, entry, rendition: r, state: 'waiting', recorded: recordedOf(rHead) });
        continue;
      }
      const rRecipe = renditionHash(r, { recipe, createdAt: head!.record!.createdAt });
      items.push({ kind: 'rendition', path: r.path, entry, rendition: r, state: stateOf(rHead, rRecipe), recipe: rRecipe, recorded: recordedOf(rHead) });
    }
  }
  const orphaned = extra.filter((p) => recordedOf(heads.get(p)) !== undefined).sort();
  return { items, orphaned, cost: planCost(items), bytesRead };
}

function recordedOf(head: FileHead | undefined): string | undefined {
  return head?.recipe ?? head?.record?.asset?.recipe;
}

function stateOf(head: FileHead | undefined, recipe: string): PlanState {
  if (!head) return 'new';
  const recorded = recordedOf(head);
  if (recorded === undefined) return 'foreign';
  return recorded === recipe ? 'up-to-date' : 'changed';
}

/** Whether an item needs work: an API call for an image, sharp for a rendition. */
export function needsWork(item: PlanItem): boolean {
  return item.state !== 'up-to-date';
}

/** The estimated interactive cost of the images a plan makes. */
export function planCost(items: readonly PlanItem[]): PlanCost {
  let images = 0;
  let priced = 0;
  let min = 0;
  let max = 0;
  for (const item of items) {
    if (item.kind !== 'image' || !needsWork(item)) continue;
    images++;
    const r = item.entry.request;
    const est = estimateCost(r.model, { quality: r.quality, size: r.size, n: 1 });
    if (est.kind === 'per-image') {
      priced++;
      min += est.min;
      max += est.max;
    }
  }
  const round = (x: number) => Math.round(x * 10_000) / 10_000;
  return { images, priced, min: round(min), max: round(max), unpriced: images - priced };
}

/** Counts per state, images and renditions together. */
export function planCounts(plan: AssetPlan): Record<PlanState | 'orphaned', number> {
  const counts: Record<PlanState | 'orphaned', number> = { new: 0, changed: 0, foreign: 0, 'up-to-date': 0, waiting: 0, orphaned: plan.orphaned.length };
  for (const i of plan.items) counts[i.state]++;
  return counts;
}

/** Runs `fn` on each item in order, at most `limit` at a time (at least one); rejects on the first failure. */
export async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/** Planning on a local disk: heads read with small reads (core/scan.ts), folders listed with readdir. */
export function diskPlanIO(rootPath: string, opts: { readonly sourceDigest?: (path: string) => string | undefined; readonly sidecar?: Sidecar } = {}): PlanIO {
  const abs = (p: string) => nodePath.join(rootPath, ...p.split('/'));
  return {
    head: async (p) => {
      try {
        if (/\.avif$/i.test(p)) {
          const st = await stat(abs(p));
          const kept = opts.sidecar?.get(p);
          return { recipe: kept && kept.size === st.size ? kept.recipe : undefined, bytesRead: 0 };
        }
        const r = await scanFile(abs(p));
        return { record: r.record, bytesRead: r.bytesRead };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
        throw err;
      }
    },
    listImages: async (folder) => {
      try {
        const names = await readdir(abs(folder), { withFileTypes: true });
        return names.filter((d) => d.isFile() && IMAGE_FILE.test(d.name)).map((d) => (folder ? `${folder}/${d.name}` : d.name));
      } catch {
        return [];
      }
    },
    sourceDigest: opts.sourceDigest ?? (() => undefined),
  };
}

const IMAGE_FILE = /\.(png|jpe?g|webp|avif)$/i;
