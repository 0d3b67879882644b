/**
 * Checks the host's messages for the shape their types promise (the host is the extension, but
 * what the webview acts on is still checked). Pure, unit-tested.
 */
import { isNum, isObj, isStr } from '../../shared/guards';
import type { StudioInitMessage, StudioRun, StudioTile, ToStudio } from '../../shared/studioProtocol';

export { isObj };

const TILE_STATES = ['queued', 'requesting', 'waiting', 'received', 'saved', 'failed'];

function isTile(v: unknown): v is StudioTile {
  if (!isObj(v) || !isNum(v.index) || !TILE_STATES.includes(v.state as string)) return false;
  if (v.partial !== undefined && !(isObj(v.partial) && v.partial.bytes instanceof Uint8Array && isStr(v.partial.mime) && isNum(v.partial.partialIndex))) return false;
  if (v.result !== undefined && !(isObj(v.result) && isStr(v.result.id) && v.result.bytes instanceof Uint8Array && isStr(v.result.mime) && isStr(v.result.path))) return false;
  return v.error === undefined || isStr(v.error);
}

function isRun(v: unknown): v is StudioRun {
  return (
    isObj(v) &&
    isNum(v.runId) &&
    ['running', 'done', 'cancelled', 'failed'].includes(v.phase as string) &&
    isStr(v.model) &&
    typeof v.streaming === 'boolean' &&
    isStr(v.prompt) &&
    Array.isArray(v.tiles) &&
    v.tiles.every(isTile)
  );
}

function isModel(v: unknown): boolean {
  return isObj(v) && isStr(v.id) && Array.isArray(v.sizes) && Array.isArray(v.qualities) && Array.isArray(v.outputFormats) && isNum(v.maxPromptChars) && isObj(v.pricing);
}

/** The host's message, when it has the shape its type promises. */
export function parseToStudio(v: unknown): ToStudio | undefined {
  if (!isObj(v)) return undefined;
  switch (v.type) {
    case 'init':
      return Array.isArray(v.models) &&
        v.models.length > 0 &&
        v.models.every(isModel) &&
        isObj(v.draft) &&
        isStr(v.draft.prompt) &&
        Array.isArray(v.recent) &&
        v.recent.every(isStr) &&
        isStr(v.priceListDate) &&
        (v.run === undefined || isRun(v.run)) &&
        isObj(v.strings)
        ? (v as unknown as StudioInitMessage)
        : undefined;
    case 'run':
      return isRun(v.run) ? { type: 'run', run: v.run } : undefined;
    case 'tile':
      return isNum(v.runId) && isTile(v.tile) ? { type: 'tile', runId: v.runId, tile: v.tile } : undefined;
    case 'status':
      return isNum(v.runId) && isStr(v.message) ? { type: 'status', runId: v.runId, message: v.message } : undefined;
    case 'recent':
      return Array.isArray(v.recent) && v.recent.every(isStr) ? { type: 'recent', recent: v.recent } : undefined;
    default:
      return undefined;
  }
}
