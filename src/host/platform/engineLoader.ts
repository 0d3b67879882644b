/**
 * Loads dist/engine.js (the openai SDK and the request runner, input preparation and thumbnails
 * with sharp; its entry is src/core/engineEntry.ts) on first use, never at activation.
 */
import * as path from 'path';
import type * as Engine from '../../core/engineEntry';

let loading: Promise<typeof Engine> | undefined;

export function loadEngine(): Promise<typeof Engine> {
  // A computed path keeps esbuild from inlining the engine into the activation bundle.
  loading ??= Promise.resolve().then(() => require(path.join(__dirname, 'engine.js')) as typeof Engine);
  return loading;
}
