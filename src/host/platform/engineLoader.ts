/**
 * Loads dist/engine.js (the openai SDK and the request runner) on first use, never at activation.
 */
import * as path from 'path';
import type * as Engine from '../../core/engine';

let loading: Promise<typeof Engine> | undefined;

export function loadEngine(): Promise<typeof Engine> {
  // A computed path keeps esbuild from inlining the engine into the activation bundle.
  loading ??= Promise.resolve().then(() => require(path.join(__dirname, 'engine.js')) as typeof Engine);
  return loading;
}
