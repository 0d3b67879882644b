/**
 * Assets as code: "Plan Assets" compares a manifest with the files (heads only) and shows new,
 * changed, up to date and orphaned images with the estimated cost, interactively and through the
 * Batch API; "Generate Assets" makes what the plan needs through the one run pipeline (the
 * concurrency cap, progress, cancel), each image at its path with its entry's recipe hash, then
 * the renditions locally with sharp. CodeLens on each entry says its state and offers "Generate
 * this one". Uses the run pipeline and the asset writer, never another feature's insides.
 */
import * as vscode from 'vscode';
import { eachLimited, needsWork, planAssets, planCost, planCounts, type AssetPlan, type PlanItem } from '../../core/assetPlan';
import type { AssetOutcome, BatchJob } from '../../core/batch';
import { readRecord } from '../../core/metadata';
import { renditionHash, type AssetEntry } from '../../core/manifest';
import type { DecodedSource } from '../../core/renditions';
import { ModelTable } from '../../core/models';
import { formatUsd } from '../../core/pricing';
import { loadEngine } from '../platform/engineLoader';
import { Disposable } from '../platform/lifecycle';
import { errorMessage } from '../platform/messages';
import type { Log } from '../platform/log';
import { readSettings } from '../platform/settings';
import { onDidWriteAsset, writeAssetAt, type PlacedAsset } from '../run/assets';
import type { MadeImage, RunPipeline } from '../run/pipeline';
import { BatchJobs } from './batch';
import { AssetJobsView, type JobNode } from './jobsView';
import { isManifest, ManifestStore, type LoadedManifest } from './manifests';
import { AssetStateFile, planIO, sourceDigests } from './state';
import { placeAsset } from './place';

/** A plan with the manifest it came from. */
export interface PlannedManifest {
  readonly loaded: LoadedManifest;
  readonly plan: AssetPlan;
  readonly state: AssetStateFile;
}

/** What Plan Assets returns to a caller (tests, other extensions): plain data. */
export interface PlanSummary {
  readonly manifest: string;
  readonly items: { readonly path: string; readonly kind: 'image' | 'rendition'; readonly state: string }[];
  readonly orphaned: readonly string[];
  readonly problems: number;
  readonly cost: AssetPlan['cost'];
  readonly bytesRead: number;
}

/** What Generate Assets returns: the paths written, the ones that failed with why, and whether it was cancelled. */
export interface GenerateSummary extends AssetOutcome {
  readonly cancelled: boolean;
  /** Batch mode: the job sent, how many images it asked for, and the entries to plan again (expired, cancelled). */
  readonly job?: string;
  readonly sent?: number;
  readonly replanned?: readonly string[];
  /** Batch mode: why the job ended without its results (its batch is gone, or Pixelwright stopped waiting). */
  readonly lost?: string;
}

interface GenerateArgs {
  readonly manifest?: string | vscode.Uri;
  /** Only these outputs (workspace-relative paths): "Generate this one", "Retry failed". */
  readonly only?: readonly string[];
  /** Ask nothing (tests, keybindings): no confirmation. */
  readonly noConfirm?: boolean;
  /** Interactive (the default with noConfirm) or one Batch API job per endpoint (half price, within 24 hours); asked when absent. */
  readonly mode?: 'interactive' | 'batch';
  /** Batch mode: resolve when the job has ended and its results are written (tests). */
  readonly wait?: boolean;
  /** Batch mode: the first and longest wait between retrieves, ms (tests). */
  readonly pollMs?: { readonly first: number; readonly max: number };
}

export class AssetsFeature extends Disposable implements vscode.CodeLensProvider {
  readonly store = this._register(new ManifestStore());
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly plans = new Map<string, { version: string; plan: Promise<PlannedManifest | undefined> }>();
  private readonly states = new Map<string, AssetStateFile>();
  private refresh: ReturnType<typeof setTimeout> | undefined;
  readonly batch: BatchJobs;
  /** What happened after each batch job ended (its renditions made), by job id. */
  private readonly afterBatches = new Map<string, Promise<GenerateSummary>>();

  constructor(
    private readonly pipeline: RunPipeline,
    private readonly log: Log,
    memento: vscode.Memento,
  ) {
    super();
    // A file written anywhere may change an entry's state: plan again (once, shortly after).
    this._register(onDidWriteAsset(() => this.invalidate()));
    this.batch = this._register(new BatchJobs({ memento, log, pipeline, stateFor: (root) => this.stateFor(root) }));
    this._register(this.batch.onDidFinish((job) => this.afterBatches.set(job.id, this.afterBatch(job))));
    // The Asset Jobs view and its menu's commands: registered when the features load, never at activation.
    this.jobsView = this._register(new AssetJobsView(this.batch));
    this._register(vscode.commands.registerCommand('pixelwright.assetJobs.retryFailed', (node?: JobNode) => this.retryJob(node)));
    this._register(vscode.commands.registerCommand('pixelwright.assetJobs.openManifest', (node?: JobNode) => node && vscode.window.showTextDocument(vscode.Uri.parse(node.manifest))));
    this._register(vscode.commands.registerCommand('pixelwright.assetJobs.rows', () => this.jobsView.rows()));
  }

  readonly jobsView: AssetJobsView;

  /** "Retry Failed" on a job in the Asset Jobs view: plans again and makes only that job's failed entries (asks how). */
  private async retryJob(node?: JobNode): Promise<GenerateSummary | undefined> {
    if (node?.kind !== 'job' || !node.data.failed.length) return undefined;
    return this.generateCommand({ manifest: node.manifest, only: node.data.failed.map((f) => f.path) });
  }

  /** Polls the batch jobs a reload or restart interrupted (activation calls it only when one is pending). */
  resumeBatches(): Promise<BatchJob[]> {
    return this.batch.resume();
  }

  /** Plans a manifest (the active editor's, the given one, or the workspace's first). */
  async plan(target?: string | vscode.Uri): Promise<PlannedManifest | undefined> {
    const uri = await this.manifestUri(target);
    if (!uri) return undefined;
    const loaded = await this.store.load(uri);
    if (!loaded) return undefined;
    const state = this.stateFor(loaded.root);
    await state.read();
    const digests = await sourceDigests(loaded.root, loaded.manifest.entries);
    const plan = await planAssets(loaded.manifest.entries, planIO(loaded.root, digests, state.sidecar()));
    return { loaded, plan, state };
  }

  /** "Pixelwright: Plan Assets": the plan in a list, with Generate actions; returns it as plain data. */
  async planCommand(args?: { manifest?: string; show?: boolean }): Promise<PlanSummary | undefined> {
    const t = vscode.l10n.t;
    const planned = await this.plan(args?.manifest);
    if (!planned) return undefined;
    const { plan, loaded } = planned;
    const summary: PlanSummary = {
      manifest: vscode.workspace.asRelativePath(loaded.uri, false),
      items: plan.items.map((i) => ({ path: i.path, kind: i.kind, state: i.state })),
      orphaned: plan.orphaned,
      problems: loaded.manifest.problems.filter((p) => p.severity === 'error').length,
      cost: plan.cost,
      bytesRead: plan.bytesRead,
    };
    this.log.info(`plan ${summary.manifest}: ${JSON.stringify(planCounts(plan))}, ${plan.cost.images} images to make, ${plan.bytesRead} bytes read`);
    if (args?.show === false) return summary;

    const counts = planCounts(plan);
    type Item = vscode.QuickPickItem & { run?: () => unknown };
    const items: Item[] = [];
    const work = plan.items.filter(needsWork);
    const images = work.filter((i) => i.kind === 'image').length;
    if (work.length) {
      items.push({ label: `$(play) ${t('Generate now: {0} images, {1} renditions', images, work.length - images)}`, detail: costLine(plan.cost, false), run: () => this.generateCommand({ manifest: loaded.uri.toString(), noConfirm: true }) });
    }
    if (loaded.manifest.problems.some((p) => p.severity === 'error')) {
      items.push({ label: `$(warning) ${t('{0} entries have problems and are left out: see the Problems panel', new Set(loaded.manifest.problems.filter((p) => p.severity === 'error').map((p) => p.entry)).size)}`, run: () => vscode.commands.executeCommand('workbench.actions.view.problems') });
    }
    const section = (label: string, list: readonly PlanItem[]) => {
      if (!list.length) return;
      items.push({ label, kind: vscode.QuickPickItemKind.Separator });
      for (const i of list) items.push({ label: i.path, description: i.kind === 'rendition' ? t('rendition of {0}', i.entry.path) : i.entry.request.model, run: () => this.reveal(loaded, i.entry) });
    };
    section(t('New'), plan.items.filter((i) => i.state === 'new'));
    section(t('Changed'), plan.items.filter((i) => i.state === 'changed'));
    section(t('Not made by Pixelwright (the new image goes beside it)'), plan.items.filter((i) => i.state === 'foreign'));
    section(t('Waiting for their image'), plan.items.filter((i) => i.state === 'waiting'));
    section(t('Up to date'), plan.items.filter((i) => i.state === 'up-to-date'));
    if (plan.orphaned.length) {
      items.push({ label: t('Orphaned (no entry names them)'), kind: vscode.QuickPickItemKind.Separator });
      for (const p of plan.orphaned) items.push({ label: p, run: () => vscode.commands.executeCommand('revealInExplorer', vscode.Uri.joinPath(loaded.root, ...p.split('/'))) });
    }
    const picked = await vscode.window.showQuickPick(items, {
      title: t('Asset plan: {0} new, {1} changed, {2} up to date, {3} orphaned. {4}', counts.new + counts.foreign + counts.waiting, counts.changed, counts['up-to-date'], counts.orphaned, costLine(plan.cost, true)),
      placeHolder: work.length ? t('Pick an action or an entry') : t('Everything is up to date'),
      matchOnDescription: true,
    });
    await picked?.run?.();
    return summary;
  }

  /** "Pixelwright: Generate Assets": what the plan needs, interactively through the run pipeline. */
  async generateCommand(args: GenerateArgs = {}): Promise<GenerateSummary | undefined> {
    const t = vscode.l10n.t;
    const planned = await this.plan(args.manifest);
    if (!planned) {
      void vscode.window.showInformationMessage(t('Pixelwright: no asset manifest ({0}) was found in the workspace.', 'pixelwright.assets.json'));
      return undefined;
    }
    const { plan, loaded } = planned;
    const only = args.only && new Set(args.only);
    const chosen = (i: PlanItem) => !only || only.has(i.path) || (i.kind === 'rendition' && only.has(i.entry.path));
    const work = plan.items.filter((i) => chosen(i) && needsWork(i));
    if (only && args.only!.some((p) => !plan.items.some((i) => i.path === p))) {
      void vscode.window.showWarningMessage(t('Pixelwright: some of the asked entries are not in the manifest or have problems (see the Problems panel).'));
    }
    if (!work.length) {
      void vscode.window.showInformationMessage(t('Pixelwright: every asset is up to date.'));
      return { written: [], besides: [], failed: [], cancelled: false };
    }
    const images = work.filter((i) => i.kind === 'image');
    let mode = args.mode ?? 'interactive';
    if (images.length && !args.mode && !args.noConfirm) {
      const picked = await this.chooseMode(images, work.length - images.length);
      if (!picked) return undefined;
      mode = picked;
    }
    if (mode === 'batch' && images.length) return this.startBatch(planned, work, args);
    const summary = await this.runWork(planned, work);
    this.invalidate();
    const { written, failed, besides, cancelled } = summary;
    if (cancelled) void vscode.window.showInformationMessage(t('Pixelwright: asset generation cancelled; {0} files were written before.', written.length));
    else if (failed.length) {
      const retry = t('Retry Failed');
      void vscode.window
        .showWarningMessage(t('Pixelwright: {0} asset files written, {1} failed: {2}', written.length, failed.length, `${failed[0].path}: ${failed[0].error}`), retry, t('Show Log'))
        .then((a) => {
          if (a === retry) void this.retryFailed(loaded.uri.toString());
          else if (a) this.log.show();
        });
    } else void vscode.window.showInformationMessage(t('Pixelwright: {0} asset files written.', written.length));
    if (besides.length) void vscode.window.showWarningMessage(t('Pixelwright: {0} was not made by Pixelwright or was changed by hand, so it was kept; the new image is beside it.', besides.join(', ')));
    return summary;
  }

  /** "Retry failed": plans again and makes only the entries whose last run failed. */
  async retryFailed(manifest?: string, mode?: GenerateArgs['mode']): Promise<GenerateSummary | undefined> {
    const uri = await this.manifestUri(manifest);
    const root = uri && vscode.workspace.getWorkspaceFolder(uri)?.uri;
    if (!uri || !root) return undefined;
    const failed = Object.keys((await this.stateFor(root).read()).failed);
    if (!failed.length) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Pixelwright: no asset failed in the last run.'));
      return { written: [], besides: [], failed: [], cancelled: false };
    }
    return this.generateCommand({ manifest: uri.toString(), only: failed, noConfirm: true, mode });
  }

  /** Interactive now, or through the Batch API at half price: a quick pick showing both estimates. */
  private async chooseMode(images: readonly PlanItem[], renditions: number): Promise<'interactive' | 'batch' | undefined> {
    const t = vscode.l10n.t;
    const cost = planCost(images);
    type Item = vscode.QuickPickItem & { mode: 'interactive' | 'batch' };
    const items: Item[] = [
      { mode: 'interactive', label: `$(play) ${t('Generate now')}`, description: costLine(cost, false), detail: t('{0} images one request each, through the run pipeline, with progress and cancel; then {1} renditions.', images.length, renditions) },
      { mode: 'batch', label: `$(cloud-upload) ${t('Through the Batch API (half price)')}`, description: batchCostLine(cost), detail: t('One batch job per endpoint; results within 24 hours, written when they come (polling resumes after a reload). Renditions follow their images.') },
    ];
    const qp = vscode.window.createQuickPick<Item>();
    qp.title = t('Generate {0} images and {1} renditions', images.length, renditions);
    qp.placeholder = t('How should the images be made?');
    qp.items = items;
    const picked = await new Promise<Item | undefined>((resolve) => {
      qp.onDidAccept(() => {
        resolve(qp.selectedItems[0] ?? qp.activeItems[0]);
        qp.hide();
      });
      qp.onDidHide(() => resolve(undefined));
      qp.show();
    });
    qp.dispose();
    return picked?.mode;
  }

  /** Batch mode: the images as one job per endpoint; the renditions of images already up to date now, the others when their images come. */
  private async startBatch(planned: PlannedManifest, work: readonly PlanItem[], args: GenerateArgs): Promise<GenerateSummary> {
    const t = vscode.l10n.t;
    const { loaded } = planned;
    const settings = readSettings(loaded.uri);
    const images = work.filter((i) => i.kind === 'image');
    const cost = planCost(images);
    if (args.pollMs) this.batch.pollMs = args.pollMs;
    const job = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: t('Pixelwright: sending {0} images to the Batch API', images.length), cancellable: true }, (_p, token) =>
      this.batch.start(loaded.uri, loaded.root, images.map((i) => ({ path: i.path, recipe: i.recipe!, request: i.entry.request, sources: i.entry.sources })), cost.priced ? cost.max / 2 : undefined, settings, token),
    );
    if (!job) return { written: [], besides: [], failed: [], cancelled: true };
    const notSent = job.failed;
    const sent = images.length - notSent.length;
    // Renditions whose image is up to date need no API call: made now.
    const ready = work.filter((i) => i.kind === 'rendition' && i.state !== 'waiting');
    const now = ready.length ? await this.runWork(planned, ready) : { written: [], besides: [], failed: [], cancelled: false };
    if (notSent.length && !sent) {
      void vscode.window.showErrorMessage(t('Pixelwright: the batch could not be sent: {0}', notSent[0].error), t('Show Log')).then((a) => a && this.log.show());
    } else {
      const cancel = t('Cancel Batch');
      void vscode.window
        .showInformationMessage(t('Pixelwright: {0} images sent to the Batch API; they are written here as they come back (within 24 hours, also after a reload).', sent), cancel)
        .then((a) => void (a === cancel && this.cancelBatchCommand({ job: job.id })));
    }
    if (args.wait) {
      const ended = await this.batch.whenDone(job.id);
      const after = await (this.afterBatches.get(ended.id) ?? Promise.resolve(undefined));
      return {
        written: [...now.written, ...(after?.written ?? ended.written)],
        besides: [...now.besides, ...(after?.besides ?? ended.besides)],
        failed: [...now.failed, ...(after?.failed ?? ended.failed)],
        cancelled: !!ended.cancelRequested,
        job: job.id,
        sent,
        replanned: ended.replan,
        ...(ended.lost ? { lost: ended.lost } : {}),
      };
    }
    return { ...now, failed: [...now.failed, ...notSent], job: job.id, sent };
  }

  /** A batch job ended: its renditions made from the images it wrote, then what happened said (failures with Retry Failed, the rest planned again). */
  private async afterBatch(job: BatchJob): Promise<GenerateSummary> {
    const t = vscode.l10n.t;
    this.invalidate();
    let summary: GenerateSummary = { written: [...job.written], besides: [...job.besides], failed: [...job.failed], cancelled: !!job.cancelRequested, job: job.id, replanned: job.replan, ...(job.lost ? { lost: job.lost } : {}) };
    const manifest = job.manifest;
    try {
      const planned = await this.plan(vscode.Uri.parse(manifest));
      const made = new Set(job.parts.flatMap((p) => p.entries.map((e) => e.path)));
      const renditions = planned?.plan.items.filter((i) => i.kind === 'rendition' && made.has(i.entry.path) && needsWork(i) && i.state !== 'waiting') ?? [];
      if (planned && renditions.length) {
        const r = await this.runWork(planned, renditions);
        summary = { ...summary, written: [...summary.written, ...r.written], besides: [...summary.besides, ...r.besides], failed: [...summary.failed, ...r.failed] };
      }
    } catch (err) {
      this.log.warn(`batch ${job.id}: renditions: ${err instanceof Error ? err.message : String(err)}`);
    }
    const { written, failed, besides, replanned } = summary;
    const retry = t('Retry Failed');
    const rest = t('Generate the Rest');
    if (failed.length) {
      void vscode.window
        .showWarningMessage(t('Pixelwright: the asset batch wrote {0} files; {1} failed: {2}', written.length, failed.length, `${failed[0].path}: ${failed[0].error}`), retry, t('Show Log'))
        .then((a) => void (a === retry ? this.generateCommand({ manifest, only: failed.map((f) => f.path) }) : a && this.log.show()));
    } else void vscode.window.showInformationMessage(t('Pixelwright: the asset batch wrote {0} files.', written.length));
    if (replanned?.length) {
      const why = job.stoppedWaiting
        ? t('Pixelwright: stopped waiting for the asset batch; {0} images were not made and are planned again.', replanned.length)
        : job.lost
          ? t('Pixelwright: {0} — {1} images were not made and are planned again.', job.lost, replanned.length)
          : job.cancelRequested ? t('Pixelwright: the batch was cancelled; {0} images were not made and are planned again.', replanned.length) : t('Pixelwright: the batch ran out of time; {0} images were not made and are planned again.', replanned.length);
      void vscode.window.showWarningMessage(why, rest).then((a) => void (a === rest && this.generateCommand({ manifest, only: [...replanned] })));
    }
    if (besides.length) void vscode.window.showWarningMessage(t('Pixelwright: {0} was not made by Pixelwright or was changed by hand, so it was kept; the new image is beside it.', besides.join(', ')));
    return summary;
  }

  /** "Pixelwright: Cancel Asset Batch": the batch's own cancel; what it made by then is still written. */
  async cancelBatchCommand(args: { job?: string; noConfirm?: boolean; wait?: boolean; stopIfRefused?: boolean } = {}): Promise<GenerateSummary | undefined> {
    const t = vscode.l10n.t;
    const jobs = this.batch.pending();
    if (!jobs.length) {
      void vscode.window.showInformationMessage(t('Pixelwright: no asset batch is running.'));
      return undefined;
    }
    let id = args.job;
    if (!id) {
      if (jobs.length === 1) id = jobs[0].id;
      else {
        const picked = await vscode.window.showQuickPick(
          jobs.map((j) => ({ label: vscode.workspace.asRelativePath(vscode.Uri.parse(j.manifest), false), description: t('{0} images, sent {1}', j.parts.reduce((n, p) => n + p.entries.length, 0), new Date(j.createdAt).toLocaleString()), id: j.id })),
          { title: t('Which asset batch should be cancelled?') },
        );
        id = picked?.id;
      }
    }
    if (!id) return undefined;
    if (!args.noConfirm) {
      const yes = t('Cancel Batch');
      const answer = await vscode.window.showWarningMessage(t('Cancel the asset batch? The images it has made by then are still written.'), { modal: true }, yes);
      if (answer !== yes) return undefined;
    }
    const outcome = await this.batch.cancel(id);
    if (!outcome) return undefined;
    let job = outcome.job;
    if (outcome.refused.length) {
      // The server refused or could not be asked: offer to end the job here (its lines planned again, nothing written is lost).
      const stop = t('Stop Waiting');
      const first = outcome.refused[0];
      const answer = args.stopIfRefused
        ? stop
        : await vscode.window.showWarningMessage(
            t('Pixelwright: the batch {0} could not be cancelled: {1}. Stop waiting for it? Its unfinished images are planned again; nothing already written is lost. (The batch may still run at the provider.)', first.batchId, first.error),
            stop,
            t('Show Log'),
          );
      if (answer === stop) job = (await this.batch.stopWaiting(job.id)) ?? job;
      else if (answer) this.log.show();
      else if (!args.wait) return { written: [], besides: [], failed: [], cancelled: false, job: job.id };
    }
    if (!args.wait) return { written: [], besides: [], failed: [], cancelled: true, job: job.id };
    const ended = await this.batch.whenDone(job.id);
    return (await this.afterBatches.get(ended.id)) ?? { written: [...ended.written], besides: [...ended.besides], failed: [...ended.failed], cancelled: true, job: ended.id, replanned: ended.replan, ...(ended.lost ? { lost: ended.lost } : {}) };
  }

  /** Makes the images (the pipeline, under the concurrency cap), then the renditions (sharp), with one cancellable progress. */
  private async runWork(planned: PlannedManifest, work: readonly PlanItem[]): Promise<GenerateSummary> {
    const t = vscode.l10n.t;
    const { loaded, state } = planned;
    const settings = readSettings(loaded.uri);
    const models = new ModelTable(settings.customModels);
    const written: string[] = [];
    const besides: string[] = [];
    const failed: { path: string; error: string }[] = [];
    const images = work.filter((i) => i.kind === 'image');
    const renditions = work.filter((i) => i.kind === 'rendition');
    const total = work.length;
    let done = 0;
    let cancelled = false;
    const uri = (p: string) => vscode.Uri.joinPath(loaded.root, ...p.split('/'));
    const fail = (path: string, error: string) => {
      failed.push({ path, error });
      this.log.warn(`asset ${path} failed: ${error}`);
    };
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: t('Pixelwright: generating assets'), cancellable: true }, async (progress, token) => {
      const step = (path: string) => {
        done++;
        progress.report({ message: t('{0} of {1}: {2}', done, total, path), increment: 100 / total });
      };
      progress.report({ message: t('{0} images to make, {1} at a time', images.length, settings.maxConcurrentRequests) });
      // Images: each through the run pipeline, at most maxConcurrentRequests at once.
      await eachLimited(images, settings.maxConcurrentRequests, async (item) => {
        if (token.isCancellationRequested) return;
        const caps = models.get(item.entry.request.model)!;
        let held: MadeImage | undefined;
        let error: string | undefined;
        let wasCancelled = false;
        const sources = item.entry.sources.map(uri);
        await this.pipeline.run({ ...item.entry.request, sources: sources.length ? { image: sources[0], references: sources.slice(1) } : undefined }, caps, settings, {
          hold: true,
          quiet: true,
          noOpen: true,
          observer: {
            token,
            progressLocation: 'none',
            onHeld: (m) => (held ??= m),
            onDone: (end) => {
              error = end.error;
              wasCancelled = end.cancelled;
            },
          },
        });
        if (wasCancelled || token.isCancellationRequested) return;
        if (!held) return fail(item.path, error ?? t('no image came back'));
        const want = item.entry.request.outputFormat;
        if (want && held.format !== want) return fail(item.path, t('the server sent {0}, not {1}', held.format, want));
        try {
          const image = held;
          const placed = await this.place(loaded, state, item.path, item.recipe!, (rule) => this.pipeline.saveAsset(image, uri(item.path), { recipe: item.recipe! }, rule));
          (placed.besides ? besides : written).push(vscode.workspace.asRelativePath(placed.uri, false));
        } catch (err) {
          return fail(item.path, errorMessage(err));
        }
        step(item.path);
      });
      cancelled = token.isCancellationRequested;
      if (cancelled) return;
      // Renditions: from their image as it is now on disk (just made or up to date), no API call.
      const engine = renditions.length ? await loadEngine() : undefined;
      const notMade = new Set(failed.map((f) => f.path));
      // An image's renditions follow one another: it is read and decoded once for all of them.
      let decoded: { path: string; record: ReturnType<typeof readRecord>; pixels: Promise<DecodedSource> } | undefined;
      for (const item of renditions) {
        if (token.isCancellationRequested) break;
        // Its image failed in this run: it waits for the next one (the image's failure says why).
        if (notMade.has(item.entry.path)) continue;
        const r = item.rendition!;
        try {
          if (decoded?.path !== item.entry.path) {
            const bytes = await vscode.workspace.fs.readFile(uri(item.entry.path));
            const pixels = engine!.decodeSource(bytes);
            pixels.catch(() => undefined); // a damaged file fails each of its renditions below, with the reason
            decoded = { path: item.entry.path, record: readRecord(bytes), pixels };
          }
          const rec = decoded.record;
          if (!rec?.asset) {
            fail(item.path, t('its image {0} was not made from the manifest', item.entry.path));
            continue;
          }
          const hash = renditionHash(r, { recipe: rec.asset.recipe, createdAt: rec.createdAt });
          const bytes = await engine!.makeRendition(await decoded.pixels, rec, r, hash, item.entry.path);
          const placed = await this.place(loaded, state, item.path, hash, (rule) => writeAssetAt(uri(item.path), bytes, rule).then((p) => ({ ...p, bytes })));
          (placed.besides ? besides : written).push(vscode.workspace.asRelativePath(placed.uri, false));
          step(item.path);
        } catch (err) {
          fail(item.path, errorMessage(err));
        }
      }
      cancelled = token.isCancellationRequested;
    });
    await state.update((s) => {
      for (const i of work) delete s.failed[i.path];
      for (const f of failed) s.failed[f.path] = f.error;
    });
    return { written, besides, failed, cancelled };
  }

  private place(loaded: LoadedManifest, state: AssetStateFile, path: string, recipe: string, write: (mayReplace: (existing: Uint8Array) => boolean) => Promise<PlacedAsset & { readonly bytes: Uint8Array }>): Promise<PlacedAsset> {
    return placeAsset(this.log, loaded.root, state, path, recipe, write);
  }

  provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    return this.codeLenses(doc);
  }

  private async codeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const t = vscode.l10n.t;
    if (!isManifest(doc.uri)) return [];
    const key = doc.uri.toString();
    let cached = this.plans.get(key);
    const version = `${doc.version}`;
    if (!cached || cached.version !== version) {
      cached = { version, plan: this.plan(doc.uri).catch(() => undefined) };
      this.plans.set(key, cached);
    }
    const planned = await cached.plan;
    if (!planned || planned.loaded.text !== doc.getText()) return [];
    const failed = (await planned.state.read()).failed;
    const byPath = new Map(planned.plan.items.filter((i) => i.kind === 'image').map((i) => [i.path, i]));
    const pos = (o: number) => doc.positionAt(o);
    const lenses: vscode.CodeLens[] = [];
    for (const e of planned.loaded.manifest.all) {
      const range = new vscode.Range(pos(e.offset), pos(e.offset));
      const item = e.path ? byPath.get(e.path) : undefined;
      if (!item) {
        lenses.push(new vscode.CodeLens(range, { title: `$(error) ${t('has problems (see the Problems panel)')}`, command: 'workbench.actions.view.problems' }));
        continue;
      }
      const waiting = planned.plan.items.filter((i) => i.kind === 'rendition' && i.entry === item.entry && needsWork(i)).length;
      const status = failed[item.path] ? `$(error) ${t('failed: {0}', failed[item.path].slice(0, 80))}` : stateLabel(item.state);
      lenses.push(new vscode.CodeLens(range, { title: status + (waiting && item.state === 'up-to-date' ? ` · ${t('{0} renditions to make', waiting)}` : ''), command: item.state === 'new' ? '' : 'vscode.open', arguments: item.state === 'new' ? [] : [vscode.Uri.joinPath(planned.loaded.root, ...item.path.split('/'))] }));
      if (needsWork(item) || waiting) {
        lenses.push(new vscode.CodeLens(range, { title: t('Generate this one'), command: 'pixelwright.generateAssets', arguments: [{ manifest: doc.uri.toString(), only: [item.path], noConfirm: true }] }));
      }
    }
    return lenses;
  }

  /** Forgets cached plans (files were written, a manifest changed) and asks for new CodeLenses. */
  invalidate(): void {
    if (this.refresh) clearTimeout(this.refresh);
    this.refresh = setTimeout(() => {
      this.plans.clear();
      this.changed.fire();
    }, 300);
  }

  private async reveal(loaded: LoadedManifest, entry: AssetEntry): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(loaded.uri);
    const editor = await vscode.window.showTextDocument(doc);
    const at = doc.positionAt(entry.offset);
    editor.selection = new vscode.Selection(at, at);
    editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenter);
  }

  private stateFor(root: vscode.Uri): AssetStateFile {
    let s = this.states.get(root.toString());
    if (!s) this.states.set(root.toString(), (s = new AssetStateFile(root)));
    return s;
  }

  private async manifestUri(target?: string | vscode.Uri): Promise<vscode.Uri | undefined> {
    if (target instanceof vscode.Uri) return target;
    if (typeof target === 'string' && target) {
      if (/^[a-z][a-z0-9+.-]+:/i.test(target)) return vscode.Uri.parse(target);
      const root = vscode.workspace.workspaceFolders?.[0]?.uri;
      return root && vscode.Uri.joinPath(root, ...target.split('/'));
    }
    const active = vscode.window.activeTextEditor?.document.uri;
    if (active && isManifest(active)) return active;
    const found = await this.store.find();
    if (found.length <= 1) return found[0];
    const picked = await vscode.window.showQuickPick(
      found.map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u })),
      { title: vscode.l10n.t('Which asset manifest?') },
    );
    return picked?.uri;
  }
}

function stateLabel(state: PlanItem['state']): string {
  const t = vscode.l10n.t;
  switch (state) {
    case 'new':
      return `$(circle-outline) ${t('missing')}`;
    case 'changed':
      return `$(sync) ${t('changed')}`;
    case 'foreign':
      return `$(warning) ${t('not made by Pixelwright')}`;
    case 'waiting':
      return `$(clock) ${t('waiting')}`;
    case 'up-to-date':
      return `$(check) ${t('up to date')}`;
  }
}

/** "Estimated $0.025 (half price)" through the Batch API, and what has no fixed price. */
export function batchCostLine(cost: AssetPlan['cost']): string {
  const t = vscode.l10n.t;
  if (!cost.images) return t('Nothing to pay for.');
  const range = (min: number, max: number) => (min === max ? formatUsd(min) : `${formatUsd(min)}–${formatUsd(max)}`);
  let s = cost.priced ? t('Estimated {0} (half price).', range(cost.min / 2, cost.max / 2)) : '';
  if (cost.unpriced) s = `${s} ${t('{0} images are billed by tokens, at half the interactive rate.', cost.unpriced)}`.trim();
  return s;
}

/** "Estimated $0.05 now, $0.025 through the Batch API", and what has no fixed price. */
export function costLine(cost: AssetPlan['cost'], withBatch: boolean): string {
  const t = vscode.l10n.t;
  if (!cost.images) return t('Nothing to pay for.');
  const range = (min: number, max: number) => (min === max ? formatUsd(min) : `${formatUsd(min)}–${formatUsd(max)}`);
  let s = cost.priced
    ? withBatch
      ? t('Estimated {0} now, {1} through the Batch API.', range(cost.min, cost.max), range(cost.min / 2, cost.max / 2))
      : t('Estimated {0}.', range(cost.min, cost.max))
    : '';
  if (cost.unpriced) s = `${s} ${t('{0} images have no estimate: their models are billed by tokens or have no published price per image (half through the Batch API).', cost.unpriced)}`.trim();
  return s;
}

