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

/** Why a choice cannot be taken, shown as an error message; each action ends the step with its result. */
export interface Refusal<T> {
  readonly message: string;
  readonly actions?: readonly (readonly [label: string, result: StepResult<T>])[];
}

/**
 * Makes `input` step `info` of the flow (title, "step k of n", kept open when focus moves away)
 * and returns how the step ends: `done(result)` settles it once (later calls do nothing) and
 * closes the input; hiding it (Escape) ends it with undefined. The caller shows the input.
 */
function asStep<R>(input: vscode.QuickInput, info: StepInfo, resolve: (r: R | undefined) => void): (r: R | undefined) => void {
  input.title = info.title;
  input.step = info.step;
  input.totalSteps = info.totalSteps;
  input.ignoreFocusOut = true;
  let settled = false;
  const done = (r: R | undefined) => {
    if (settled) return;
    settled = true;
    resolve(r);
    input.dispose();
  };
  input.onDidHide(() => done(undefined));
  return done;
}

/**
 * One pick among choices; the item whose value equals `active` is preselected. A choice that
 * `refuse` turns down is not taken: its reason is shown as an error message and the pick stays
 * open for another choice (or the message's actions, e.g. Back).
 */
export function pickOne<T>(
  info: StepInfo,
  placeholder: string,
  choices: readonly Choice<T>[],
  active: T | undefined,
  refuse?: (value: T) => Refusal<T> | undefined,
): Promise<StepResult<T>> {
  return new Promise((resolve) => {
    const qp = vscode.window.createQuickPick<Choice<T>>();
    const done = asStep<StepResult<T>>(qp, info, resolve);
    qp.placeholder = placeholder;
    qp.items = choices;
    qp.buttons = info.step > 1 ? [vscode.QuickInputButtons.Back] : [];
    const current = choices.find((c) => c.value === active);
    if (current) qp.activeItems = [current];
    qp.onDidTriggerButton((b) => b === vscode.QuickInputButtons.Back && done(BACK));
    qp.onDidAccept(() => {
      const item = qp.selectedItems[0] ?? qp.activeItems[0];
      if (!item) return;
      const refusal = refuse?.(item.value);
      if (!refusal) return done(item.value);
      const actions = refusal.actions ?? [];
      void vscode.window.showErrorMessage(refusal.message, ...actions.map(([label]) => label)).then((picked) => {
        const action = actions.find(([label]) => label === picked);
        if (action) done(action[1]);
      });
    });
    qp.show();
  });
}

/** The prompt step's answer when the user asks for the recent prompts (its button). */
export const RECENT = Symbol('recent');

/**
 * Free text in an input box: the prompt, a custom WxH size, a compression level. A problem
 * `validate` finds shows under the box as an error while typing (not while it is empty), and
 * Enter does not take the text then; Enter on an empty box shows what is missing, if anything.
 * An input box and not a quick pick for the prompt: a quick pick filters its items by the typed
 * text, and a very long text (tens of thousands of characters) breaks that filter in the
 * workbench, so the text never reached the extension and Enter did nothing visible.
 * `back`: a Back button (default: from the second step on); `withRecent`: a button that asks for
 * the recent prompts (the answer is RECENT).
 */
export function inputText(
  info: StepInfo,
  prompt: string,
  value: string,
  validate: (value: string) => string | undefined,
  opts: { readonly back?: boolean; readonly withRecent?: boolean; readonly placeholder?: string } = {},
): Promise<StepResult<string> | typeof RECENT> {
  return new Promise((resolve) => {
    const box = vscode.window.createInputBox();
    const done = asStep<StepResult<string> | typeof RECENT>(box, info, resolve);
    box.prompt = prompt;
    box.placeholder = opts.placeholder;
    box.value = value;
    const recentButton: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('history'), tooltip: vscode.l10n.t('Recent prompts') };
    box.buttons = [...((opts.back ?? info.step > 1) ? [vscode.QuickInputButtons.Back] : []), ...(opts.withRecent ? [recentButton] : [])];
    const check = (v: string, accepting = false) => {
      const text = v.trim();
      const problem = text || accepting ? validate(text) : undefined;
      box.validationMessage = problem ? { message: problem, severity: vscode.InputBoxValidationSeverity.Error } : undefined;
      return problem;
    };
    check(value);
    box.onDidChangeValue((v) => check(v));
    box.onDidTriggerButton((b) => done(b === recentButton ? RECENT : BACK));
    box.onDidAccept(() => {
      const text = box.value.trim();
      if (!check(text, true) && text) done(text);
    });
    box.show();
  });
}

/** A label short enough to draw: very long prompts are cut (the whole text is still what is taken). */
export function shortLabel(text: string): string {
  const max = 300;
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max).join('')}…` : text;
}
