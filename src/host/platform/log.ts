// A plain require, not `import * as`: see the note in src/extension.ts.
import vscode = require('vscode');
import type { Logger } from '../../core/log';
import { redactSecrets } from '../../core/errors';

/** The one output channel ("Pixelwright", a LogOutputChannel). Every line goes through redaction. */
export class Log implements Logger, vscode.Disposable {
  private made: vscode.LogOutputChannel | undefined;

  /** Made on the first line or Show Log, not at activation. */
  get channel(): vscode.LogOutputChannel {
    return (this.made ??= vscode.window.createOutputChannel('Pixelwright', { log: true }));
  }

  info(message: string): void {
    this.channel.info(redactSecrets(message));
  }
  warn(message: string): void {
    this.channel.warn(redactSecrets(message));
  }
  error(message: string): void {
    this.channel.error(redactSecrets(message));
  }
  show(): void {
    this.channel.show(true);
  }
  dispose(): void {
    this.made?.dispose();
  }
}
