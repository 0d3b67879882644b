/**
 * The one place user-facing errors are shown: a clear sentence per kind of failure and the
 * next action that helps ("Set API Key", "Open Settings", "Edit Prompt", "Try Again", "Show Log").
 */
// A plain require, not `import * as`: see the note in src/extension.ts.
import vscode = require('vscode');
import { withProductPrefix, type ErrorInfo } from '../../core/errors';
import { translateIfMessage } from './messages';
import { turnOffPreviewOutput, type PixelwrightSettings } from './settings';

export interface ErrorContext {
  readonly settings: PixelwrightSettings;
  /** What was being done, e.g. "Generating 2 images with gpt-image-1.5". */
  readonly action?: string;
  readonly onSetKey?: () => unknown;
  readonly onEditPrompt?: () => unknown;
  /** Runs the same prompt with another model (offered when a model refused the prompt). */
  readonly onPickModel?: () => unknown;
  readonly onRetry?: () => unknown;
  readonly onShowLog: () => unknown;
  readonly onOpenSettings: (key?: string) => unknown;
  /** Turns SVG and GIF output off (offered when the project has no access to them); the setting's own default otherwise. */
  readonly onTurnOffPreviewOutput?: () => unknown;
}

interface Described {
  readonly message: string;
  readonly actions: readonly (readonly [string, () => unknown])[];
}

/** Words and actions for an error; exported so the sidebar can show the same text. */
export function describeError(info: ErrorInfo, ctx: ErrorContext): Described {
  const t = vscode.l10n.t;
  const setKey = [t('Set API Key'), () => ctx.onSetKey?.()] as const;
  const settings = (key?: string) => [t('Open Settings'), () => ctx.onOpenSettings(key)] as const;
  const retry = ctx.onRetry ? ([[t('Try Again'), ctx.onRetry] as const]) : [];
  const server = info.serverMessage ? ` (${info.serverMessage})` : '';
  switch (info.kind) {
    case 'validation':
      return {
        message: t('Pixelwright cannot send this request: {0}', translateIfMessage(info.text) ?? info.serverMessage ?? info.param ?? ''),
        // A refused prompt is fixed by editing it or by a model that takes it, not in the settings.
        actions:
          info.param === 'prompt'
            ? [...(ctx.onEditPrompt ? [[t('Edit Prompt'), ctx.onEditPrompt] as const] : []), ...(ctx.onPickModel ? [[t('Pick Another Model'), ctx.onPickModel] as const] : [])]
            : [settings()],
      };
    case 'auth':
      return { message: t('The API key was refused (401). Set a valid key for this provider.'), actions: [setKey] };
    case 'no-access':
      // The project's access, not a failure of Pixelwright: say so, and offer to stop offering the format.
      return {
        message: t('Your project has no access to {0} output yet. Ask for access in your OpenAI project, or turn SVG and GIF output off.', (info.format ?? 'svg').toUpperCase()),
        actions: [[t('Turn Off SVG and GIF Output'), () => (ctx.onTurnOffPreviewOutput ? ctx.onTurnOffPreviewOutput() : turnOffPreviewOutput())], settings('experimental.vectorAndAnimatedOutput')],
      };
    case 'org-verification':
      return { message: t('Your organization must be verified to use this model (403). Verify it in your OpenAI organization settings, then try again.'), actions: [...retry] };
    case 'forbidden':
      return { message: t('The provider refused access (403){0}.', server), actions: [setKey, settings('provider')] };
    case 'content-policy':
      return { message: t("The provider's safety system refused this prompt. Reword it and try again; your prompt is kept."), actions: ctx.onEditPrompt ? [[t('Edit Prompt'), ctx.onEditPrompt]] : [] };
    case 'bad-request':
      return { message: t('The provider refused the request (400){0}.', server), actions: [settings()] };
    case 'not-found':
      return ctx.settings.provider === 'azure'
        ? { message: t('Azure answered 404: check the deployment name "{0}" and the API version.', ctx.settings.azure.deployment), actions: [settings('azure.deployment')] }
        : { message: t('The provider answered 404{0}: check the model name and the base URL.', server), actions: [settings()] };
    case 'quota':
      return { message: t('Your quota is used up (429 insufficient_quota): check your plan and billing, then try again.'), actions: [] };
    case 'rate-limit':
      return { message: t('Still rate limited after waiting (429). Try again in a minute, or ask for fewer images at once.'), actions: [...retry, settings('rateLimitMaxWaitSeconds')] };
    case 'server':
      return { message: t('The provider had an internal error ({0}). It is usually brief: try again.', String(info.status ?? 500)), actions: [...retry] };
    case 'overloaded':
      return { message: t('The provider is overloaded (503). Try again in a little while.'), actions: [...retry] };
    case 'timeout':
      return { message: t('The request timed out. High-quality images can take minutes: raise the request timeout, or try again.'), actions: [settings('requestTimeoutSeconds'), ...retry] };
    case 'network':
      return { message: t('Could not reach the provider: check your connection, the base URL or endpoint, and your proxy settings.'), actions: [settings(ctx.settings.provider === 'azure' ? 'azure.endpoint' : 'baseUrl'), ...retry] };
    case 'cut-off':
      return { message: t("The provider's answer was cut off: the connection closed before it was complete. The image may have been made (and billed) without arriving. Try again; if it keeps happening, check your proxy or network."), actions: [...retry] };
    case 'bad-response':
      return { message: t('The provider sent an answer Pixelwright could not read{0}. Check that the base URL points at an Images API.', server), actions: [settings('baseUrl'), ...retry] };
    case 'url-expired':
      return { message: t('The image link could not be downloaded (it may have expired){0}. Try again.', server), actions: [...retry] };
    case 'cancelled':
      return { message: t('Cancelled.'), actions: [] };
    default:
      return { message: t('Something went wrong{0}.', server), actions: [...retry] };
  }
}

/** Shows an error with its actions and "Show Log"; resolves when the user picked or dismissed. */
export async function showError(info: ErrorInfo, ctx: ErrorContext): Promise<void> {
  if (info.kind === 'cancelled') return;
  const { message, actions } = describeError(info, ctx);
  const showLog = vscode.l10n.t('Show Log');
  const labels = [...actions.map(([label]) => label), showLog];
  const prefix = ctx.action ? `${ctx.action}: ` : '';
  const picked = await vscode.window.showErrorMessage(withProductPrefix(`${prefix}${message}`), ...labels);
  if (picked === showLog) ctx.onShowLog();
  else actions.find(([label]) => label === picked)?.[1]();
}
