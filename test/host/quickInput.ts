/**
 * For host tests that drive the palette's quick picks: records the quick inputs the extension
 * opens (the test shares the extension's `vscode` API object) and the messages it shows.
 * Used by palette.test.ts and editor.test.ts.
 */
import * as vscode from 'vscode';

export type Input = vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox;

export interface Shown {
  readonly level: 'error' | 'warning' | 'info';
  readonly message: string;
  readonly actions: string[];
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until<T>(what: string, fn: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * Records the quick inputs the extension opens, and the messages it shows (answered with
 * `answer`, "dismissed" by default).
 */
export function capture() {
  const w = vscode.window as unknown as Record<string, unknown>;
  const originals = { qp: w.createQuickPick, ib: w.createInputBox, error: w.showErrorMessage, warning: w.showWarningMessage, info: w.showInformationMessage };
  const inputs: Input[] = [];
  const shown: Shown[] = [];
  let answer: (s: Shown) => string | undefined = () => undefined;
  w.createQuickPick = (...a: unknown[]) => {
    const qp = (originals.qp as (...x: unknown[]) => Input).apply(vscode.window, a);
    inputs.push(qp);
    return qp;
  };
  w.createInputBox = (...a: unknown[]) => {
    const box = (originals.ib as (...x: unknown[]) => Input).apply(vscode.window, a);
    inputs.push(box);
    return box;
  };
  const spy = (level: Shown['level']) => (message: string, ...rest: unknown[]) => {
    const s = { level, message, actions: rest.filter((r): r is string => typeof r === 'string') };
    shown.push(s);
    return Promise.resolve(answer(s));
  };
  w.showErrorMessage = spy('error');
  w.showWarningMessage = spy('warning');
  w.showInformationMessage = spy('info');
  return {
    inputs,
    shown,
    answerWith(fn: (s: Shown) => string | undefined) {
      answer = fn;
    },
    restore() {
      w.createQuickPick = originals.qp;
      w.createInputBox = originals.ib;
      w.showErrorMessage = originals.error;
      w.showWarningMessage = originals.warning;
      w.showInformationMessage = originals.info;
    },
  };
}
