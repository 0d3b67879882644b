/**
 * Typed messages between the host and the webviews. One interface per message, split into
 * "to webview" and "from webview". Requests carry an `id`; replies carry `inReplyTo` and an
 * optional `error` (the envelopes of shared/webviewMessages.ts). Binary data travels as Uint8Array. Every message from a webview is
 * untrusted: the host checks its shape with the guards below before acting.
 * No `vscode`, no Node APIs: imported by the host and by the browser bundles.
 */
import { isFormChoices, isInt, isObj } from './guards';
import { defined, type ModelInfo, type OptionChoices } from './modelRules';
import { isRunId, parseRunControl, type CancelRunMessage, type ReadyMessage, type ReplyEnvelope, type RequestEnvelope } from './webviewMessages';

/** The mask editor's options: the model, how many images, its choices (no style: no model that edits has one) and the editor's own. */
export interface EditOptions extends Omit<OptionChoices, 'style' | 'frames' | 'frameMs'> {
  readonly model: string;
  readonly n: number;
  readonly inputFidelity?: 'low' | 'high';
  /** Paste the original pixels back outside the mask after the edit. */
  readonly keepUnmasked: boolean;
  /** dall-e-2 needs a square: pad (default) or crop. */
  readonly squareMode: 'pad' | 'crop';
}

// ---- host -> mask editor -------------------------------------------------------------------

export interface InitMessage {
  readonly type: 'init';
  readonly operation: 'edit' | 'variation';
  /** Display source of the image (a webview URI); width/height after EXIF orientation. */
  readonly image: { readonly src: string; readonly name: string; readonly width: number; readonly height: number; readonly hasAlpha: boolean };
  /** Extra reference images (GPT image edits), by name. */
  readonly references: readonly string[];
  /** The models offered, described for this operation. */
  readonly models: readonly ModelInfo[];
  readonly options: EditOptions;
  readonly prompt: string;
  /** Localized strings for the UI, keyed by English source text. */
  readonly strings: Readonly<Record<string, string>>;
}

export interface ProgressMessage {
  readonly type: 'progress';
  readonly runId: number;
  readonly message: string;
  readonly done: number;
  readonly total: number;
}

export interface ResultImage {
  readonly id: string;
  /** PNG/JPEG/WebP bytes to show (already composited when keepUnmasked). */
  readonly bytes: Uint8Array;
  readonly mime: string;
  readonly width: number;
  readonly height: number;
}

export interface RunFinishedMessage {
  readonly type: 'runFinished';
  readonly runId: number;
  readonly results: readonly ResultImage[];
  /** A user-readable error when the run failed (or partly failed). */
  readonly error?: string;
  readonly cancelled?: boolean;
  /** Something to know about the results (e.g. the kept pixels could not stay exact). */
  readonly notice?: string;
}

/** After "use as input": the editor restarts on this image (the mask is cleared). */
export interface ReplaceImageMessage {
  readonly type: 'replaceImage';
  readonly image: InitMessage['image'];
}

/** The answer to a request (keep, discard, use as input, add or remove a reference). */
export interface ReplyMessage extends ReplyEnvelope {
  /** For "keep": the workspace-relative path written. */
  readonly path?: string;
}

export type ToMaskEditor = InitMessage | ProgressMessage | RunFinishedMessage | ReplaceImageMessage | ReplyMessage;

// ---- mask editor -> host -------------------------------------------------------------------

/** Starts a run; answered by progress and then runFinished with the same runId (not a request). */
export interface RunMessage {
  readonly type: 'run';
  readonly runId: number;
  readonly prompt: string;
  readonly options: EditOptions;
  /**
   * The painted area as a PNG of the image's (oriented) dimensions: alpha > 0 where the user
   * painted (= where to edit). Absent when nothing is painted.
   */
  readonly mask?: Uint8Array;
  /**
   * The guide drawn over the image (GPT Image 2.5 `markup`) as a PNG of the image's (oriented)
   * dimensions, transparent where nothing is drawn. Never sent together with a mask.
   */
  readonly guide?: Uint8Array;
}

export interface ResultActionMessage extends RequestEnvelope {
  readonly type: 'keep' | 'discard' | 'useAsInput';
  readonly resultId: string;
}

export interface AddReferenceMessage extends RequestEnvelope {
  readonly type: 'addReference';
}

/** Takes a reference image out of the edit (by the workspace-relative path the host gave). */
export interface RemoveReferenceMessage extends RequestEnvelope {
  readonly type: 'removeReference';
  readonly path: string;
}

export type FromMaskEditor = ReadyMessage | RunMessage | CancelRunMessage | ResultActionMessage | AddReferenceMessage | RemoveReferenceMessage;

// ---- guards (host side: every message is untrusted) ------------------------------------------

export function isEditOptions(v: unknown): v is EditOptions {
  return (
    isFormChoices(v, ['size', 'quality', 'outputFormat', 'background', 'complexity']) &&
    (v.inputFidelity === undefined || v.inputFidelity === 'low' || v.inputFidelity === 'high') &&
    typeof v.keepUnmasked === 'boolean' &&
    (v.squareMode === 'pad' || v.squareMode === 'crop')
  );
}

/** Only the fields EditOptions has (a message may carry more; nothing else is kept or stored). */
export function pickEditOptions(o: EditOptions): EditOptions {
  return {
    model: o.model,
    size: o.size,
    quality: o.quality,
    n: o.n,
    outputFormat: o.outputFormat,
    background: o.background,
    ...defined({ complexity: o.complexity }),
    inputFidelity: o.inputFidelity,
    keepUnmasked: o.keepUnmasked,
    squareMode: o.squareMode,
  };
}

/** Checks a message from the mask editor; undefined when it is not one we accept. */
export function parseFromMaskEditor(v: unknown): FromMaskEditor | undefined {
  if (!isObj(v)) return undefined;
  switch (v.type) {
    case 'ready':
    case 'cancel':
      return parseRunControl(v);
    case 'run':
      if (!isRunId(v.runId) || typeof v.prompt !== 'string' || v.prompt.length > 32000 || !isEditOptions(v.options)) return undefined;
      if (v.mask !== undefined && !(v.mask instanceof Uint8Array)) return undefined;
      if (v.guide !== undefined && (!(v.guide instanceof Uint8Array) || v.mask !== undefined)) return undefined;
      return { type: 'run', runId: v.runId as number, prompt: v.prompt, options: pickEditOptions(v.options), mask: v.mask as Uint8Array | undefined, guide: v.guide as Uint8Array | undefined };
    case 'keep':
    case 'discard':
    case 'useAsInput':
      return isInt(v.id, 0, Number.MAX_SAFE_INTEGER) && typeof v.resultId === 'string' && v.resultId.length <= 64 ? { type: v.type, id: v.id as number, resultId: v.resultId } : undefined;
    case 'addReference':
      return isInt(v.id, 0, Number.MAX_SAFE_INTEGER) ? { type: 'addReference', id: v.id as number } : undefined;
    case 'removeReference':
      return isInt(v.id, 0, Number.MAX_SAFE_INTEGER) && typeof v.path === 'string' && v.path.length > 0 && v.path.length <= 4096
        ? { type: 'removeReference', id: v.id as number, path: v.path }
        : undefined;
    default:
      return undefined;
  }
}
