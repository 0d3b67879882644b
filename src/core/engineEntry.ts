/**
 * The entry of the lazily loaded bundle dist/engine.js (scripts/build.mjs): everything the host
 * needs that pulls in the openai SDK or sharp, loaded on first use through
 * src/host/platform/engineLoader.ts, never at activation. The host calls only what is listed here.
 */
export { runImageRequest } from './engine';
export { composeUnmasked, describeImage, makeVariationInput, prepareInputs } from './prepare';
export { makeThumbnail } from './thumbnails';
export { loadSharp } from './lazySharp';
export { makeImages } from './run';
export { decodeSource, makeRendition } from './renditions';
export { createBatchClient } from './batchClient';
