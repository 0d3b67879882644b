/**
 * "Pixelwright: Generate Image from Selection": the selected text (or the cursor's line) is the
 * prompt; `pixelwright.generate` asks for the rest with the palette's steps and runs the one
 * pipeline; the links to the written files, in the document's own syntax (src/core/links.ts), take
 * the selection's place (or go in at the cursor).
 *
 * The user may go on typing while the image is made. The selection is tracked through every edit
 * (tracking.ts): the link goes where the selection is now; if an edit reached into the selected
 * text, that text is left as the user made it and the link goes in at the cursor instead, with a
 * message that says so. A closed document gets the link on the clipboard. Nothing typed is lost.
 */
import * as vscode from 'vscode';
import { altText, imageLink, placeLinks, referenceFor, syntaxFor } from '../../core/links';
import type { Log } from '../platform/log';
import { trackEvent, type TrackedOffsets } from './tracking';

/** The selection (or the cursor) of one run, followed through the document's edits. */
class TrackedSelection implements vscode.Disposable {
  private offsets: TrackedOffsets;
  private readonly listener: vscode.Disposable;

  constructor(
    readonly doc: vscode.TextDocument,
    range: vscode.Range,
  ) {
    this.offsets = { start: doc.offsetAt(range.start), end: doc.offsetAt(range.end), touched: false };
    this.listener = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document !== doc || e.contentChanges.length === 0) return;
      this.offsets = trackEvent(
        this.offsets,
        e.contentChanges.map((c) => ({ offset: c.rangeOffset, length: c.rangeLength, textLength: c.text.length })),
      );
    });
  }

  get touched(): boolean {
    return this.offsets.touched;
  }

  get range(): vscode.Range {
    return new vscode.Range(this.doc.positionAt(this.offsets.start), this.doc.positionAt(this.offsets.end));
  }

  dispose(): void {
    this.listener.dispose();
  }
}

const lineOf = (doc: vscode.TextDocument) => (n: number) => (n >= 0 && n < doc.lineCount ? doc.lineAt(n).text : undefined);

export class GenerateFromSelection {
  constructor(private readonly log: Log) {}

  async run(): Promise<void> {
    const t = vscode.l10n.t;
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage(t('Pixelwright: open a text editor and select the words that describe the image.'));
      return;
    }
    const doc = editor.document;
    if (vscode.workspace.fs.isWritableFileSystem(doc.uri.scheme) === false) {
      void vscode.window.showInformationMessage(t('Pixelwright: {0} is read-only, so no link can go in it.', baseName(doc.uri)));
      return;
    }
    const sel = editor.selection;
    const prompt = (sel.isEmpty ? doc.lineAt(sel.active.line).text : doc.getText(sel)).trim();
    if (!prompt) {
      void vscode.window.showInformationMessage(t('Pixelwright: select the words that describe the image, or put the cursor on a line that does.'));
      return;
    }
    const target = new TrackedSelection(doc, sel.isEmpty ? new vscode.Range(sel.active, sel.active) : new vscode.Range(sel.start, sel.end));
    try {
      const written = await vscode.commands.executeCommand<vscode.Uri[] | undefined>('pixelwright.generate', { prompt, noOpen: true });
      if (!written?.length) return; // cancelled or failed: the palette and the pipeline said so
      await this.insert(target, written, prompt);
    } finally {
      target.dispose();
    }
  }

  private async insert(target: TrackedSelection, files: vscode.Uri[], prompt: string): Promise<void> {
    const t = vscode.l10n.t;
    const doc = target.doc;
    const syntax = syntaxFor(doc.languageId);
    const untitled = doc.uri.scheme === 'untitled';
    const elsewhere = !untitled && files.some((f) => f.scheme !== doc.uri.scheme || f.authority !== doc.uri.authority);
    const links = files.map((f) => imageLink(syntax, referenceFor(f, doc.uri, vscode.workspace.asRelativePath(f, false).replace(/\\/g, '/')), altText(prompt, baseName(f))));

    if (doc.isClosed) {
      await vscode.env.clipboard.writeText(links.join('\n'));
      void vscode.window.showInformationMessage(t('Pixelwright: {0} was closed while the image was made; the link is on the clipboard.', baseName(doc.uri)));
      return;
    }
    // Read before the link goes in: the edit below is itself a change to the document.
    const touched = target.touched;
    let span: vscode.Range = target.range;
    target.dispose();
    if (touched) {
      // The selected text was edited meanwhile: it stays as the user left it; the link goes in at the cursor.
      const shown = vscode.window.activeTextEditor?.document === doc ? vscode.window.activeTextEditor : vscode.window.visibleTextEditors.find((e) => e.document === doc);
      const at = shown?.selection.active ?? span.end;
      span = new vscode.Range(at, at);
    }
    const text = placeLinks(syntax, links, span, lineOf(doc));
    // An editor whose selection is still the replaced text (or whose cursor is where the link goes)
    // gets a cursor after the link, so that typing on does not replace it.
    const holders = vscode.window.visibleTextEditors.filter((e) => e.document === doc && e.selections.length === 1 && e.selection.isEqual(span));
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, span, text);
    if (!(await vscode.workspace.applyEdit(edit))) {
      await vscode.env.clipboard.writeText(links.join('\n'));
      void vscode.window.showWarningMessage(t('Pixelwright: {0} could not be changed; the link is on the clipboard.', baseName(doc.uri)));
      return;
    }
    const after = doc.positionAt(doc.offsetAt(span.start) + text.length);
    for (const e of holders) e.selection = new vscode.Selection(after, after);
    this.log.info(`editor: ${files.length} link(s) put in ${doc.uri.scheme === 'file' ? vscode.workspace.asRelativePath(doc.uri) : doc.uri.scheme} (${syntax}${touched ? ', at the cursor: the selection was edited' : ''})`);
    if (touched) {
      void vscode.window.showInformationMessage(t('Pixelwright: the selected text changed while the image was made, so it was kept and the link went in at the cursor.'));
    } else if (untitled) {
      void vscode.window.showInformationMessage(t('Pixelwright: {0} is not saved yet, so the link is relative to the workspace folder.', baseName(doc.uri)));
    } else if (elsewhere) {
      void vscode.window.showInformationMessage(t('Pixelwright: {0} is on another file system than the image, so the link is relative to the workspace folder.', baseName(doc.uri)));
    }
  }
}

function baseName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}
