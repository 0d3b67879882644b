/**
 * Every word a webview shows comes from its host's uiStrings(), localized with vscode.l10n.t
 * there (webviews have no l10n of their own). For each webview: its s('...') calls take plain
 * literals, the host has exactly those keys, and each is localized from its own key (so the
 * l10n bundle test, which reads l10n.t literals, covers them).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

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

/** The keys of the object uiStrings() returns in a host file, with the literal each is localized from. */
function hostStrings(file: string): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (n: ts.Node): void => {
    if (ts.isFunctionDeclaration(n) && n.name?.text === 'uiStrings') {
      const walk = (m: ts.Node): void => {
        if (ts.isPropertyAssignment(m) && ts.isStringLiteral(m.name) && ts.isCallExpression(m.initializer)) {
          const arg = m.initializer.arguments[0];
          if (arg && ts.isStringLiteral(arg)) out.set(m.name.text, arg.text);
        }
        ts.forEachChild(m, walk);
      };
      walk(n);
    }
    ts.forEachChild(n, visit);
  };
  visit(parse(file));
  return out;
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

    test('s() takes plain literals, and uiStrings() has each of them (and nothing else)', () => {
      const { keys, bad } = webviewKeys(path.join(root, 'src', 'webview', view.name));
      assert.deepStrictEqual(bad, [], 's() needs a literal key');
      assert.ok(keys.size > view.atLeast, `only ${keys.size} strings found: is the extraction broken?`);
      const strings = host();
      assert.deepStrictEqual([...keys].filter((k) => !strings.has(k)), [], `add these to uiStrings() in ${view.host}`);
      assert.deepStrictEqual([...strings.keys()].filter((k) => !keys.has(k)), [], 'uiStrings() has entries the webview no longer uses');
    });

    test('each entry is localized from its own key', () => {
      for (const [key, literal] of host()) assert.strictEqual(literal, key, `uiStrings(): '${key}' is localized from '${literal}'`);
    });
  });
}
