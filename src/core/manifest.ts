/**
 * The asset manifest (`pixelwright.assets.json`): the images a project needs, as code. Shared
 * defaults (model, size, quality, format, background, a style text added to every prompt) and
 * entries (output path, prompt, options, source images for edits, derived renditions). This
 * module reads it (JSONC), checks every entry against the model's capabilities and the workspace
 * (duplicate outputs, paths outside the workspace, unknown models, refused options; missing
 * sources through {@link missingSourceProblems}), and gives each entry's effective recipe and its
 * hash, the hash every written image records. No `vscode`: the host turns the problems into
 * diagnostics in its own words.
 */
import { createHash } from 'node:crypto';
import * as posix from 'node:path/posix';
import { JsoncError, lineOf, parseJsonc, property, type JsonNode, type JsonProperty } from './jsonc';
import type { ModelCapabilities, ModelTable, OutputFormat } from './models';
import { requestOptions, validateRequest, ValidationError, type ImageRequest } from './request';
import { msg, type CoreMessage } from '../shared/messages';

export const MANIFEST_NAME = 'pixelwright.assets.json';

export type RenditionFormat = OutputFormat | 'avif';
export type Fit = 'cover' | 'contain' | 'pad';

/** A file derived locally (sharp) from its entry's image. */
export interface Rendition {
  /** Workspace-relative, '/'-separated. */
  readonly path: string;
  readonly format: RenditionFormat;
  readonly width?: number;
  readonly height?: number;
  readonly scale?: number;
  readonly fit: Fit;
  /** '#rrggbb', '#rrggbbaa' or 'transparent' (pad's fill; what a JPEG is flattened onto). */
  readonly background?: string;
  /** 1-100 for JPEG, WebP and AVIF. */
  readonly quality?: number;
  /** Where the rendition is in the manifest. */
  readonly offset: number;
  readonly length: number;
}

/** One image the manifest asks for, with everything it inherits filled in. */
export interface AssetEntry {
  readonly index: number;
  /** Workspace-relative, '/'-separated. */
  readonly path: string;
  /** The request made for it (n is 1; the prompt with the style added). */
  readonly request: Omit<ImageRequest, 'images' | 'mask'>;
  /** Workspace-relative source images: an edit when there are any. */
  readonly sources: readonly string[];
  readonly renditions: readonly Rendition[];
  /** Where the entry object is in the manifest (CodeLens, diagnostics). */
  readonly offset: number;
  readonly length: number;
}

export type ProblemCode =
  | 'not-json'
  | 'not-object'
  | 'no-assets'
  | 'wrong-type'
  | 'unknown-field'
  | 'missing-field'
  | 'duplicate-path'
  | 'outside-workspace'
  | 'bad-extension'
  | 'format-mismatch'
  | 'unknown-model'
  | 'refused-option'
  | 'missing-source'
  | 'bad-rendition';

/** Something wrong in the manifest, where it is, and the words the host needs to say it. */
export interface ManifestProblem {
  readonly code: ProblemCode;
  readonly severity: 'error' | 'warning';
  readonly offset: number;
  readonly length: number;
  /** Code-specific values: a field name, a path, the expected type, a model id. */
  readonly args: readonly string[];
  /** Detail from core as a message id (a model's refusal, the reader's complaint): the host words it, English elsewhere. */
  readonly detail?: CoreMessage;
  /** The entry it belongs to, if any: that entry is left out of every run. */
  readonly entry?: number;
}

export interface Manifest {
  /** The entries with no error (only these are planned and sent). */
  readonly entries: readonly AssetEntry[];
  /** Every entry read, good or bad, in manifest order (CodeLens shows them all). */
  readonly all: readonly { readonly index: number; readonly path?: string; readonly offset: number; readonly length: number }[];
  readonly problems: readonly ManifestProblem[];
}

export interface ReadOptions {
  /** The manifest's folder, workspace-relative ('' at the root): entry paths are relative to it. */
  readonly manifestDir: string;
  readonly models: ModelTable;
  /** Used when neither the defaults nor the entry name a model (the `pixelwright.model` setting). */
  readonly defaultModel: string;
}

const DEFAULT_FIELDS = ['model', 'size', 'quality', 'format', 'background', 'compression', 'moderation', 'style'] as const;
const ENTRY_FIELDS = [...DEFAULT_FIELDS, 'path', 'prompt', 'sources', 'inputFidelity', 'renditions'] as const;
const RENDITION_FIELDS = ['path', 'size', 'width', 'height', 'scale', 'fit', 'format', 'background', 'quality'] as const;
const TOP_FIELDS = ['$schema', 'version', 'defaults', 'assets'] as const;

const EXTENSIONS: Readonly<Record<string, RenditionFormat>> = { '.png': 'png', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.webp': 'webp', '.avif': 'avif' };
const COLOR = /^(#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?|transparent)$/;

/** Reads and checks a manifest. Never throws: what is wrong comes back as problems. */
export function readManifest(text: string, opts: ReadOptions): Manifest {
  const problems: ManifestProblem[] = [];
  let root: JsonNode;
  try {
    root = parseJsonc(text);
  } catch (err) {
    const e = err as JsoncError;
    return { entries: [], all: [], problems: [{ code: 'not-json', severity: 'error', offset: e.offset ?? 0, length: 1, args: [String(lineOf(text, e.offset ?? 0))], detail: e.reason }] };
  }
  const at = (node: { offset: number; length: number } | JsonProperty, code: ProblemCode, args: string[] = [], extra: Partial<ManifestProblem> = {}): void => {
    const where = 'keyOffset' in node ? { offset: node.keyOffset, length: node.keyLength } : { offset: node.offset, length: node.length };
    problems.push({ code, severity: 'error', ...where, args, ...extra });
  };
  if (root.type !== 'object') {
    at(root, 'not-object');
    return { entries: [], all: [], problems };
  }
  unknownFields(root, TOP_FIELDS, problems);
  const defaultsNode = property(root, 'defaults')?.value;
  if (defaultsNode && defaultsNode.type !== 'object') at(defaultsNode, 'wrong-type', ['defaults', 'object']);
  const defaults = defaultsNode?.type === 'object' ? defaultsNode : undefined;
  if (defaults) unknownFields(defaults, DEFAULT_FIELDS, problems);
  const assetsProp = property(root, 'assets');
  if (!assetsProp) {
    at({ offset: root.offset, length: 1 }, 'no-assets');
    return { entries: [], all: [], problems };
  }
  if (assetsProp.value.type !== 'array') {
    at(assetsProp.value, 'wrong-type', ['assets', 'array']);
    return { entries: [], all: [], problems };
  }

  const entries: AssetEntry[] = [];
  const all: { index: number; path?: string; offset: number; length: number }[] = [];
  /** Output path -> where it was first named (entries and renditions share one namespace). */
  const outputs = new Map<string, number>();
  assetsProp.value.items.forEach((node, index) => {
    const before = problems.length;
    const fail = (n: { offset: number; length: number } | JsonProperty, code: ProblemCode, args: string[] = [], extra: Partial<ManifestProblem> = {}) => at(n, code, args, { entry: index, ...extra });
    if (node.type !== 'object') {
      fail(node, 'wrong-type', [`assets[${index}]`, 'object']);
      all.push({ index, offset: node.offset, length: node.length });
      return;
    }
    unknownFields(node, ENTRY_FIELDS, problems, index);
    /** A field of the entry, else of the defaults; type-checked. */
    const field = (name: string, type: 'string' | 'number', inherit = true): { value?: string | number; node?: JsonNode } => {
      const own = property(node, name);
      const p = own ?? (inherit ? property(defaults, name) : undefined);
      if (!p) return {};
      if (p.value.type === 'null') return { node: p.value };
      if (p.value.type !== type) {
        fail(p.value, 'wrong-type', [name, type]);
        return {};
      }
      return { value: p.value.value as string | number, node: p.value };
    };
    const pathField = field('path', 'string', false);
    const promptField = field('prompt', 'string', false);
    if (pathField.value === undefined && !problems.slice(before).length) fail({ offset: node.offset, length: 1 }, 'missing-field', ['path']);
    const promptProp = property(node, 'prompt');
    if (!promptProp || (promptProp.value.type === 'string' && promptProp.value.value.trim() === '') || promptProp.value.type === 'null') {
      fail(promptProp ?? { offset: node.offset, length: 1 }, 'missing-field', ['prompt']);
    }
    let path: string | undefined;
    let format: RenditionFormat | undefined;
    if (pathField.value !== undefined && pathField.node) {
      path = outputPath(String(pathField.value), pathField.node, opts.manifestDir, fail);
      if (path !== undefined) {
        format = formatOf(path);
        if (!format || format === 'avif') {
          fail(pathField.node, 'bad-extension', [String(pathField.value), '.png, .jpg, .webp']);
          path = undefined;
        } else claim(path, pathField.node, outputs, fail);
      }
    }
    all.push({ index, path, offset: node.offset, length: node.length });

    // The model and its options.
    const modelField = field('model', 'string');
    const modelId = modelField.value === undefined ? opts.defaultModel : String(modelField.value);
    const caps = opts.models.get(modelId);
    if (!caps) fail(modelField.node ?? property(node, 'prompt') ?? { offset: node.offset, length: 1 }, 'unknown-model', [modelId]);
    const explicitFormat = field('format', 'string', false);
    if (explicitFormat.value !== undefined && format && normalFormat(String(explicitFormat.value)) !== format) {
      fail(explicitFormat.node!, 'format-mismatch', [String(explicitFormat.value), path ?? '']);
    }
    const style = field('style', 'string');
    const prompt = String(promptField.value ?? '').trim();
    const styled = style.value !== undefined && String(style.value).trim() ? `${prompt}\n\n${String(style.value).trim()}` : prompt;
    const sourcesProp = property(node, 'sources');
    const sources: string[] = [];
    if (sourcesProp) {
      if (sourcesProp.value.type !== 'array') fail(sourcesProp.value, 'wrong-type', ['sources', 'array']);
      else
        for (const s of sourcesProp.value.items) {
          if (s.type !== 'string') fail(s, 'wrong-type', ['sources', 'string']);
          else {
            const p = outputPath(s.value, s, opts.manifestDir, fail);
            if (p !== undefined) sources.push(p);
          }
        }
    }
    const str = (name: string) => {
      const f = field(name, 'string');
      return f.value === undefined ? undefined : String(f.value);
    };
    const num = (name: string) => {
      const f = field(name, 'number');
      return f.value === undefined ? undefined : Number(f.value);
    };
    const request: Omit<ImageRequest, 'images' | 'mask'> = clean({
      operation: sources.length ? 'edit' : 'generate',
      model: modelId,
      prompt: styled,
      n: 1,
      size: str('size'),
      quality: str('quality'),
      background: str('background') as ImageRequest['background'],
      outputFormat: format && format !== 'avif' ? format : undefined,
      outputCompression: num('compression'),
      moderation: str('moderation') as ImageRequest['moderation'],
      inputFidelity: str('inputFidelity') as ImageRequest['inputFidelity'],
    });
    if (caps && prompt) checkOptions(request, sources.length, caps, node, fail);

    const renditions = readRenditions(node, path, outputs, opts.manifestDir, fail);
    if (problems.slice(before).some((p) => p.severity === 'error') || path === undefined) return;
    entries.push({ index, path, request, sources, renditions, offset: node.offset, length: node.length });
  });
  return { entries, all, problems };
}

/**
 * Problems for the source images that are not there (`exists` answers for workspace-relative
 * paths); the entries they belong to are dropped from `manifest.entries`.
 */
export function missingSourceProblems(manifest: Manifest, text: string, exists: (path: string) => boolean): Manifest {
  const problems = [...manifest.problems];
  const bad = new Set<number>();
  for (const e of manifest.entries) {
    for (const s of e.sources) {
      if (exists(s)) continue;
      // Point at the string in the entry that names it.
      const slice = text.slice(e.offset, e.offset + e.length);
      const name = s.split('/').pop()!;
      const k = slice.indexOf(name);
      problems.push({ code: 'missing-source', severity: 'error', offset: k >= 0 ? e.offset + k : e.offset, length: k >= 0 ? name.length : 1, args: [s], entry: e.index });
      bad.add(e.index);
    }
  }
  return { ...manifest, entries: manifest.entries.filter((e) => !bad.has(e.index)), problems };
}

/** The recipe an entry's image is made from: what changes it changes the hash. */
export function effectiveRecipe(entry: AssetEntry, sourceDigest: (path: string) => string | undefined): Record<string, unknown> {
  const options = requestOptions({ ...entry.request });
  return {
    v: 1,
    operation: entry.request.operation,
    model: entry.request.model,
    prompt: entry.request.prompt,
    options: sorted(options),
    ...(entry.sources.length ? { sources: entry.sources.map((p) => ({ path: p, sha256: sourceDigest(p) ?? null })) } : {}),
  };
}

/** The hash an entry's written image records (hex, 20 characters). */
export function recipeHash(entry: AssetEntry, sourceDigest: (path: string) => string | undefined = () => undefined): string {
  return hashOf(effectiveRecipe(entry, sourceDigest));
}

/**
 * The hash a rendition records: its own settings, and the image it was made from (that image's
 * recipe hash and when it was made, so a remade source remakes its renditions).
 */
export function renditionHash(r: Rendition, source: { readonly recipe: string; readonly createdAt: string }): string {
  const { path: _p, offset: _o, length: _l, ...spec } = r;
  void _p;
  void _o;
  void _l;
  return hashOf({ v: 1, rendition: sorted(spec as Record<string, unknown>), from: source.recipe, made: source.createdAt });
}

export function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 20);
}

export function formatOf(path: string): RenditionFormat | undefined {
  const dot = path.lastIndexOf('.');
  return dot > path.lastIndexOf('/') ? EXTENSIONS[path.slice(dot).toLowerCase()] : undefined;
}

function normalFormat(f: string): string {
  return f === 'jpg' ? 'jpeg' : f;
}

function sorted(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

type Fail = (n: { offset: number; length: number } | JsonProperty, code: ProblemCode, args?: string[], extra?: Partial<ManifestProblem>) => void;

/** A path written in the manifest as a workspace-relative one; undefined (and a problem) when it leaves the workspace. */
function outputPath(written: string, node: JsonNode, manifestDir: string, fail: Fail): string | undefined {
  const p = written.trim().replace(/\\/g, '/');
  if (!p) {
    fail(node, 'missing-field', ['path']);
    return undefined;
  }
  if (p.startsWith('/') || /^[a-zA-Z]:/.test(p) || p.includes('\0')) {
    fail(node, 'outside-workspace', [written]);
    return undefined;
  }
  const joined = posix.normalize(posix.join(manifestDir || '.', p));
  if (joined === '..' || joined.startsWith('../') || joined === '.' || joined.endsWith('/')) {
    fail(node, 'outside-workspace', [written]);
    return undefined;
  }
  return joined;
}

function claim(path: string, node: JsonNode, outputs: Map<string, number>, fail: Fail): void {
  const key = path.toLowerCase();
  if (outputs.has(key)) fail(node, 'duplicate-path', [path]);
  else outputs.set(key, node.offset);
}

/** The model's refusals, before anything is sent (the same check every run makes). */
function checkOptions(request: Omit<ImageRequest, 'images' | 'mask'>, sourceCount: number, caps: ModelCapabilities, node: JsonNode, fail: Fail): void {
  const fieldFor: Record<string, string> = { size: 'size', quality: 'quality', background: 'background', output_format: 'format', output_compression: 'compression', moderation: 'moderation', input_fidelity: 'inputFidelity', model: 'model', prompt: 'prompt' };
  try {
    validateRequest({ ...request }, caps, { inputsLater: true });
    if (sourceCount > caps.input.maxImages) throw new ValidationError('image', caps.input.maxImages === 1 ? msg('validation.oneInputOnly', caps.id, sourceCount) : msg('validation.tooManyInputs', caps.id, caps.input.maxImages, sourceCount));
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    const where = property(node, fieldFor[err.param] ?? (err.param === 'image' ? 'sources' : '')) ?? property(node, 'model') ?? property(node, 'prompt');
    fail(where ? where.value : { offset: node.offset, length: 1 }, 'refused-option', [fieldFor[err.param] ?? err.param, caps.id], { detail: err.text });
  }
}

function readRenditions(node: JsonNode, sourcePath: string | undefined, outputs: Map<string, number>, manifestDir: string, fail: Fail): Rendition[] {
  const prop = property(node, 'renditions');
  if (!prop) return [];
  if (prop.value.type !== 'array') {
    fail(prop.value, 'wrong-type', ['renditions', 'array']);
    return [];
  }
  const out: Rendition[] = [];
  for (const r of prop.value.items) {
    if (r.type !== 'object') {
      fail(r, 'wrong-type', ['renditions', 'object']);
      continue;
    }
    unknownFields(r, RENDITION_FIELDS, undefined, undefined, fail);
    const bad = (where: JsonNode | JsonProperty, what: string) => fail(where, 'bad-rendition', [what]);
    const p = property(r, 'path');
    if (!p || p.value.type !== 'string') {
      fail(p?.value ?? { offset: r.offset, length: 1 }, 'missing-field', ['path']);
      continue;
    }
    const path = outputPath(p.value.value, p.value, manifestDir, fail);
    if (path === undefined) continue;
    const ext = formatOf(path);
    if (!ext) {
      fail(p.value, 'bad-extension', [p.value.value, '.png, .jpg, .webp, .avif']);
      continue;
    }
    if (path === sourcePath) {
      bad(p.value, 'path');
      continue;
    }
    claim(path, p.value, outputs, fail);
    const numberOf = (name: string, min: number, max: number, integer: boolean): number | undefined => {
      const q = property(r, name);
      if (!q) return undefined;
      if (q.value.type !== 'number' || q.value.value < min || q.value.value > max || (integer && !Number.isInteger(q.value.value))) {
        bad(q.value, name);
        return undefined;
      }
      return q.value.value;
    };
    let width = numberOf('width', 1, 16384, true);
    let height = numberOf('height', 1, 16384, true);
    const sizeProp = property(r, 'size');
    if (sizeProp) {
      const m = sizeProp.value.type === 'string' ? /^(\d{1,5})x(\d{1,5})$/.exec(sizeProp.value.value) : null;
      if (!m || +m[1] < 1 || +m[2] < 1 || +m[1] > 16384 || +m[2] > 16384) bad(sizeProp.value, 'size');
      else [width, height] = [+m[1], +m[2]];
    }
    const scale = numberOf('scale', 0.01, 8, false);
    if (scale !== undefined && (width !== undefined || height !== undefined)) bad(property(r, 'scale')!.value, 'scale');
    // a size given but wrong is its own problem (said above): "needs a size" only when none is given at all
    if (!['size', 'width', 'height', 'scale', 'format'].some((name) => property(r, name))) bad(p.value, 'size');
    const fitProp = property(r, 'fit');
    const fit = fitProp?.value.type === 'string' ? fitProp.value.value : 'cover';
    if (fit !== 'cover' && fit !== 'contain' && fit !== 'pad') bad(fitProp!.value, 'fit');
    const formatProp = property(r, 'format');
    if (formatProp && (formatProp.value.type !== 'string' || normalFormat(formatProp.value.value) !== ext)) fail(formatProp.value, 'format-mismatch', [formatProp.value.type === 'string' ? formatProp.value.value : '?', path]);
    const bgProp = property(r, 'background');
    if (bgProp && (bgProp.value.type !== 'string' || !COLOR.test(bgProp.value.value))) bad(bgProp.value, 'background');
    const quality = numberOf('quality', 1, 100, true);
    out.push(
      clean({
        path,
        format: ext,
        width,
        height,
        scale,
        fit: fit as Fit,
        background: bgProp?.value.type === 'string' ? bgProp.value.value : undefined,
        quality,
        offset: r.offset,
        length: r.length,
      }),
    );
  }
  return out;
}

/** Fields the schema does not know: a warning each (a typo would otherwise be silently ignored). */
function unknownFields(node: JsonNode, known: readonly string[], problems?: ManifestProblem[], entry?: number, fail?: Fail): void {
  if (node.type !== 'object') return;
  for (const p of node.properties) {
    if (known.includes(p.key)) continue;
    if (fail) fail(p, 'unknown-field', [p.key], { severity: 'warning' });
    else problems!.push({ code: 'unknown-field', severity: 'warning', offset: p.keyOffset, length: p.keyLength, args: [p.key], entry });
  }
}
