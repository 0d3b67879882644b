/**
 * The Studio: the sidebar view (`pixelwright.studio`) where users write a prompt, pick a model
 * and its options, see an estimate of the cost, and watch the images form as they stream in.
 *
 * It runs through the run pipeline, like every entry point (validation, the key, the output
 * folder, writing, errors), with an observer for partial images and per-image states and a
 * CancellationToken for its Cancel button (a cancelled run saves nothing).
 *
 * No retainContextWhenHidden: the host holds everything the view shows (the draft, in
 * globalState so it survives a restart, and the run in flight or the last one, with its images).
 * A view that becomes visible again, or reloads, says `ready` and gets all of it re-sent.
 */
import * as vscode from 'vscode';
import { ModelTable } from '../../core/models';
import { PRICE_LIST_DATE } from '../../core/pricing';
import {
  parseFromStudio,
  type FromStudio,
  type StudioDraft,
  type StudioGenerateMessage,
  type StudioRun,
  type StudioTile,
  type ToStudio,
} from '../../shared/studioProtocol';
import { detectImageFormat, isResultFormat, MIME_TYPES, RESULT_MIME_TYPES } from '../../shared/imageFormat';
import type { RunHistory } from '../run/history';
import type { RunPipeline } from '../run/pipeline';
import { WebviewBase } from '../webview/base';
import type { NoticeOf } from '../webview/channel';
import { allowedModel } from '../../core/modelChoice';
import { plainBytes, studioDraft, studioModels, studioRequest } from './models';
import type { Log } from '../platform/log';
import { translateMessage } from '../platform/messages';
import { modelTable } from '../platform/models';
import { readSettings } from '../platform/settings';
import { localizeAll } from '../webview/strings';

/** Where the Studio keeps its draft (prompt and options) across restarts. */
export const STUDIO_DRAFT_KEY = 'pixelwright.studio.draft';

interface Running {
  run: StudioRun;
  readonly cts: vscode.CancellationTokenSource;
}

export class StudioViewProvider extends WebviewBase<ToStudio, FromStudio> implements vscode.WebviewViewProvider {
  static readonly viewType = 'pixelwright.studio';

  private runSeq = 0;
  /** The run in flight or the last one (re-sent after a reload). */
  private current: Running | undefined;
  /** Files of the last run, by result id: the only files "open" may name. */
  private readonly files = new Map<string, vscode.Uri>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly pipeline: RunPipeline,
    private readonly history: RunHistory,
    log: Log,
  ) {
    super(context.extensionUri, log, { name: 'studio', label: 'studio', parse: parseFromStudio, imageSources: ['blob:', 'data:'] });
    this._register({ dispose: () => this.current?.cts.cancel() });
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.attach(view, { title: vscode.l10n.t('Pixelwright Studio'), loading: vscode.l10n.t('Loading…') });
  }

  // ---- messages ------------------------------------------------------------------------------

  protected override async onMessage(msg: NoticeOf<FromStudio>): Promise<void> {
    switch (msg.type) {
      case 'generate':
        return await this.generate(msg);
      case 'cancel':
        if (this.current?.run.runId === msg.runId && this.current.run.phase === 'running') this.current.cts.cancel();
        return;
      case 'open': {
        const uri = this.files.get(msg.resultId);
        if (uri) await vscode.commands.executeCommand('vscode.open', uri, { preview: true });
        return;
      }
      case 'saveDraft':
        return await this.context.globalState.update(STUDIO_DRAFT_KEY, msg.draft);
    }
  }

  private table(): ModelTable {
    return modelTable(readSettings());
  }

  /** The draft to show: the Studio's own, else the palette's last choices and settings (with Azure, on the deployment's model). */
  private draft(table: ModelTable): StudioDraft {
    return studioDraft(this.context.globalState.get<StudioDraft>(STUDIO_DRAFT_KEY), this.history.lastChoices(), readSettings(), table);
  }

  /** Everything the page shows: the models, the draft, the recent prompts and the run in flight or the last one. */
  protected override async sendState(): Promise<void> {
    const table = this.table();
    await this.post({
      type: 'init',
      models: studioModels(table, readSettings(), translateMessage),
      draft: this.draft(table),
      recent: this.history.recentPrompts(),
      priceListDate: PRICE_LIST_DATE,
      run: this.current?.run,
      strings: uiStrings(),
    });
  }

  // ---- a run ---------------------------------------------------------------------------------

  private async generate(msg: StudioGenerateMessage): Promise<void> {
    const t = vscode.l10n.t;
    const runId = ++this.runSeq;
    const refuse = (error: string) =>
      this.post({ type: 'run', run: { runId, phase: 'failed', model: msg.options.model, streaming: false, prompt: msg.prompt, tiles: [], error } });
    if (this.current?.run.phase === 'running') return void (await refuse(t('A run is already in progress: wait for it, or cancel it.')));
    const settings = readSettings();
    const caps = allowedModel(modelTable(settings), settings, msg.options.model, 'generate');
    if (!caps) return void (await refuse(t('The model "{0}" is not available: pick another one.', msg.options.model)));
    const req = studioRequest(msg.prompt, msg.options, caps, settings.moderation);

    const cts = new vscode.CancellationTokenSource();
    const tiles: StudioTile[] = Array.from({ length: req.n }, (_, index) => ({ index, state: 'queued' }));
    const running: Running = { cts, run: { runId, phase: 'running', model: caps.id, streaming: caps.streaming, prompt: req.prompt, tiles } };
    this.current = running;
    this.files.clear();
    await this.context.globalState.update(STUDIO_DRAFT_KEY, { prompt: msg.prompt, options: msg.options } satisfies StudioDraft);
    await this.history.remember(req);
    await this.post({ type: 'recent', recent: this.history.recentPrompts() });
    await this.post({ type: 'run', run: running.run });

    const live = () => this.current === running && running.run.phase === 'running';
    const setTile = (tile: StudioTile) => {
      if (!live()) return;
      const list = running.run.tiles.map((x) => (x.index === tile.index ? tile : x));
      running.run = { ...running.run, tiles: list };
      void this.post({ type: 'tile', runId, tile });
    };
    const tileAt = (index: number) => running.run.tiles.find((x) => x.index === index);

    try {
      // An error's buttons act here: a retry is a new Studio run, the prompt and model are edited in the view.
      const focus = () => vscode.commands.executeCommand(`${StudioViewProvider.viewType}.focus`);
      await this.pipeline.run(req, caps, settings, {
        noOpen: true,
        actions: { retry: () => this.generate(msg), editPrompt: focus, pickModel: focus },
        observer: {
        token: cts.token,
        progressLocation: { viewId: StudioViewProvider.viewType },
        onStatus: (message) => {
          if (!live()) return;
          running.run = { ...running.run, message };
          void this.post({ type: 'status', runId, message });
        },
        onImageState: (s) => {
          const old = tileAt(s.index);
          if (!old || old.state === 'saved') return;
          setTile({ ...old, state: s.state, error: s.error });
        },
        onPartial: caps.streaming
          ? (p) => {
              const old = tileAt(p.index);
              if (!old || old.state === 'received' || old.state === 'saved') return;
              const format = detectImageFormat(p.bytes) ?? 'png';
              setTile({ ...old, state: 'requesting', partial: { bytes: plainBytes(p.bytes), mime: MIME_TYPES[format], partialIndex: p.partialIndex }, partials: (old.partials ?? 0) + 1 });
            }
          : undefined,
        onSaved: (saved) => {
          const old = tileAt(saved.index);
          if (!old) return;
          const id = `r${runId}-${saved.index}`;
          this.files.set(id, saved.uri);
          const format = isResultFormat(saved.format) ? saved.format : 'png';
          setTile({
            ...old,
            state: 'saved',
            partial: undefined,
            result: { id, bytes: plainBytes(saved.bytes), mime: RESULT_MIME_TYPES[format], path: vscode.workspace.asRelativePath(saved.uri, false) },
          });
        },
        onDone: (end) => {
          if (this.current !== running) return;
          const phase = end.cancelled ? 'cancelled' : end.written.length ? 'done' : end.error ? 'failed' : 'done';
          // Images received but not saved (cancelled) are dropped: nothing of a cancelled run stays.
          const finalTiles = running.run.tiles.map((x) => (end.cancelled ? { index: x.index, state: x.state, partials: x.partials } : x));
          running.run = { ...running.run, phase, tiles: finalTiles, error: end.error, cost: end.costNote, notice: end.notice };
          void this.post({ type: 'run', run: running.run });
        },
        },
      });
    } finally {
      if (running.run.phase === 'running') {
        // run() always reports its end; this is for an unexpected throw.
        running.run = { ...running.run, phase: 'failed', error: running.run.error ?? t('The run stopped unexpectedly; see the log.') };
        await this.post({ type: 'run', run: running.run });
      }
      cts.dispose();
    }
  }
}

// ---- helpers ---------------------------------------------------------------------------------

/**
 * Every string the webview shows, localized, keyed by its English text (the webview falls back to
 * the key). test/unit/house/webviewStrings.test.ts checks that every s('...') in src/webview/studio has its
 * entry here.
 */
const UI_STRINGS = [
  '1 image saved.',
  'An estimate from the price list of {0}; your provider may charge differently.',
  'At most {0} pixels (3840×2160).',
  'Background',
  'Cancel',
  'Cancelled',
  'Cancelled: nothing was saved.',
  'Cancelling…',
  'Complexity',
  'Frame time',
  'Frames',
  'How much the model plans the image, apart from its quality.',
  'default',
  'default ({0})',
  '{0} output is a preview: your project needs access to it. One image per request, no previews while it is made.',
  'Custom size (width×height)',
  'Custom…',
  'Describe the image first.',
  'Describe the image to make',
  'Drawing…',
  'Estimated cost: {0} ({1} per image)',
  'Failed',
  'File format',
  'Generate',
  'Image',
  'Image {0}',
  'Images',
  'Model',
  'Model and options',
  'Multiples of {0}, up to {1}:1, at most 3840×2160.',
  'No price is known for {0}.',
  'Nothing was made.',
  'Open',
  'Open {0}',
  'Preview {0}',
  'Price list of {0}.',
  'Prompt',
  'Prompt and options',
  'Quality',
  'Queued',
  'Recent prompts',
  'Recent prompts…',
  'Saved',
  'Saving…',
  'Size',
  'Some failed: {0}',
  'Starting…',
  'Style',
  'The long side may be at most {0} times the short side.',
  'The longer side must be at most {0}.',
  'Waiting to try again…',
  'Width and height must both be multiples of {0}.',
  'Width and height must each be at least {0}.',
  'Working… (no previews from this model)',
  'Write it as width×height, for example 1536x864.',
  'auto',
  'auto size',
  'high',
  'low',
  'medium',
  'natural',
  'opaque',
  'standard',
  'transparent',
  'vivid',
  '{0} accepts at most {1} characters; this prompt has {2}.',
  '{0} images saved.',
  '{0} is billed by tokens: no fixed estimate.',
  '{0} is billed by tokens (image output {1} per 1M tokens): no estimate, since the tokens per image are not published.',
  'No published price for {0}: no estimate.',
  '{0} to generate',
  '{0} × {1}: fine.',
  '{0}, preview {1}',
  '{0}: {1}',
] as const;

function uiStrings(): Record<string, string> {
  return localizeAll(UI_STRINGS);
}

