/**
 * Layer rule (docs: DESIGN.md "Layers"): src/core and src/shared never import `vscode`, nor
 * anything from src/host; src/shared (also bundled for webviews) uses no Node APIs either.
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

  test('src/shared imports neither vscode, src/host nor Node APIs', () => {
    const found = sourceFiles(path.join(SRC, 'shared')).flatMap((f) => violations(f, 'shared'));
    assert.deepStrictEqual(found, []);
  });
});
