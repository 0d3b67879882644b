/**
 * Layer rule (docs: DESIGN.md "Layers"): src/core and src/shared never import `vscode`, nor
 * anything from src/host; src/shared (also bundled for webviews) uses no Node APIs either.
 * Webviews reach neither `vscode`, Node nor the host, and one view never another view's files;
 * a host feature uses the shared services, never another feature. Test folders follow src.
 * Imports are read with TypeScript's own pre-processor, so `import`, `import type`,
 * `export ... from`, `require()` and `import()` all count, and comments do not.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import { builtinModules } from 'module';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = findRoot(__dirname);
const SRC = path.join(ROOT, 'src');
const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function findRoot(dir: string): string {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'package.json')) && fs.existsSync(path.join(d, 'src'))) return d;
    if (path.dirname(d) === d) throw new Error(`no project root above ${dir}`);
  }
}

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.(c|m)?tsx?$|\.(c|m)?jsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Module specifiers a file imports, exports from, requires or dynamically imports. */
export function importsOf(text: string): string[] {
  const info = ts.preProcessFile(text, /*readImportFiles*/ true, /*detectJavaScriptImports*/ true);
  return info.importedFiles.map((f) => f.fileName);
}

function isVscode(spec: string): boolean {
  return spec === 'vscode' || spec.startsWith('vscode/');
}

function resolvesInto(fromFile: string, spec: string, dir: string): boolean {
  if (!spec.startsWith('.') && !spec.startsWith('/')) return false;
  const target = path.resolve(path.dirname(fromFile), spec);
  const rel = path.relative(dir, target);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Violations of the layer rule in one file, as "file: reason" strings. */
function violations(file: string, layer: 'core' | 'shared'): string[] {
  const rel = path.relative(ROOT, file);
  const out: string[] = [];
  for (const spec of importsOf(fs.readFileSync(file, 'utf8'))) {
    if (isVscode(spec)) out.push(`${rel}: imports '${spec}'`);
    if (resolvesInto(file, spec, path.join(SRC, 'host'))) out.push(`${rel}: imports from src/host ('${spec}')`);
    if (layer === 'shared' && NODE_BUILTINS.has(spec)) out.push(`${rel}: uses Node API '${spec}' (shared runs in webviews too)`);
  }
  return out;
}

suite('layers: core and shared stay free of vscode', () => {
  test('the import reader sees every form of import', () => {
    const text = [
      `import * as vscode from 'vscode';`,
      `import type { Uri } from "vscode";`,
      `export { x } from '../host/x';`,
      `const v = require('vscode');`,
      `const later = import('vscode');`,
      `// import 'commented-out';`,
      `/* require('also-commented') */`,
    ].join('\n');
    assert.deepStrictEqual(importsOf(text), ['vscode', 'vscode', '../host/x', 'vscode', 'vscode']);
  });

  test('src/core exists and has sources to check', () => {
    assert.ok(sourceFiles(path.join(SRC, 'core')).length > 0, 'no files under src/core');
  });

  test('src/core imports neither vscode nor src/host', () => {
    const found = sourceFiles(path.join(SRC, 'core')).flatMap((f) => violations(f, 'core'));
    assert.deepStrictEqual(found, []);
  });

  test('src/mcp (the MCP server, its own process) imports neither vscode, src/host nor src/webview', () => {
    const files = sourceFiles(path.join(SRC, 'mcp'));
    assert.ok(files.length > 0, 'no files under src/mcp');
    const found = files.flatMap((f) => [
      ...violations(f, 'core'),
      ...importsOf(fs.readFileSync(f, 'utf8')).filter((spec) => resolvesInto(f, spec, path.join(SRC, 'webview'))).map((spec) => `${path.relative(ROOT, f)}: imports from src/webview ('${spec}')`),
    ]);
    assert.deepStrictEqual(found, []);
  });

  test('src/shared imports neither vscode, src/host nor Node APIs', () => {
    const found = sourceFiles(path.join(SRC, 'shared')).flatMap((f) => violations(f, 'shared'));
    assert.deepStrictEqual(found, []);
  });
});

/** Relative imports of a file, resolved to files (.ts first); bare specifiers are returned as they are. */
function resolvedImports(file: string): { spec: string; target?: string }[] {
  return importsOf(fs.readFileSync(file, 'utf8')).map((spec) => {
    if (!spec.startsWith('.')) return { spec };
    const base = path.resolve(path.dirname(file), spec);
    const target = [`${base}.ts`, base, path.join(base, 'index.ts')].find((p) => fs.existsSync(p) && fs.statSync(p).isFile());
    return { spec, target };
  });
}

suite('layers: webviews run in a browser and know nothing of the host', () => {
  const WEBVIEW = path.join(SRC, 'webview');

  test('src/webview has the views to check', () => {
    assert.ok(sourceFiles(WEBVIEW).length > 10, 'no files under src/webview');
  });

  test('no webview file reaches vscode, a Node API or src/host, directly or through what it imports', () => {
    const found: string[] = [];
    const seen = new Set<string>();
    const visit = (file: string, from: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const { spec, target } of resolvedImports(file)) {
        const rel = path.relative(ROOT, file);
        if (isVscode(spec)) found.push(`${rel} (from ${from}): imports '${spec}'`);
        if (NODE_BUILTINS.has(spec)) found.push(`${rel} (from ${from}): uses Node API '${spec}'`);
        if (target && !path.relative(path.join(SRC, 'host'), target).startsWith('..')) found.push(`${rel} (from ${from}): imports from src/host ('${spec}')`);
        if (target) visit(target, from);
      }
    };
    for (const f of sourceFiles(WEBVIEW)) visit(f, path.relative(ROOT, f));
    assert.deepStrictEqual(found, []);
  });

  test('a view uses its own folder and common/, never another view\'s files', () => {
    const views = fs.readdirSync(WEBVIEW, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name !== 'common').map((e) => e.name);
    assert.ok(views.length >= 3, `views: ${views.join(', ')}`);
    const found: string[] = [];
    for (const view of views) {
      for (const file of sourceFiles(path.join(WEBVIEW, view))) {
        for (const { spec, target } of resolvedImports(file)) {
          const into = target && path.relative(WEBVIEW, target).split(path.sep)[0];
          if (into && views.includes(into) && into !== view) found.push(`${path.relative(ROOT, file)}: imports the ${into} view ('${spec}')`);
        }
      }
    }
    assert.deepStrictEqual(found, []);
  });

  test('common/ is shared by the views and uses none of them', () => {
    const found: string[] = [];
    for (const file of sourceFiles(path.join(WEBVIEW, 'common'))) {
      for (const { spec, target } of resolvedImports(file)) {
        const into = target && path.relative(WEBVIEW, target).split(path.sep)[0];
        if (into && !into.startsWith('..') && into !== 'common') found.push(`${path.relative(ROOT, file)}: imports the ${into} view ('${spec}')`);
      }
    }
    assert.deepStrictEqual(found, []);
  });
});

suite('layers: a feature uses the shared host services, never another feature', () => {
  const HOST = path.join(SRC, 'host');
  /** Shared services every feature may use; they use no feature. */
  const SERVICES = ['platform', 'run', 'webview'];
  const folders = fs.existsSync(HOST) ? fs.readdirSync(HOST, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name) : [];
  const features = folders.filter((f) => !SERVICES.includes(f));

  test('src/host is a house by feature: services and feature folders, no loose files', () => {
    for (const s of SERVICES) assert.ok(folders.includes(s), `src/host/${s} is missing`);
    assert.ok(features.length >= 4, `features: ${features.join(', ')}`);
    const loose = fs.readdirSync(HOST, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
    assert.deepStrictEqual(loose, [], 'files directly under src/host');
  });

  test('no feature imports another feature; no service imports a feature', () => {
    const found: string[] = [];
    for (const folder of folders) {
      for (const file of sourceFiles(path.join(HOST, folder))) {
        for (const { spec, target } of resolvedImports(file)) {
          if (!target) continue;
          const rel = path.relative(HOST, target);
          if (rel.startsWith('..')) continue;
          const into = rel.split(path.sep)[0];
          if (into === folder || SERVICES.includes(into)) continue;
          found.push(`${path.relative(ROOT, file)}: imports the ${into} feature ('${spec}')`);
        }
      }
    }
    assert.deepStrictEqual(found, []);
  });

  test('the check sees a cross-feature import when there is one', () => {
    // The resolver the rule relies on, on a real pair of files: studio/view.ts imports run/pipeline.ts.
    const view = path.join(HOST, 'studio', 'view.ts');
    const targets = resolvedImports(view).map((i) => i.target && path.relative(HOST, i.target));
    assert.ok(targets.includes(path.join('run', 'pipeline.ts')), targets.join(', '));
  });
});

suite('layers: the unit tests are housed like the code they test', () => {
  const UNIT = path.join(ROOT, 'test', 'unit');
  /** Folders of test/unit that test no folder of src: the fake API server, and checks of the whole tree (this file). */
  const OWN = ['fake-openai', 'house'];

  const folders = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);

  test('no test file lies loose in test/unit: each is in the folder of the layer or feature it tests', () => {
    const loose = fs.readdirSync(UNIT, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
    assert.deepStrictEqual(loose, [], 'move these into test/unit/<layer>/ or test/unit/host/<feature>/ (the folder of the src they test)');
  });

  test('every test folder names a folder of src (test/unit/host/gallery for src/host/gallery)', () => {
    const missing: string[] = [];
    const walk = (rel: string) => {
      for (const name of folders(path.join(UNIT, rel))) {
        const sub = rel ? path.join(rel, name) : name;
        if (!rel && OWN.includes(name)) continue;
        if (!fs.existsSync(path.join(SRC, sub))) missing.push(`test/unit/${sub.split(path.sep).join('/')}`);
        walk(sub);
      }
    };
    walk('');
    assert.ok(folders(UNIT).length >= 4, `test/unit folders: ${folders(UNIT).join(', ')}`);
    assert.deepStrictEqual(missing, [], 'no such folder under src');
  });
});
