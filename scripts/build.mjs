// Bundles the extension with esbuild. Three host bundles, so that activation stays light:
//   dist/extension.js  activate(): thin registrations, settings, secrets, log;
//   dist/features.js   the run pipeline and every feature: loaded when a command first runs or a view opens;
//   dist/engine.js     the API client (openai SDK) and image work (entry src/core/engineEntry.ts): loaded on the first request.
// sharp stays external (a native module shipped per platform in the VSIX).
// Usage: node scripts/build.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: production ? false : 'linked',
  minify: production,
  legalComments: production ? 'external' : 'inline',
  logLevel: 'warning',
  external: ['vscode', 'sharp'],
};

/** Browser bundles, one per webview (src/webview/<name>/main.ts -> dist/webview/<name>.js). */
const webviews = ['edit', 'studio', 'gallery', 'recipe'].filter((name) => existsSync(`src/webview/${name}/main.ts`));

const builds = [
  { ...common, entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist', metafile: true },
  // Every feature (the run pipeline, palette, mask editor, Studio, Gallery): loaded on first use.
  { ...common, entryPoints: { features: 'src/features.ts' }, outdir: 'dist', metafile: true },
  // keepNames: the SDK's error classes are told apart by their class names (errors.ts).
  { ...common, keepNames: true, entryPoints: { engine: 'src/core/engineEntry.ts' }, outdir: 'dist', metafile: true },
  // The MCP server (stdio) for any MCP client: core and the MCP SDK; the engine loads from dist/engine.js on its first call.
  { ...common, entryPoints: { mcp: 'src/mcp/server.ts' }, outdir: 'dist', metafile: true },
  ...webviews.map((name) => ({
    ...common,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    external: [],
    entryPoints: { [name]: `src/webview/${name}/main.ts` },
    outdir: 'dist/webview',
    metafile: true,
  })),
];

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log('esbuild: watching');
} else {
  const results = await Promise.all(builds.map((b) => esbuild.build(b)));
  for (const r of results) {
    for (const [file, out] of Object.entries(r.metafile.outputs)) {
      if (file.endsWith('.js')) console.log(`${file}  ${(out.bytes / 1024).toFixed(1)} KB`);
    }
  }
}
