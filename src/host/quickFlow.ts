/**
 * A multi-step quick input flow: steps with "step k of n", a Back button, Enter accepting the
 * preselected (last used) choice, Escape cancelling the whole flow.
 */
import * as vscode from 'vscode';

export const BACK = Symbol('back');
export type StepResult<T> = T | typeof BACK | undefined;

export interface StepInfo {
  readonly title: string;
  readonly step: number;
  readonly totalSteps: number;
}

export interface Choice<T> extends vscode.QuickPickItem {
  readonly value: T;
}

/** One pick among choices; the item whose value equals `active` is preselected. */
export function pickOne<T>(info: StepInfo, placeholder: string, choices: readonly Choice<T>[], active: T | undefined): Promise<StepResult<T>> {
  return new Promise((resolve) => {
    const qp = vscode.window.createQuickPick<Choice<T>>();
    qp.title = info.title;
    qp.step = info.step;
    qp.totalSteps = info.totalSteps;
    qp.placeholder = placeholder;
    qp.items = choices;
    qp.ignoreFocusOut = true;
    qp.buttons = info.step > 1 ? [vscode.QuickInputButtons.Back] : [];
    const current = choices.find((c) => c.value === active);
    if (current) qp.activeItems = [current];
    let settled = false;
    const done = (r: StepResult<T>) => {
      if (settled) return;
      settled = true;
      resolve(r);
      qp.dispose();
    };
    qp.onDidTriggerButton((b) => b === vscode.QuickInputButtons.Back && done(BACK));
    qp.onDidAccept(() => {
      const item = qp.selectedItems[0] ?? qp.activeItems[0];
      if (item) done(item.value);
    });
    qp.onDidHide(() => done(undefined));
    qp.show();
  });
}

/**
 * Free text with suggestions (recent prompts): Enter takes what is typed, or the highlighted
 * suggestion when nothing new is typed.
 */
export function textWithSuggestions(
  info: StepInfo,
  placeholder: string,
  suggestions: readonly string[],
  initial: string,
  validate: (value: string) => string | undefined,
): Promise<StepResult<string>> {
  return new Promise((resolve) => {
    type Item = vscode.QuickPickItem & { text: string };
    const qp = vscode.window.createQuickPick<Item>();
    qp.title = info.title;
    qp.step = info.step;
    qp.totalSteps = info.totalSteps;
    qp.placeholder = placeholder;
    qp.ignoreFocusOut = true;
    qp.matchOnDescription = false;
    qp.buttons = info.step > 1 ? [vscode.QuickInputButtons.Back] : [];
    const recentLabel = vscode.l10n.t('recent');
    const recent: Item[] = suggestions.map((s) => ({ label: s, description: recentLabel, text: s }));
    const refresh = () => {
      const typed = qp.value.trim();
      const problem = typed ? validate(typed) : undefined;
      const own: Item[] =
        typed && !suggestions.includes(typed)
          ? [{ label: typed, description: vscode.l10n.t('new prompt'), detail: problem ? `$(warning) ${problem}` : undefined, alwaysShow: true, text: typed }]
          : [];
      qp.items = [...own, ...recent];
    };
    qp.value = initial;
    refresh();
    let settled = false;
    const done = (r: StepResult<string>) => {
      if (settled) return;
      settled = true;
      resolve(r);
      qp.dispose();
    };
    qp.onDidChangeValue(refresh);
    qp.onDidTriggerButton((b) => b === vscode.QuickInputButtons.Back && done(BACK));
    qp.onDidAccept(() => {
      const item = qp.selectedItems[0] ?? qp.activeItems[0];
      const text = item?.text ?? qp.value.trim();
      if (!text) return;
      // An invalid text stays in the box, its problem shown under it (refresh).
      if (!validate(text)) done(text);
    });
    qp.onDidHide(() => done(undefined));
    qp.show();
  });
}

/** A validated free-text input (e.g. a custom WxH size). */
export function inputText(info: StepInfo, prompt: string, value: string, validate: (value: string) => string | undefined): Promise<StepResult<string>> {
  return new Promise((resolve) => {
    const box = vscode.window.createInputBox();
    box.title = info.title;
    box.step = info.step;
    box.totalSteps = info.totalSteps;
    box.prompt = prompt;
    box.value = value;
    box.ignoreFocusOut = true;
    box.buttons = [vscode.QuickInputButtons.Back];
    let settled = false;
    const done = (r: StepResult<string>) => {
      if (settled) return;
      settled = true;
      resolve(r);
      box.dispose();
    };
    box.onDidChangeValue((v) => (box.validationMessage = validate(v.trim())));
    box.onDidTriggerButton(() => done(BACK));
    box.onDidAccept(() => {
      const problem = validate(box.value.trim());
      box.validationMessage = problem;
      if (!problem) done(box.value.trim());
    });
    box.onDidHide(() => done(undefined));
    box.show();
  });
}
