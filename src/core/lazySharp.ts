/**
 * sharp, loaded on its first call. Generating never needs it, so the engine bundle loads
 * without it (about 40 ms less on the first generation); preparation and thumbnails pay it once.
 */
import type SharpModule from 'sharp';

let loaded: typeof SharpModule | undefined;

export const sharp = ((...args: Parameters<typeof SharpModule>) => {
  loaded ??= require('sharp') as typeof SharpModule;
  return loaded(...args);
}) as typeof SharpModule;

/** Loads sharp now (a view that will make thumbnails does it while its page loads). */
export function loadSharp(): void {
  loaded ??= require('sharp') as typeof SharpModule;
}
