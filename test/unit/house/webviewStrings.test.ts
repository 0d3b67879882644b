/**
 * Every word a webview shows comes from its host's UI_STRINGS list, localized with vscode.l10n.t
 * there by localizeAll (webviews have no l10n of their own). For each webview: its s('...') calls
 * take plain literals and the host lists exactly those keys (the l10n bundle test reads the same
 * lists, so each has its zh-cn entry).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { uiStringKeys } from './l10n.test';

function repoRoot(): string {
  for (let d = __dirname; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'package.json')) && fs.existsSync(path.join(d, 'src'))) return d;
    if (path.dirname(d) === d) throw new Error(`no project root above ${__dirname}`);
  }
}

const parse = (file: string) => ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);

/** The first-argument literals of every s(...) call in a folder; calls without a literal are reported. */
function webviewKeys(dir: string): { keys: Set<string>; bad: string[] } {
  const keys = new Set<string>();
  const bad: string[] = [];
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.ts'))) {
    const sf = parse(path.join(dir, f));
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 's') {
        const a = n.arguments[0];
        if (a && (ts.isStringLiteral(a) || ts.isNoSubstitutionTemplateLiteral(a))) keys.add(a.text);
        else bad.push(`${f}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`);
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return { keys, bad };
}

/** The keys of a host file's UI_STRINGS list (the words its webview shows, localized by localizeAll). */
function hostStrings(file: string): Set<string> {
  return new Set(uiStringKeys(fs.readFileSync(file, 'utf8'), file));
}

const WEBVIEWS = [
  { name: 'edit', host: 'src/host/edit/panel.ts', atLeast: 40 },
  { name: 'studio', host: 'src/host/studio/view.ts', atLeast: 40 },
  { name: 'gallery', host: 'src/host/gallery/view.ts', atLeast: 25 },
  { name: 'recipe', host: 'src/host/recipe/panel.ts', atLeast: 25 },
];

for (const view of WEBVIEWS) {
  suite(`${view.name}: every string the webview shows is localized by its host`, () => {
    const root = repoRoot();
    const host = () => hostStrings(path.join(root, view.host));

    test('s() takes plain literals, and UI_STRINGS has each of them (and nothing else)', () => {
      const { keys, bad } = webviewKeys(path.join(root, 'src', 'webview', view.name));
      assert.deepStrictEqual(bad, [], 's() needs a literal key');
      assert.ok(keys.size > view.atLeast, `only ${keys.size} strings found: is the extraction broken?`);
      const strings = host();
      assert.deepStrictEqual([...keys].filter((k) => !strings.has(k)), [], `add these to UI_STRINGS in ${view.host}`);
      assert.deepStrictEqual([...strings.keys()].filter((k) => !keys.has(k)), [], 'UI_STRINGS has entries the webview no longer uses');
    });

    test('the host localizes exactly that list', () => {
      const text = fs.readFileSync(path.join(root, view.host), 'utf8');
      assert.match(text, /function uiStrings\(\): Record<string, string> \{\s*return localizeAll\(UI_STRINGS\);\s*\}/);
    });
  });
}
