/**
 * Activation must stay light: neither the engine bundle (openai SDK) nor sharp may load until
 * an image is made. A root-level hook runs before every suite of every file, so this is
 * measured before any test could have loaded them.
 */
import * as assert from 'assert';
import * as vscode from 'vscode';

let loadedAtActivation: string[] | undefined;
let activeBefore: boolean | undefined;
let activeAfter: boolean | undefined;

suiteSetup(async () => {
  if (loadedAtActivation) return;
  const ext = vscode.extensions.getExtension('pixelwright.pixelwright')!;
  activeBefore = ext.isActive;
  // A command activates it (no activation events at startup); showing the log is harmless.
  await vscode.commands.executeCommand('pixelwright.showLog');
  activeAfter = ext.isActive;
  loadedAtActivation = Object.keys(require.cache).filter((f) => /[\\/](dist[\\/]engine\.js|node_modules[\\/](openai|sharp)[\\/])/.test(f));
});

suite('activation', () => {
  test('nothing activates Pixelwright at startup; its command does', () => {
    assert.strictEqual(activeBefore, false);
    assert.strictEqual(activeAfter, true);
  });

  test('loads neither the API client nor sharp', () => {
    assert.deepStrictEqual(loadedAtActivation, []);
  });
});
