/**
 * The text editor in a real VS Code, against the local fake Images API: "Generate Image from
 * Selection" in Markdown, HTML, CSS and plain-text documents (the palette's steps answered as a
 * keyboard would), what happens when the user edits the document while the image is made, and
 * the hover and code actions on links to images (vscode.executeHoverProvider /
 * vscode.executeCodeActionProvider, which ask every registered provider as the editor does).
 */
import * as assert from 'assert';
import * as vscode from 'vscode';
import { readRecord } from '../../src/core/metadata';
import type { FakeOpenAI } from '../fake-openai/server';
import { capture, sleep, until, type Input } from './quickInput';

const EXT_ID = 'pixelwright.pixelwright';
const KEY = 'sk-test-key';
const OUT = 'editor-test-images';
const PNG_1x1 = Uint8Array.from(Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64'));
const STAMP = '\\d{8}-\\d{6}(?:-\\d{1,2})?(?:~\\d+)?';

suite('Generate Image from Selection, hover and code actions (host, fake API)', function () {
  this.timeout(120_000);
  let fake: FakeOpenAI;
  let root: vscode.Uri;
  let dir: vscode.Uri;
  let cap: ReturnType<typeof capture>;
  let seen = 0;
  const config = () => vscode.workspace.getConfiguration('pixelwright');
  const generations = () => fake.requests.filter((r) => r.path.includes('/images/generations')).map((r) => ({ ...r, body: (r.body ?? {}) as Record<string, unknown> }));

  const labelOf = (i: Input) => ('placeholder' in i && i.placeholder) || (i as vscode.InputBox).prompt || '';

  /**
   * Runs `run` while answering the palette's steps: `count` images at the count step, Enter
   * (the preselected choice) at every other. `meanwhile` runs once the request reached the server.
   */
  async function answering<T>(run: Thenable<T>, { count = '1', meanwhile }: { count?: string; meanwhile?: () => Promise<void> } = {}): Promise<T> {
    let done = false;
    let result: T | undefined;
    let failure: unknown;
    run.then(
      (r) => ((result = r), (done = true)),
      (e) => ((failure = e), (done = true)),
    );
    const before = generations().length;
    let did = false;
    const end = Date.now() + 60_000;
    while (!done && Date.now() < end) {
      if (cap.inputs.length > seen) {
        const input = cap.inputs[seen++];
        await sleep(150); // its items reach the workbench
        if (labelOf(input) === 'How many images') {
          const qp = input as vscode.QuickPick<vscode.QuickPickItem>;
          qp.activeItems = qp.items.filter((x) => x.label === count);
          await sleep(150);
        }
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      }
      if (meanwhile && !did && generations().length > before) {
        did = true;
        await meanwhile();
      }
      await sleep(50);
    }
    if (failure) throw failure;
    assert.ok(done, 'the command ended');
    assert.ok(!meanwhile || did, 'the edit was made while the image was being made');
    return result as T;
  }

  async function openFile(rel: string, text: string, language?: string): Promise<vscode.TextEditor> {
    const uri = vscode.Uri.joinPath(dir, ...rel.split('/'));
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    let doc = await vscode.workspace.openTextDocument(uri);
    if (language && doc.languageId !== language) doc = await vscode.languages.setTextDocumentLanguage(doc, language);
    return vscode.window.showTextDocument(doc);
  }

  const fromSelection = () => vscode.commands.executeCommand<void>('pixelwright.generateFromSelection');

  /** The file a link's path names, from the document's folder; asserts it is a PNG with `prompt` inside. */
  async function assertWritten(doc: vscode.TextDocument, relPath: string, prompt: string): Promise<vscode.Uri> {
    const folder = doc.uri.with({ path: doc.uri.path.replace(/\/[^/]*$/, '') });
    const uri = vscode.Uri.joinPath(folder, decodeURIComponent(relPath));
    const bytes = await vscode.workspace.fs.readFile(uri);
    assert.strictEqual(readRecord(bytes)?.prompt, prompt, `${uri.path} holds its recipe`);
    return uri;
  }

  suiteSetup(async () => {
    const api = await vscode.extensions.getExtension<{ setApiKey(k: string): Promise<void> }>(EXT_ID)!.activate();
    const { startFakeOpenAI } = require('../fake-openai/server') as typeof import('../fake-openai/server');
    fake = await startFakeOpenAI({ urlTtlMs: 60_000 });
    root = vscode.workspace.workspaceFolders![0].uri;
    dir = vscode.Uri.joinPath(root, 'editor-host-test');
    await config().update('provider', 'compatible', vscode.ConfigurationTarget.Workspace);
    await config().update('baseUrl', fake.url, vscode.ConfigurationTarget.Workspace);
    await config().update('outputFolder', OUT, vscode.ConfigurationTarget.Workspace);
    await api.setApiKey(KEY);
  });

  setup(() => {
    fake.reset();
    fake.setLatency(0);
    cap = capture();
    seen = 0;
  });

  teardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    cap.restore();
    for (const doc of vscode.workspace.textDocuments) if (doc.isDirty && doc.uri.scheme === 'file') await doc.save();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  suiteTeardown(async () => {
    for (const d of [dir, vscode.Uri.joinPath(root, OUT)]) await vscode.workspace.fs.delete(d, { recursive: true, useTrash: false }).then(undefined, () => undefined);
    for (const k of ['provider', 'baseUrl', 'outputFolder']) await config().update(k, undefined, vscode.ConfigurationTarget.Workspace);
    await fake?.close();
  });

  test('Markdown: the selection is the prompt, and a Markdown image relative to the document takes its place', async () => {
    const editor = await openFile('docs/notes.md', '# Notes\n\nThe hero: a lighthouse on a cliff at dusk. More text.\n');
    editor.selection = new vscode.Selection(2, 10, 2, 41);
    await answering(fromSelection());
    assert.strictEqual(generations().length, 1);
    assert.strictEqual(generations()[0].body.prompt, 'a lighthouse on a cliff at dusk');
    const line = editor.document.lineAt(2).text;
    const m = new RegExp(`^The hero: !\\[a lighthouse on a cliff at dusk\\]\\((\\.\\./\\.\\./${OUT}/a-lighthouse-on-a-cliff-at-dusk-${STAMP}\\.png)\\)\\. More text\\.$`).exec(line);
    assert.ok(m, line);
    await assertWritten(editor.document, m[1], 'a lighthouse on a cliff at dusk');
    assert.deepStrictEqual(cap.shown.filter((s) => s.level !== 'info'), [], 'no warning or error');
    assert.ok(editor.selection.isEmpty, 'the link is not left selected');
    assert.deepStrictEqual([editor.selection.active.line, editor.selection.active.character], [2, line.indexOf(').') + 1], 'the cursor is right after the link');
  });

  test('Markdown, two images: one link per line, in place of the selection', async () => {
    const editor = await openFile('docs/two.md', 'Gallery:\n\ntwo paper cranes\n');
    editor.selection = new vscode.Selection(2, 0, 2, 16);
    await answering(fromSelection(), { count: '2' });
    const lines = editor.document.getText().split('\n');
    assert.strictEqual(lines.length, 5, editor.document.getText());
    for (const l of lines.slice(2, 4)) {
      const m = new RegExp(`^!\\[two paper cranes\\]\\((\\.\\./\\.\\./${OUT}/two-paper-cranes-${STAMP}\\.png)\\)$`).exec(l);
      assert.ok(m, l);
      await assertWritten(editor.document, m[1], 'two paper cranes');
    }
    assert.notStrictEqual(lines[2], lines[3]);
  });

  test('HTML, nothing selected: the line is the prompt and an <img> goes in at the cursor', async () => {
    const editor = await openFile('site/index.html', '<body>\n  a red paper kite\n</body>\n');
    editor.selection = new vscode.Selection(1, 18, 1, 18); // after "kite"
    await answering(fromSelection());
    assert.strictEqual(generations()[0].body.prompt, 'a red paper kite');
    const line = editor.document.lineAt(1).text;
    const m = new RegExp(`^  a red paper kite <img src="(\\.\\./\\.\\./${OUT}/a-red-paper-kite-${STAMP}\\.png)" alt="a red paper kite">$`).exec(line);
    assert.ok(m, line);
    await assertWritten(editor.document, m[1], 'a red paper kite');
  });

  test('CSS: url("...") relative to the stylesheet', async () => {
    const editor = await openFile('styles/main.css', '.hero {\n  background-image: a watercolour sky;\n}\n');
    editor.selection = new vscode.Selection(1, 20, 1, 37);
    await answering(fromSelection());
    const line = editor.document.lineAt(1).text;
    const m = new RegExp(`^  background-image: url\\("(\\.\\./\\.\\./${OUT}/a-watercolour-sky-${STAMP}\\.png)"\\);$`).exec(line);
    assert.ok(m, line);
    await assertWritten(editor.document, m[1], 'a watercolour sky');
  });

  test('plain text in a folder with a space: the bare relative path', async () => {
    const editor = await openFile('my notes/todo.txt', 'icon: a paper boat\n', 'plaintext');
    editor.selection = new vscode.Selection(0, 6, 0, 18);
    await answering(fromSelection());
    const line = editor.document.lineAt(0).text;
    const m = new RegExp(`^icon: (\\.\\./\\.\\./${OUT}/a-paper-boat-${STAMP}\\.png)$`).exec(line);
    assert.ok(m, line);
    await assertWritten(editor.document, m[1], 'a paper boat');
  });

  test('an untitled document gets the workspace-relative path, and is told so', async () => {
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: 'a green glass bottle' });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(0, 0, 0, 20);
    await answering(fromSelection());
    const m = new RegExp(`^!\\[a green glass bottle\\]\\((${OUT}/a-green-glass-bottle-${STAMP}\\.png)\\)$`).exec(doc.getText());
    assert.ok(m, doc.getText());
    const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(root, m[1]));
    assert.strictEqual(readRecord(bytes)?.prompt, 'a green glass bottle');
    assert.strictEqual(cap.shown.length, 1, JSON.stringify(cap.shown));
    assert.match(cap.shown[0].message, /^Pixelwright: Untitled-\d+ is not saved yet, so the link is relative to the workspace folder\.$/);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('typing above the selection while the image is made: the link still replaces the selection', async () => {
    fake.setLatency(1500);
    const editor = await openFile('docs/typing.md', 'Title\n\na copper kettle\n\nEnd\n');
    editor.selection = new vscode.Selection(2, 0, 2, 15);
    await answering(fromSelection(), {
      meanwhile: async () => {
        assert.ok(await editor.edit((e) => e.insert(new vscode.Position(0, 0), 'New first line\nand a second one, ')));
        assert.ok(await editor.edit((e) => e.insert(new vscode.Position(5, 0), 'typed after it\n')));
      },
    });
    const lines = editor.document.getText().split('\n');
    assert.strictEqual(lines[0], 'New first line');
    assert.strictEqual(lines[1], 'and a second one, Title');
    assert.match(lines[3], new RegExp(`^!\\[a copper kettle\\]\\(\\.\\./\\.\\./${OUT}/a-copper-kettle-${STAMP}\\.png\\)$`));
    assert.strictEqual(lines[5], 'typed after it');
    assert.strictEqual(lines[6], 'End');
    assert.ok(!cap.shown.some((s) => /changed while/.test(s.message)), 'nothing to say: the selection was untouched');
  });

  test('editing inside the selection while the image is made: the text stays as typed, the link goes in at the cursor, and the user is told', async () => {
    fake.setLatency(1500);
    const editor = await openFile('docs/inside.md', 'Intro\n\na silver spoon on a table\n\nEnd\n');
    editor.selection = new vscode.Selection(2, 0, 2, 25);
    await answering(fromSelection(), {
      meanwhile: async () => {
        // the user changes "silver" to "golden" and leaves the cursor at the end of "End"
        assert.ok(await editor.edit((e) => e.replace(new vscode.Range(2, 2, 2, 8), 'golden')));
        editor.selection = new vscode.Selection(4, 3, 4, 3);
      },
    });
    const lines = editor.document.getText().split('\n');
    assert.strictEqual(lines[2], 'a golden spoon on a table', 'what the user typed is kept');
    assert.match(lines[4], new RegExp(`^End !\\[a silver spoon on a table\\]\\(\\.\\./\\.\\./${OUT}/a-silver-spoon-on-a-table-${STAMP}\\.png\\)$`));
    await until('the message', () => cap.shown.find((s) => s.level === 'info' && /changed while the image was made/.test(s.message)));
  });

  test('no prompt (an empty line): nothing is asked or sent, and the user is told why', async () => {
    const editor = await openFile('docs/empty.md', 'Text\n\n\n');
    editor.selection = new vscode.Selection(1, 0, 1, 0);
    await fromSelection();
    assert.strictEqual(cap.inputs.length, 0);
    assert.strictEqual(generations().length, 0);
    assert.ok(cap.shown.some((s) => /select the words that describe the image/.test(s.message)));
    assert.strictEqual(editor.document.getText(), 'Text\n\n\n');
  });

  test('cancelled at the first step: the document is left as it was', async () => {
    const editor = await openFile('docs/cancel.md', 'a blue door\n');
    editor.selection = new vscode.Selection(0, 0, 0, 11);
    const run = fromSelection();
    await until('the first step', () => cap.inputs[0]);
    await sleep(200);
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
    await run;
    assert.strictEqual(editor.document.getText(), 'a blue door\n');
    assert.strictEqual(generations().length, 0);
  });

  // ---- hover and code actions -----------------------------------------------------------------

  suite('on a link to an image', () => {
    let generated: vscode.Uri;
    let plain: vscode.Uri;

    suiteSetup(async () => {
      const files = await vscode.commands.executeCommand<vscode.Uri[]>('pixelwright.generate', {
        prompt: 'a sea otter wearing a beret',
        model: 'gpt-image-1.5',
        size: '1024x1536',
        quality: 'low',
        n: 1,
        outputFormat: 'png',
        background: 'auto',
        noOpen: true,
        outputFolder: 'editor-host-test/art',
      });
      generated = files[0];
      plain = vscode.Uri.joinPath(dir, 'art', 'no recipe.png');
      await vscode.workspace.fs.writeFile(plain, PNG_1x1);
    });

    const genName = () => generated.path.slice(generated.path.lastIndexOf('/') + 1);
    const hoverTexts = async (uri: vscode.Uri, pos: vscode.Position) => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, pos);
      return hovers.map((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')).join('\n'));
    };
    /** A hover's Markdown as read: backslash escapes undone. */
    const plainOf = (md: string) => md.replace(/&nbsp;/g, ' ').replace(/\\([\\`*_{}[\]()#+\-.!~|<>&])/g, '$1');
    const ours = (texts: string[]) => texts.filter((t) => /\|width=\d+,height=\d+\)/.test(t));

    test('the hover shows a thumbnail of the file and its recipe, in every syntax', async () => {
      const name = genName();
      const docs: [string, string, string][] = [
        ['docs/hover.md', 'markdown', `Look: ![otter](../art/${name}) here`],
        ['site/hover.html', 'html', `<img class="x" src="../art/${name}" alt="otter">`],
        ['styles/hover.css', 'css', `.a { background: url("../art/${name}"); }`],
        ['notes/hover.txt', 'plaintext', `see ../art/${name} for the otter`],
      ];
      if ((await vscode.languages.getLanguages()).includes('latex')) docs.push(['tex/hover.tex', 'latex', `\\includegraphics[width=3cm]{../art/${name}}`]);
      console.log(`      hover checked in: ${docs.map((d) => d[1]).join(', ')}`);
      for (const [rel, language, text] of docs) {
        const editor = await openFile(rel, `${text}\n`, language);
        const col = text.indexOf(name) + 3;
        const found = ours(await hoverTexts(editor.document.uri, new vscode.Position(0, col)));
        assert.strictEqual(found.length, 1, `${language}: one Pixelwright hover (${rel})`);
        const h = found[0];
        const plain = plainOf(h);
        assert.ok(h.includes(`](${generated.toString().replace(/[()]/g, (c) => (c === '(' ? '%28' : '%29'))}|width=85,height=128)`), `${language}: the thumbnail, scaled to 128 px high: ${h}`);
        assert.match(plain, /a sea otter wearing a beret/, `${language}: the prompt`);
        assert.match(plain, /gpt-image-1\.5 · generation/);
        assert.match(plain, /size 1024x1536/);
        assert.match(plain, /1024 × 1536/);
        // away from the link: no hover of ours
        assert.strictEqual(ours(await hoverTexts(editor.document.uri, new vscode.Position(0, 0))).length, ['html', 'latex'].includes(language) ? 1 : 0, `${language}: column 0 (on the tag or command, or away from the link)`);
      }
    });

    test('an image without a recipe: the thumbnail and a word that there is none; a missing file: no hover', async () => {
      const editor = await openFile('docs/plain.md', '![x](../art/no%20recipe.png) and ![y](../art/missing.png)\n');
      const [h] = ours(await hoverTexts(editor.document.uri, new vscode.Position(0, 8)));
      assert.ok(h, 'a hover');
      assert.match(plainOf(h), /No Pixelwright recipe in this image\./);
      assert.match(h, /\|width=1,height=1\)/, 'a 1x1 image is not blown up');
      assert.deepStrictEqual(ours(await hoverTexts(editor.document.uri, new vscode.Position(0, 40))), []);
    });

    test('code actions: Edit with Mask and Create Variations on any image; Remake for a generated one, which runs its recipe', async () => {
      const name = genName();
      const editor = await openFile('docs/actions.md', `![otter](../art/${name})\n\n![plain](../art/no%20recipe.png)\n`);
      const actionsAt = (line: number, col: number) =>
        vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', editor.document.uri, new vscode.Range(line, col, line, col));
      const mine = (list: vscode.CodeAction[]) => list.filter((a) => a.title.startsWith('Pixelwright: '));

      const onGenerated = mine(await actionsAt(0, 12));
      assert.deepStrictEqual(onGenerated.map((a) => a.title), ['Pixelwright: Edit with Mask', 'Pixelwright: Create Variations', 'Pixelwright: Remake']);
      const [edit, variations, remake] = onGenerated;
      assert.strictEqual(edit.command?.command, 'pixelwright.editImage');
      assert.strictEqual((edit.command?.arguments?.[0] as vscode.Uri).toString(), generated.toString());
      assert.strictEqual(variations.command?.command, 'pixelwright.createVariations');
      assert.strictEqual((variations.command?.arguments?.[0] as vscode.Uri).toString(), generated.toString());
      assert.strictEqual(remake.command?.command, 'pixelwright.generate');
      assert.deepStrictEqual(remake.command?.arguments?.[0], { prompt: 'a sea otter wearing a beret', model: 'gpt-image-1.5', size: '1024x1536', quality: 'low', background: 'auto', outputFormat: 'png' }, 'the recipe without a count: the palette asks how many');

      assert.deepStrictEqual(mine(await actionsAt(2, 12)).map((a) => a.title), ['Pixelwright: Edit with Mask', 'Pixelwright: Create Variations'], 'no recipe, no Remake');
      assert.deepStrictEqual(mine(await actionsAt(1, 0)), [], 'nothing on an empty line');

      // Remake runs: the palette asks only how many, then the same recipe is sent.
      const made = await answering(vscode.commands.executeCommand<vscode.Uri[]>(remake.command!.command, ...remake.command!.arguments!));
      assert.deepStrictEqual(cap.inputs.map(labelOf), ['How many images']);
      assert.strictEqual(made.length, 1);
      const body = generations()[0].body;
      assert.deepStrictEqual([body.prompt, body.model, body.size, body.quality, body.n], ['a sea otter wearing a beret', 'gpt-image-1.5', '1024x1536', 'low', 1]);
      assert.strictEqual(readRecord(await vscode.workspace.fs.readFile(made[0]))?.prompt, 'a sea otter wearing a beret');
    });
  });
});
