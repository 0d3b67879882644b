/**
 * The edit and variation commands in a real VS Code: they open the mask editor on the image
 * given (Explorer, multi-select, palette argument) and refuse what is not an image. What happens
 * inside the editor (strokes, the mask the API receives) is tested in a real browser:
 * test/ui/maskEditor.test.mjs.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';

const PNG_1x1 = Uint8Array.from(Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64'));

function webviewTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.includes('pixelwright.maskEditor'));
}

async function until<T>(fn: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

suite('Edit Image with Mask / Create Variations (host)', function () {
  this.timeout(30_000);
  let dir: vscode.Uri;
  let a: vscode.Uri;
  let b: vscode.Uri;
  let text: vscode.Uri;

  suiteSetup(async () => {
    dir = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0].uri, 'edit-host-test');
    a = vscode.Uri.joinPath(dir, 'a.png');
    b = vscode.Uri.joinPath(dir, 'b.png');
    text = vscode.Uri.joinPath(dir, 'notes.txt');
    await vscode.workspace.fs.writeFile(a, PNG_1x1);
    await vscode.workspace.fs.writeFile(b, PNG_1x1);
    await vscode.workspace.fs.writeFile(text, new TextEncoder().encode('not an image'));
  });

  teardown(() => vscode.commands.executeCommand('workbench.action.closeAllEditors'));
  suiteTeardown(() => vscode.workspace.fs.delete(dir, { recursive: true, useTrash: false }));

  test('from the Explorer: the mask editor opens on that image, one panel per image', async () => {
    const opened = await vscode.commands.executeCommand<vscode.Uri>('pixelwright.editImage', a, [a]);
    assert.strictEqual(opened.toString(), a.toString());
    const tab = await until(() => webviewTabs()[0]);
    assert.match(tab.label, /a\.png/);
    await vscode.commands.executeCommand('pixelwright.editImage', a, [a]);
    await new Promise((r) => setTimeout(r, 300));
    assert.strictEqual(webviewTabs().length, 1, 'the same image reveals the open editor');
  });

  test('multi-select: the first image is edited', async () => {
    const opened = await vscode.commands.executeCommand<vscode.Uri>('pixelwright.editImage', b, [b, a]);
    assert.strictEqual(opened.toString(), b.toString());
    assert.match((await until(() => webviewTabs()[0])).label, /b\.png/);
  });

  test('multi-select: the image right-clicked is edited even when another was selected first', async () => {
    // Explorer: select b.png, Ctrl+click a.png, right-click a.png -> (a, [b, a])
    const opened = await vscode.commands.executeCommand<vscode.Uri>('pixelwright.editImage', a, [b, a]);
    assert.strictEqual(opened.toString(), a.toString());
    const tab = await until(() => webviewTabs()[0]);
    assert.match(tab.label, /a\.png/);
    assert.strictEqual(webviewTabs().length, 1);
  });

  test('variations open their own panel', async () => {
    await vscode.commands.executeCommand('pixelwright.createVariations', a, [a]);
    assert.ok(await until(() => webviewTabs().find((t) => /a\.png/.test(t.label))));
  });

  test('a file that is not an image is refused, and no editor opens', async () => {
    const w = vscode.window as unknown as Record<string, unknown>;
    const original = w.showErrorMessage;
    const shown: string[] = [];
    w.showErrorMessage = (m: string) => (shown.push(m), Promise.resolve(undefined));
    try {
      assert.strictEqual(await vscode.commands.executeCommand('pixelwright.editImage', text, [text]), undefined);
    } finally {
      w.showErrorMessage = original;
    }
    assert.match(shown[0], /notes\.txt/);
    assert.strictEqual(webviewTabs().length, 0);
  });
});
