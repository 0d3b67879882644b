/**
 * Translations stay in step with the code:
 *  - every string given to `vscode.l10n.t(...)` (or to a local alias such as
 *    `const t = vscode.l10n.t`) has an entry in l10n/bundle.l10n.zh-cn.json with the same
 *    {n} placeholders, and the bundle has no entries that no code uses any more;
 *  - package.nls.json and package.nls.zh-cn.json have the same keys, and every %key% in
 *    package.json is defined.
 *
 * Calls are found with the TypeScript parser (a devDependency), so comments, strings that merely
 * contain "t(", regular expressions and escaped quotes cannot confuse it.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { CORE_MESSAGES, englishMessage, msg } from '../../../src/shared/messages';

/** The repository root: the first folder above this file that has a package.json. */
function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${__dirname}`);
    dir = up;
  }
  return dir;
}

const root = repoRoot();
const BUNDLE = 'l10n/bundle.l10n.zh-cn.json';

interface Use {
  readonly text: string;
  readonly where: string;
}

interface Extraction {
  readonly uses: Use[];
  /** Calls whose first argument is not a plain string literal: they cannot be checked. */
  readonly unchecked: string[];
}

/** `vscode.l10n.t` or `l10n.t` (an `import { l10n } from 'vscode'`). */
function isL10nT(e: ts.Expression): boolean {
  if (!ts.isPropertyAccessExpression(e) || e.name.text !== 't') return false;
  const l10n = e.expression;
  if (ts.isIdentifier(l10n)) return l10n.text === 'l10n';
  return ts.isPropertyAccessExpression(l10n) && l10n.name.text === 'l10n' && ts.isIdentifier(l10n.expression);
}

/** `vscode.l10n` or `l10n`, for `const { t } = vscode.l10n`. */
function isL10n(e: ts.Expression): boolean {
  if (ts.isIdentifier(e)) return e.text === 'l10n';
  return ts.isPropertyAccessExpression(e) && e.name.text === 'l10n' && ts.isIdentifier(e.expression);
}

/** Every string given to l10n.t (directly or through an alias) in one source text. */
export function extractL10n(source: string, fileName = 'source.ts'): Extraction {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const aliases = new Set<string>();
  const findAliases = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && node.initializer) {
      const init = node.initializer;
      if (ts.isIdentifier(node.name) && isL10nT(init)) aliases.add(node.name.text);
      if (ts.isObjectBindingPattern(node.name) && isL10n(init)) {
        for (const el of node.name.elements) {
          const prop = el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : ts.isIdentifier(el.name) ? el.name.text : undefined;
          if (prop === 't' && ts.isIdentifier(el.name)) aliases.add(el.name.text);
        }
      }
    }
    ts.forEachChild(node, findAliases);
  };
  findAliases(sf);

  const uses: Use[] = [];
  const unchecked: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (isL10nT(callee) || (ts.isIdentifier(callee) && aliases.has(callee.text))) {
        const where = `${fileName}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`;
        const first = node.arguments[0];
        if (first && (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first))) uses.push({ text: first.text, where });
        else unchecked.push(`${where}: ${node.getText(sf).slice(0, 100)}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { uses, unchecked };
}

/**
 * The literals of a host file's `const UI_STRINGS = [...]` (a webview's words, localized in a loop
 * by src/host/webview/strings.ts, so they are not l10n.t literals themselves).
 */
export function uiStringKeys(source: string, fileName = 'source.ts'): string[] {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const keys: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === 'UI_STRINGS' && node.initializer) {
      let init: ts.Expression = node.initializer;
      while (ts.isAsExpression(init) || ts.isParenthesizedExpression(init)) init = init.expression;
      if (!ts.isArrayLiteralExpression(init)) throw new Error(`${fileName}: UI_STRINGS is not an array literal`);
      for (const el of init.elements) {
        if (!ts.isStringLiteral(el) && !ts.isNoSubstitutionTemplateLiteral(el)) throw new Error(`${fileName}: UI_STRINGS holds a non-literal: ${el.getText(sf)}`);
        keys.push(el.text);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return keys;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(d.name) && !d.name.endsWith('.d.ts') ? [p] : [];
  });
}

/**
 * The two places that call l10n.t with texts from a list rather than literals: the host's
 * translator of core's message ids (the catalog's texts, checked below) and the webviews' words
 * (the UI_STRINGS lists, read below).
 */
const LIST_TRANSLATORS = ['src/host/platform/messages.ts', 'src/host/webview/strings.ts'];

/**
 * Every l10n.t string in src/ (host code and extension.ts; core has no vscode), and the English
 * text of every core message id (src/shared/messages.ts), which the host translates the same way.
 */
function extractAll(): Extraction {
  const uses: Use[] = [];
  const unchecked: string[] = [];
  for (const file of sourceFiles(path.join(root, 'src')).sort()) {
    const rel = path.relative(root, file).split(path.sep).join('/');
    const text = fs.readFileSync(file, 'utf8');
    const r = extractL10n(text, rel);
    uses.push(...r.uses);
    for (const key of uiStringKeys(text, rel)) uses.push({ text: key, where: `${rel} UI_STRINGS` });
    if (!LIST_TRANSLATORS.includes(rel)) unchecked.push(...r.unchecked);
  }
  for (const [id, text] of Object.entries(CORE_MESSAGES)) uses.push({ text, where: `core message ${id}` });
  return { uses, unchecked };
}

function readJson(rel: string): Record<string, unknown> {
  const text = fs.readFileSync(path.join(root, rel), 'utf8');
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${rel} is not valid JSON: ${(err as Error).message}`);
  }
}

function placeholders(s: string): string[] {
  return [...new Set(s.match(/\{\d+\}/g) ?? [])].sort();
}

const list = (lines: string[]) => lines.map((l) => `    ${l}`).join('\n');

/** Fails with `message` (which lists what to fix) unless `problems` is empty; no diff noise. */
function none(problems: readonly unknown[], message: string): void {
  if (problems.length) assert.fail(message);
}

suite('l10n: extracting l10n.t strings', () => {
  test('finds direct calls and aliases, with every kind of literal', () => {
    const src = [
      "import * as vscode from 'vscode';",
      "import { l10n } from 'vscode';",
      "vscode.l10n.t('single {0}', x);",
      'vscode.l10n.t("double \\"quoted\\" it\'s");',
      "vscode.l10n.t('it\\'s escaped')",
      'vscode.l10n.t(`template without substitutions`);',
      "l10n.t('imported l10n')",
      'function f() {',
      '  const t = vscode.l10n.t;',
      "  return t('through an alias {0} {1}', a, b) + t(\"and again\");",
      '}',
      'const { t: tr } = vscode.l10n;',
      "tr('destructured');",
      "// vscode.l10n.t('in a comment');",
      "const s = \"vscode.l10n.t('in a string')\";",
      "const re = /'/; other.t('not l10n'); t2('not an alias');",
      'vscode.l10n.t(`with ${x}`);',
      "vscode.l10n.t('a' + b);",
    ].join('\n');
    const r = extractL10n(src, 'x.ts');
    assert.deepStrictEqual(
      r.uses.map((u) => u.text),
      [
        'single {0}',
        'double "quoted" it\'s',
        "it's escaped",
        'template without substitutions',
        'imported l10n',
        'through an alias {0} {1}',
        'and again',
        'destructured',
      ],
    );
    assert.deepStrictEqual(r.uses[0].where, 'x.ts:3');
    assert.strictEqual(r.unchecked.length, 2, r.unchecked.join('\n'));
  });
});

suite('l10n: Simplified Chinese bundle', () => {
  const { uses, unchecked } = extractAll();
  const bundle = readJson(BUNDLE);
  const used = new Map<string, string[]>();
  for (const u of uses) used.set(u.text, [...(used.get(u.text) ?? []), u.where]);

  test('the sources have l10n.t strings to check', () => {
    assert.ok(uses.length > 20, `only ${uses.length} l10n.t strings found in src/: is the extraction broken?`);
  });

  test('every l10n.t call has a plain string literal as its message', () => {
    none(unchecked, `l10n.t needs a literal message (put variable parts in {0} placeholders):\n${list(unchecked)}`);
  });

  test('every l10n.t string has a translation', () => {
    const missing = [...used].filter(([text]) => !Object.prototype.hasOwnProperty.call(bundle, text));
    none(
      missing,
      `${missing.length} string(s) missing from ${BUNDLE}; add:\n${list(missing.map(([text, where]) => `${JSON.stringify(text)}: "",   // ${where.join(', ')}`))}`,
    );
  });

  test('every translation is a non-empty string', () => {
    const bad = Object.entries(bundle).filter(([, v]) => typeof v !== 'string' || v.trim() === '');
    none(bad, `empty or non-string entries in ${BUNDLE}:\n${list(bad.map(([k]) => JSON.stringify(k)))}`);
  });

  test('every translation has the same {n} placeholders as its English string', () => {
    const wrong = Object.entries(bundle)
      .filter(([k, v]) => typeof v === 'string' && placeholders(k).join() !== placeholders(v).join())
      .map(([k, v]) => `${JSON.stringify(k)} has ${placeholders(k).join(' ') || 'none'} but ${JSON.stringify(v)} has ${placeholders(v as string).join(' ') || 'none'}`);
    none(wrong, `placeholders differ in ${BUNDLE}:\n${list(wrong)}`);
  });

  test('the bundle has no stale entries', () => {
    const stale = Object.keys(bundle).filter((k) => !used.has(k));
    none(stale, `${stale.length} entr(ies) in ${BUNDLE} no l10n.t call uses; remove (or fix the English to match the code):\n${list(stale.map((k) => JSON.stringify(k)))}`);
  });
});

suite('l10n: package.nls', () => {
  const nls = readJson('package.nls.json');
  const zh = readJson('package.nls.zh-cn.json');

  test('package.nls.json and package.nls.zh-cn.json have the same keys', () => {
    const onlyEn = Object.keys(nls).filter((k) => !(k in zh));
    const onlyZh = Object.keys(zh).filter((k) => !(k in nls));
    none(
      [...onlyEn, ...onlyZh],
      `package.nls.zh-cn.json lacks:\n${list(onlyEn)}\npackage.nls.zh-cn.json has keys package.nls.json does not:\n${list(onlyZh)}`,
    );
  });

  test('every %key% in package.json is defined in package.nls.json', () => {
    const manifest = fs.readFileSync(path.join(root, 'package.json'), 'utf8');
    const keys = [...new Set([...manifest.matchAll(/"%([^"%\s]+)%"/g)].map((m) => m[1]))];
    assert.ok(keys.length > 0, 'no %key% references found in package.json');
    const undefinedKeys = keys.filter((k) => !(k in nls));
    none(undefinedKeys, `package.json uses keys package.nls.json does not define:\n${list(undefinedKeys)}`);
  });

  test('translated manifest strings keep their {n} placeholders', () => {
    const wrong = Object.keys(nls).filter((k) => typeof zh[k] === 'string' && placeholders(String(nls[k])).join() !== placeholders(String(zh[k])).join());
    none(wrong, `placeholders differ between package.nls.json and package.nls.zh-cn.json:\n${list(wrong)}`);
  });
});

suite('l10n: core messages as ids', () => {
  const bundle = readJson(BUNDLE);

  test('every core message id has its zh-cn translation, with the same placeholders', () => {
    const missing = Object.entries(CORE_MESSAGES).filter(([, text]) => typeof bundle[text] !== 'string' || placeholders(text).join() !== placeholders(String(bundle[text])).join());
    none(missing, `core message ids without a zh-cn translation (or with other placeholders) in ${BUNDLE}:\n${list(missing.map(([id, text]) => `${id}: ${JSON.stringify(text)}`))}`);
  });

  test('the catalog holds every family of core message the user can see: validation, sizes, preparation (refusals and notes), model notes, the output folder, the asset manifest JSON, generate arguments', () => {
    const families = new Set(Object.keys(CORE_MESSAGES).map((id) => id.split('.')[0]));
    for (const f of ['validation', 'size', 'prepare', 'note', 'model', 'folder', 'jsonc', 'args']) assert.ok(families.has(f), `no ${f}.* ids in src/shared/messages.ts`);
  });

  test("preparation's notes are message ids: every note pushed in src/core/prepare.ts is a msg(...) call (or a helper that returns one), never an English sentence", () => {
    const file = 'src/core/prepare.ts';
    const sf = ts.createSourceFile(file, fs.readFileSync(path.join(root, file), 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
    const isMessage = (e: ts.Expression): boolean => {
      if (ts.isParenthesizedExpression(e)) return isMessage(e.expression);
      if (ts.isConditionalExpression(e)) return isMessage(e.whenTrue) && isMessage(e.whenFalse);
      if (ts.isSpreadElement(e)) return ts.isIdentifier(e.expression) && e.expression.text === 'reasons';
      return ts.isCallExpression(e) && ts.isIdentifier(e.expression) && ['msg', 'widenedNote', 'describe'].includes(e.expression.text);
    };
    const pushes: string[] = [];
    const bad: string[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'push') {
        const target = node.expression.expression;
        if (ts.isIdentifier(target) && ['notes', 'reasons'].includes(target.text)) {
          pushes.push(target.text);
          for (const arg of node.arguments) if (!isMessage(arg)) bad.push(`${file}:${sf.getLineAndCharacterOfPosition(arg.getStart(sf)).line + 1}: ${arg.getText(sf).slice(0, 100)}`);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
    assert.ok(pushes.length > 15, `only ${pushes.length} notes found in ${file}: is the search broken?`);
    none(bad, `notes must be message ids (msg('note.…', …)) so the host can translate them:\n${list(bad)}`);
    const source = sf.getFullText();
    const unused = Object.keys(CORE_MESSAGES).filter((id) => id.startsWith('note.') && !source.includes(`'${id}'`));
    none(unused, `note ids that ${file} no longer uses; remove them from src/shared/messages.ts:\n${list(unused)}`);
  });

  test("a preparation note reads in English for the log and the MCP server, its parameters (the pixel kind) filled in", () => {
    assert.strictEqual(englishMessage(msg('note.convertedToRgba', 'a.png', msg('note.pixels.paletteAlpha', 8))), 'a.png: converted from 8-bit palette with transparency to 8-bit RGBA.');
  });

  test('the host translates through the one translator, and the English is filled in for the MCP server', () => {
    const translator = fs.readFileSync(path.join(root, LIST_TRANSLATORS[0]), 'utf8');
    assert.strictEqual(extractL10n(translator).unchecked.length, 1, 'one l10n.t call, on the catalog text');
    assert.strictEqual(englishMessage(msg('validation.reasonAllowed', 'size', msg('validation.notOffered', '9x9', 'dall-e-3'), 'a, b')), 'size: "9x9" is not offered by dall-e-3 (allowed: a, b)');
  });
});
