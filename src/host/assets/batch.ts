/**
 * "Generate Assets" through the Batch API: one batch per endpoint, its JSONL made and uploaded
 * as a stream (edits' sources read and prepared one line at a time), the job kept in the
 * workspace state and in `.pixelwright/batches/<id>.json` so polling resumes after a reload or a
 * restart, polled with a growing delay, then its results written through the asset writer (the
 * pipeline's saveAsset and the same placing rule as every asset image), per-entry failures kept
 * with the API's message, lines the batch never ran (expired, cancelled) planned again. Cancel is
 * the batch's own cancel. The job's states and lines are core's (core/batch.ts). When a job
 * ends, the files of old ended jobs are deleted (the last {@link JOB_HISTORY} are kept).
 */
import { rename } from 'node:fs/promises';
import * as vscode from 'vscode';
import { applyRemote, batchLine, eachOf, batchRecord, jobDone, jobLost, lineBody, newJob, parseResultLine, partCollected, partCreated, partFailedToStart, pollDelayMs, running, toCollect, withPoll, withRetrieveError, type BatchJob, type JobEntry, type JobPart } from '../../core/batch';
import type { BatchClient } from '../../core/batchClient';
import { readRecord } from '../../core/metadata';
import { ModelTable } from '../../core/models';
import type { MadeImage } from '../../core/run';
import { loadEngine } from '../platform/engineLoader';
import { Disposable } from '../platform/lifecycle';
import type { Log } from '../platform/log';
import { readSettings, type PixelwrightSettings } from '../platform/settings';
import type { RunPipeline } from '../run/pipeline';
import { BATCH_HISTORY_KEY, BATCH_JOBS_KEY, type JobRef } from './pending';
import { placeAsset } from './place';
import type { AssetStateFile } from './state';

type Connection = NonNullable<Awaited<ReturnType<RunPipeline['batchClient']>>>;

/** What the batch jobs need from the rest of the extension. */
export interface BatchHost {
  /** The workspace state (context.workspaceState). */
  readonly memento: vscode.Memento;
  readonly log: Log;
  readonly pipeline: Pick<RunPipeline, 'batchClient' | 'saveAsset' | 'recordSpend'>;
  /** The asset state of a workspace folder (`.pixelwright/assets.json`). */
  readonly stateFor: (root: vscode.Uri) => AssetStateFile;
  /** First and longest wait between retrieves, ms (tests shorten them). */
  readonly pollMs?: { readonly first: number; readonly max: number };
}

/** A job as the caller sees it when it ends. */
export type FinishedJob = BatchJob;

/**
 * How many ended jobs are kept, in the workspace state's history and as files under
 * `.pixelwright/batches/` of each folder: the Asset Jobs view lists them, read from those files
 * (its Retry Failed and Open Manifest act on what it read), so the files it may show are kept and
 * older ones go. Running jobs' files are kept whatever their number ({@link BatchJobs.prune}).
 */
export const JOB_HISTORY = 20;

/** What a cancel got: the job, and the batches the server refused to cancel or could not be asked about. */
export interface CancelOutcome {
  readonly job: BatchJob;
  readonly refused: readonly { readonly batchId: string; readonly error: string }[];
}

export class BatchJobs extends Disposable {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly waiters = new Map<string, ((job: BatchJob) => void)[]>();
  private readonly connections = new Map<string, Connection>();
  private readonly busy = new Set<string>();
  private readonly finished = this._register(new vscode.EventEmitter<BatchJob>());
  /** A job ended: its results are written and its failures listed. */
  readonly onDidFinish = this.finished.event;
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  /** A job was started, looked at, or ended (the Asset Jobs view refreshes). */
  readonly onDidChange = this.changed.event;
  /** Ended jobs read from their files, by id. */
  private readonly endedCache = new Map<string, BatchJob>();
  /** Jobs the user stopped waiting for in this window (a look under way does not bring them back). */
  private readonly abandoned = new Map<string, string>();
  private readonly status = this._register(vscode.window.createStatusBarItem('pixelwright.assetBatch', vscode.StatusBarAlignment.Left, 9));
  private stopped = false;
  /** Jobs that ended in this window (whenDone answers at once for them). */
  private readonly ended = new Map<string, BatchJob>();
  /** Jobs the user asked to cancel in this window. */
  private readonly cancelAsked = new Set<string>();
  /** Overrides the host's waits between retrieves (tests). */
  pollMs: { readonly first: number; readonly max: number } | undefined;

  constructor(private readonly host: BatchHost) {
    super();
    this.status.name = vscode.l10n.t('Pixelwright asset batch');
    this.status.command = 'pixelwright.cancelAssetBatch';
    this._register({
      dispose: () => {
        this.stopped = true;
        for (const t of this.timers.values()) clearTimeout(t);
        this.timers.clear();
      },
    });
  }

  /** The jobs still running (from the workspace state). */
  pending(): BatchJob[] {
    return Object.values(this.host.memento.get<Record<string, BatchJob>>(BATCH_JOBS_KEY) ?? {});
  }

  /**
   * Sends `entries` as a new job: the JSONL of each endpoint uploaded as it is made, the batches
   * created, polling started. Undefined when no key was given.
   */
  async start(manifest: vscode.Uri, root: vscode.Uri, entries: readonly Omit<JobEntry, 'id'>[], estimate: number | undefined, settings: PixelwrightSettings, token?: vscode.CancellationToken): Promise<BatchJob | undefined> {
    const t = vscode.l10n.t;
    const conn = await this.host.pipeline.batchClient(settings);
    if (!conn) {
      void vscode.window.showInformationMessage(t('Pixelwright: no API key was given, so nothing was generated.'));
      return undefined;
    }
    let job = newJob(`job-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`, manifest.toString(), settings.provider, entries, new Date(), estimate);
    this.connections.set(job.id, conn);
    await this.save(job);
    const models = new ModelTable(settings.customModels);
    const abort = new AbortController();
    const sub = token?.onCancellationRequested(() => abort.abort());
    try {
      for (let k = 0; k < job.parts.length; k++) {
        const part = job.parts[k];
        try {
          const lines = this.lines(root, part, models, conn, abort.signal);
          const fileId = await conn.client.upload(lines, `pixelwright-${job.id}-${part.endpoint.split('/').pop()}.jsonl`, abort.signal);
          this.host.log.info(`batch ${job.id}: ${part.entries.length} lines for ${part.endpoint} uploaded as ${fileId}`);
          const remote = await conn.client.create(fileId, part.endpoint, { pixelwright_job: job.id, manifest: vscode.workspace.asRelativePath(manifest, false).slice(0, 500) }, abort.signal);
          job = { ...job, parts: job.parts.map((p, i) => (i === k ? partCreated(p, fileId, remote) : p)) };
          this.host.log.info(`batch ${job.id}: created ${remote.id} (${remote.status})`);
        } catch (err) {
          const message = abort.signal.aborted ? t('cancelled before it was sent') : errorText(err);
          this.host.log.warn(`batch ${job.id}: ${part.endpoint} not sent: ${message}`);
          job = partFailedToStart(job, k, message);
        }
        await this.save(job);
      }
    } finally {
      sub?.dispose();
    }
    this.schedule(job, root, 0);
    return job;
  }

  /** Resolves when the job ends (at once for one that ended in this window). */
  whenDone(id: string): Promise<BatchJob> {
    const ended = this.ended.get(id);
    if (ended) return Promise.resolve(ended);
    return new Promise((resolve) => {
      const list = this.waiters.get(id) ?? [];
      list.push(resolve);
      this.waiters.set(id, list);
    });
  }

  /** Polls again every job the workspace state says is running (after a reload or a restart). */
  async resume(): Promise<BatchJob[]> {
    const jobs = this.pending();
    const resumed: BatchJob[] = [];
    for (const kept of jobs) {
      if (this.timers.has(kept.id) || this.busy.has(kept.id)) continue;
      const root = rootOf(kept);
      if (!root) continue;
      // The file under .pixelwright/ is written last; prefer it when it is there.
      const job = (await this.readFile(root, kept.id)) ?? kept;
      this.host.log.info(`batch ${job.id}: resuming (${job.parts.map((p) => `${p.batchId ?? '-'} ${p.status}`).join(', ')})`);
      resumed.push(job);
      this.schedule(job, root, 0);
    }
    return resumed;
  }

  /**
   * The batch's own cancel for each part still running; what was made by then is still written.
   * A batch the server no longer has ends the job here (its lines planned again); a refusal or a
   * server that cannot be reached is returned, for the caller to offer {@link stopWaiting}.
   */
  async cancel(id: string): Promise<CancelOutcome | undefined> {
    const t = vscode.l10n.t;
    let job = this.pending().find((j) => j.id === id);
    const root = job && rootOf(job);
    if (!job || !root) return undefined;
    const refused: { batchId: string; error: string }[] = [];
    const conn = await this.connection(job);
    if (!conn) {
      for (const part of running(job)) refused.push({ batchId: part.batchId!, error: t('no connection to the provider the batch was sent to') });
      return { job, refused };
    }
    job = { ...job, cancelRequested: true };
    this.cancelAsked.add(job.id);
    for (const part of running(job)) {
      try {
        const remote = await conn.client.cancel(part.batchId!);
        job = { ...job, parts: job.parts.map((p) => (p === part ? applyRemote(p, remote) : p)) };
        this.host.log.info(`batch ${job.id}: cancel asked for ${part.batchId} (${remote.status})`);
      } catch (err) {
        this.host.log.warn(`batch ${job.id}: cancel of ${part.batchId} refused: ${errorText(err)}`);
        if (isNotFound(err)) {
          job = jobLost(job, goneText(part.batchId!, errorText(err)), { batchId: part.batchId });
          continue;
        }
        // Refused: maybe it has just ended (then it is collected as usual); else the caller may stop waiting.
        const now = await conn.client.retrieve(part.batchId!).catch(() => undefined);
        if (now) job = { ...job, parts: job.parts.map((p) => (p === part ? applyRemote(p, now) : p)) };
        if (!now || running(job).some((p) => p.batchId === part.batchId)) refused.push({ batchId: part.batchId!, error: errorText(err) });
      }
    }
    job = await this.save(job);
    this.schedule(job, root, 0);
    return { job, refused };
  }

  /**
   * "Stop waiting": the job ends here without asking the server (it refused the cancel, cannot be
   * reached, or the batch is gone). Its running parts' lines are planned again; what was written
   * stays. The batch, if it still exists, is left to the server.
   */
  async stopWaiting(id: string): Promise<BatchJob | undefined> {
    let job = this.pending().find((j) => j.id === id);
    const root = job && rootOf(job);
    if (!job || !root) return undefined;
    const reason = vscode.l10n.t('Pixelwright stopped waiting for this batch');
    this.abandoned.set(id, reason);
    job = await this.save(jobLost(job, reason, { stoppedWaiting: true }));
    this.host.log.info(`batch ${job.id}: stopped waiting (${job.parts.map((p) => `${p.batchId ?? '-'} ${p.status}`).join(', ')})`);
    this.schedule(job, root, 0);
    return job;
  }

  /** The jobs that ended (the last {@link JOB_HISTORY}, newest first), read from their files under `.pixelwright/batches/`. */
  async endedJobs(): Promise<BatchJob[]> {
    const refs = await this.history();
    const out: BatchJob[] = [];
    for (const ref of refs) {
      const root = rootOf({ manifest: ref.manifest } as BatchJob);
      if (!root) continue;
      let job = this.endedCache.get(ref.id);
      // A job whose file was deleted is not listed (a stat, not a read, for the ones already read).
      if (job && !(await vscode.workspace.fs.stat(vscode.Uri.joinPath(root, '.pixelwright', 'batches', `${ref.id}.json`)).then(() => true, () => false))) {
        this.endedCache.delete(ref.id);
        continue;
      }
      if (!job) {
        job = await this.readFile(root, ref.id);
        if (job) this.endedCache.set(ref.id, job);
      }
      if (job) out.push(job);
    }
    return out;
  }

  /**
   * Deletes the files of old ended jobs under `.pixelwright/batches/` of each workspace folder,
   * and their entries in the workspace state's history: of the jobs that ended, the
   * {@link JOB_HISTORY} newest (by when they ended) are kept. Never deleted: a job the workspace
   * state says is running or that is being looked at, a file whose job still has results to write
   * (not every part collected: another window's, or one whose state was lost), a file that cannot
   * be read as a job. `ended`: a job that has just ended (its look is still under way). Returns
   * the ids deleted.
   */
  async prune(ended?: string): Promise<string[]> {
    const live = new Set([...this.pending().map((j) => j.id), ...this.busy, ...this.timers.keys()]);
    if (ended && !this.pending().some((j) => j.id === ended)) live.delete(ended);
    const deleted: string[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const dir = vscode.Uri.joinPath(folder.uri, '.pixelwright', 'batches');
      const names = await vscode.workspace.fs.readDirectory(dir).then((d) => d, () => [] as [string, vscode.FileType][]);
      const done: { id: string; at: string }[] = [];
      for (const [name, type] of names) {
        if (type !== vscode.FileType.File || !name.endsWith('.json')) continue;
        const id = name.slice(0, -5);
        if (live.has(id)) continue;
        const job = this.endedCache.get(id) ?? (await this.readFile(folder.uri, id));
        if (!job || !jobDone(job)) continue;
        done.push({ id, at: job.endedAt ?? job.createdAt });
      }
      done.sort((a, b) => b.at.localeCompare(a.at) || b.id.localeCompare(a.id));
      for (const old of done.slice(JOB_HISTORY)) {
        // Looked at again just before: a job that began to run meanwhile is kept.
        if (this.pending().some((j) => j.id === old.id)) continue;
        await vscode.workspace.fs.delete(vscode.Uri.joinPath(dir, `${old.id}.json`), { useTrash: false }).then(
          () => deleted.push(old.id),
          (err) => this.host.log.warn(`batch ${old.id}: its old file could not be deleted: ${errorText(err)}`),
        );
      }
    }
    if (!deleted.length) return deleted;
    const gone = new Set(deleted);
    for (const id of deleted) this.endedCache.delete(id);
    const refs = this.host.memento.get<JobRef[]>(BATCH_HISTORY_KEY);
    if (refs?.some((r) => gone.has(r.id))) await this.host.memento.update(BATCH_HISTORY_KEY, refs.filter((r) => !gone.has(r.id)));
    this.host.log.info(`batch jobs: the files of ${deleted.length} old ended jobs deleted (${deleted.join(', ')}); the newest ${JOB_HISTORY} are kept`);
    return deleted;
  }

  /** The ended jobs' ids, from the workspace state; the first time, from the job files a workspace already has. */
  private async history(): Promise<JobRef[]> {
    const kept = this.host.memento.get<JobRef[]>(BATCH_HISTORY_KEY);
    if (kept) return kept;
    const pending = new Set(this.pending().map((j) => j.id));
    const found: { ref: JobRef; at: string }[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const dir = vscode.Uri.joinPath(folder.uri, '.pixelwright', 'batches');
      const names = await vscode.workspace.fs.readDirectory(dir).then((d) => d, () => [] as [string, vscode.FileType][]);
      for (const [name, type] of names) {
        if (type !== vscode.FileType.File || !name.endsWith('.json')) continue;
        const id = name.slice(0, -5);
        if (pending.has(id)) continue;
        const job = await this.readFile(folder.uri, id);
        if (!job || !jobDone(job)) continue;
        this.endedCache.set(id, job);
        found.push({ ref: { id, manifest: job.manifest }, at: job.endedAt ?? job.createdAt });
      }
    }
    const refs = found.sort((a, b) => b.at.localeCompare(a.at)).slice(0, JOB_HISTORY).map((f) => f.ref);
    await this.host.memento.update(BATCH_HISTORY_KEY, refs);
    return refs;
  }

  /** The lines of one part, made as the upload reads them. */
  private async *lines(root: vscode.Uri, part: JobPart, models: ModelTable, conn: Connection, signal: AbortSignal): AsyncGenerator<string> {
    const engine = part.endpoint === '/v1/images/edits' ? await loadEngine() : undefined;
    for (const e of part.entries) {
      if (signal.aborted) throw new Error('cancelled');
      const caps = models.get(e.request.model);
      if (!caps) throw new Error(`unknown model ${e.request.model}`);
      let images: Awaited<ReturnType<NonNullable<typeof engine>['prepareInputs']>>['images'] = [];
      if (engine && e.sources.length) {
        const files = await Promise.all(e.sources.map(async (p) => ({ name: p.split('/').pop()!, bytes: await vscode.workspace.fs.readFile(uri(root, p)) })));
        images = (await engine.prepareInputs(files, caps, { signal })).images;
      }
      yield batchLine(e.id, part.endpoint, lineBody(e.request, conn.model(e.request.model), images, conn.identity(caps.family === 'gpt-image')));
    }
  }

  private schedule(job: BatchJob, root: vscode.Uri, delay: number): void {
    if (this.stopped) return;
    const old = this.timers.get(job.id);
    if (old) clearTimeout(old);
    this.showStatus();
    this.timers.set(
      job.id,
      setTimeout(() => {
        this.timers.delete(job.id);
        void this.tick(job.id, root);
      }, delay),
    );
  }

  /** One look at a job: retrieve what runs, collect what ended, finish when all is collected. */
  private async tick(id: string, root: vscode.Uri): Promise<void> {
    if (this.stopped || this.busy.has(id)) return;
    this.busy.add(id);
    let job = this.pending().find((j) => j.id === id);
    try {
      if (!job) return;
      const conn = await this.connection(job);
      // Without a connection only lost parts can be collected (they have no files to read).
      if (!conn && job.parts.some((p) => !p.collected && p.status !== 'lost')) {
        // No key now, or another provider: try again later (the user may set it back, or stop waiting).
        job = await this.save(withRetrieveError(withPoll(job), vscode.l10n.t('no connection: no API key, or the settings now name another provider than the one the batch was sent to ({0})', job.provider), new Date()));
        this.schedule(job, root, this.delay(job));
        return;
      }
      for (const part of running(job)) {
        try {
          const remote = await conn!.client.retrieve(part.batchId!);
          job = { ...job, parts: job.parts.map((p) => (p === part ? applyRemote(p, remote) : p)) };
          if (job.lastError) job = withoutError(job);
        } catch (err) {
          const message = errorText(err);
          if (isNotFound(err)) {
            // The batch is gone (deleted at the server, or the settings now point elsewhere): waiting would never end.
            this.host.log.warn(`batch ${job.id}: ${part.batchId} can no longer be found (${message}); the job ends, its lines are planned again`);
            job = jobLost(job, goneText(part.batchId!, message), { batchId: part.batchId });
          } else {
            job = withRetrieveError(job, message, new Date());
            this.host.log.warn(`batch ${job.id}: retrieve ${part.batchId} failed (${job.lastError!.count} in a row): ${message}`);
          }
        }
      }
      job = withPoll(job);
      job = await this.save(job);
      for (const part of toCollect(job)) {
        if (this.stopped) return;
        // A part that was never created or is lost has no files to read: no connection needed.
        job = part.status === 'lost' ? partCollected(job, job.parts.indexOf(part), { written: [], besides: [], failed: [], done: new Set() }) : await this.collect(job, job.parts.indexOf(part), root, conn!);
        job = await this.save(job);
      }
      if (jobDone(job)) await this.finish(job, root);
      else if (!this.stopped) this.schedule(job, root, this.delay(job));
    } catch (err) {
      this.host.log.error(`batch ${id}: ${errorText(err)}`);
      if (job && !this.stopped) this.schedule(job, root, this.delay(job));
    } finally {
      this.busy.delete(id);
      this.showStatus();
    }
  }

  /** Writes a part's results (its output file line by line as it downloads) and lists its failures. */
  private async collect(job: BatchJob, index: number, root: vscode.Uri, conn: Connection): Promise<BatchJob> {
    const t = vscode.l10n.t;
    const part = job.parts[index];
    const byId = new Map(part.entries.map((e) => [e.id, e]));
    const settings = readSettings(vscode.Uri.parse(job.manifest));
    const models = new ModelTable(settings.customModels);
    const state = this.host.stateFor(root);
    const written: string[] = [];
    const besides: string[] = [];
    const failed: { path: string; error: string }[] = [];
    const done = new Set<string>();
    const seen = new Set<string>();
    const spend = new Map<string, { images: number; usd?: number; tokens?: number }>();
    const fail = (path: string, error: string) => {
      failed.push({ path, error });
      this.host.log.warn(`batch ${job.id}: ${path} failed: ${error}`);
    };
    for (const fileId of [part.outputFileId, part.errorFileId]) {
      if (!fileId) continue;
      // One image at a time: on a shared 2-core machine, overlapping up to 4 writes was slower
      // (bench/batch.mjs measures both).
      await eachOf(conn.client.lines(fileId), 1, async (raw) => {
        const line = parseResultLine(raw);
        const entry = line && byId.get(line.customId);
        if (!line || !entry || seen.has(entry.path)) return;
        seen.add(entry.path);
        if (!line.ok) {
          // A line the batch never ran is planned again, not failed.
          if (!line.notRun) fail(entry.path, line.error);
          return;
        }
        const caps = models.get(entry.request.model);
        if (!caps) {
          fail(entry.path, t('unknown model {0}', entry.request.model));
          return;
        }
        try {
          const sources = await Promise.all(
            entry.sources.map(async (p) => ({ path: p, recipe: await vscode.workspace.fs.readFile(uri(root, p)).then((b) => readRecord(b), () => undefined) })),
          );
          const made = batchRecord(entry.request, caps, line, { provider: conn.provider, tool: conn.tool, createdAt: new Date(), sources });
          const want = entry.request.outputFormat;
          if (!made.format) {
            fail(entry.path, t('the answer was not an image'));
            return;
          }
          if (want && made.format !== want) {
            fail(entry.path, t('the server sent {0}, not {1}', made.format, want));
            return;
          }
          const image: MadeImage = { index: 0, bytes: made.bytes, format: made.format, record: made.record, name: entry.path.split('/').pop()! };
          const placed = await placeAsset(this.host.log, root, state, entry.path, entry.recipe, (rule) => this.host.pipeline.saveAsset(image, uri(root, entry.path), { recipe: entry.recipe }, rule));
          (placed.besides ? besides : written).push(vscode.workspace.asRelativePath(placed.uri, false));
          done.add(entry.path);
          const s = spend.get(caps.id) ?? { images: 0 };
          spend.set(caps.id, { images: s.images + 1, usd: made.record.cost ? (s.usd ?? 0) + made.record.cost.usd : s.usd, tokens: made.record.usage ? (s.tokens ?? 0) + made.record.usage.totalTokens : s.tokens });
        } catch (err) {
          fail(entry.path, errorText(err));
        }
      });
    }
    let usd: number | undefined;
    for (const [model, s] of spend) {
      this.host.pipeline.recordSpend(model, s.images, s.usd, s.tokens);
      if (s.usd !== undefined) usd = (usd ?? 0) + s.usd;
    }
    this.host.log.info(`batch ${job.id}: ${part.batchId} ${part.status}: ${written.length + besides.length} written, ${failed.length} failed`);
    return partCollected(job, index, { written, besides, failed, done, usd });
  }

  private async finish(job: BatchJob, root: vscode.Uri): Promise<void> {
    if (this.cancelAsked.has(job.id) && !job.stoppedWaiting) job = { ...job, cancelRequested: true };
    job = { ...job, endedAt: new Date().toISOString() };
    const state = this.host.stateFor(root);
    const all = job.parts.flatMap((p) => p.entries.map((e) => e.path));
    await state.update((s) => {
      for (const p of all) delete s.failed[p];
      for (const f of job.failed) s.failed[f.path] = f.error;
    });
    await this.writeFile(root, job);
    const jobs = { ...(this.host.memento.get<Record<string, BatchJob>>(BATCH_JOBS_KEY) ?? {}) };
    delete jobs[job.id];
    await this.host.memento.update(BATCH_JOBS_KEY, Object.keys(jobs).length ? jobs : undefined);
    const refs = [{ id: job.id, manifest: job.manifest }, ...(await this.history()).filter((r) => r.id !== job.id)];
    for (const old of refs.slice(JOB_HISTORY)) this.endedCache.delete(old.id);
    await this.host.memento.update(BATCH_HISTORY_KEY, refs.slice(0, JOB_HISTORY));
    this.endedCache.set(job.id, job);
    await this.prune(job.id).catch((err) => this.host.log.warn(`batch jobs: old job files not cleaned up: ${errorText(err)}`));
    this.connections.delete(job.id);
    this.abandoned.delete(job.id);
    this.host.log.info(`batch ${job.id}: done, ${job.written.length} written, ${job.besides.length} beside a file, ${job.failed.length} failed, ${job.replan.length} to plan again`);
    this.ended.set(job.id, job);
    this.finished.fire(job);
    this.changed.fire();
    for (const w of this.waiters.get(job.id) ?? []) w(job);
    this.waiters.delete(job.id);
  }

  private delay(job: BatchJob): number {
    const wait = this.pollMs ?? this.host.pollMs;
    return pollDelayMs(job.polls, wait?.first, wait?.max);
  }

  /** The SDK client for a job: the one it started with, else the settings' provider if it is the same kind. */
  private async connection(job: BatchJob): Promise<Connection | undefined> {
    const kept = this.connections.get(job.id);
    if (kept) return kept;
    const settings = readSettings(vscode.Uri.parse(job.manifest));
    if (settings.provider !== job.provider) {
      this.host.log.warn(`batch ${job.id}: it was sent to ${job.provider}, the settings now say ${settings.provider}; waiting`);
      return undefined;
    }
    const conn = await this.host.pipeline.batchClient(settings, false);
    if (conn) this.connections.set(job.id, conn);
    return conn;
  }

  /** Keeps the job in the workspace state and in `.pixelwright/batches/<id>.json`. */
  private async save(job: BatchJob): Promise<BatchJob> {
    // A cancel asked, or a stop, while a look at the job was under way is not lost when that look saves.
    if (this.cancelAsked.has(job.id) && !job.cancelRequested) job = { ...job, cancelRequested: true };
    const stop = this.abandoned.get(job.id);
    if (stop && running(job).length) job = jobLost(job, stop, { stoppedWaiting: true });
    const jobs = { ...(this.host.memento.get<Record<string, BatchJob>>(BATCH_JOBS_KEY) ?? {}), [job.id]: job };
    await this.host.memento.update(BATCH_JOBS_KEY, jobs);
    const root = rootOf(job);
    if (root) await this.writeFile(root, job).catch((err) => this.host.log.warn(`batch ${job.id}: ${errorText(err)}`));
    this.changed.fire();
    return job;
  }

  private async writeFile(root: vscode.Uri, job: BatchJob): Promise<void> {
    const folder = vscode.Uri.joinPath(root, '.pixelwright', 'batches');
    await vscode.workspace.fs.createDirectory(folder);
    const tmp = vscode.Uri.joinPath(folder, `${job.id}.json.tmp`);
    await vscode.workspace.fs.writeFile(tmp, new TextEncoder().encode(JSON.stringify(job, null, 1)));
    const target = vscode.Uri.joinPath(folder, `${job.id}.json`);
    // A local file is replaced in one step: workspace.fs deletes the old one first, so a window that
    // stopped in between would lose the job's file.
    if (tmp.scheme === 'file') await rename(tmp.fsPath, target.fsPath);
    else await vscode.workspace.fs.rename(tmp, target, { overwrite: true });
  }

  private async readFile(root: vscode.Uri, id: string): Promise<BatchJob | undefined> {
    try {
      const job = JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(root, '.pixelwright', 'batches', `${id}.json`)))) as BatchJob;
      return job?.v === 1 && job.id === id && Array.isArray(job.parts) ? job : undefined;
    } catch {
      return undefined;
    }
  }

  private showStatus(): void {
    const jobs = this.pending();
    if (!jobs.length) return this.status.hide();
    let total = 0;
    let done = 0;
    for (const j of jobs) for (const p of j.parts) {
      total += p.entries.length;
      done += (p.counts?.completed ?? 0) + (p.counts?.failed ?? 0);
    }
    this.status.text = `$(cloud) ${vscode.l10n.t('Assets batch: {0} of {1}', done, total)}`;
    const troubles = jobs.filter((j) => j.lastError).map((j) => vscode.l10n.t('Retrieving the batch failed {0} times, last at {1}: {2}', j.lastError!.count, new Date(j.lastError!.at).toLocaleTimeString(), j.lastError!.message));
    this.status.tooltip = [vscode.l10n.t('Pixelwright: asset images made through the Batch API (results within 24 hours). Click to cancel.'), ...troubles].join('\n\n');
    if (troubles.length) this.status.text = `$(cloud) $(warning) ${vscode.l10n.t('Assets batch: {0} of {1}', done, total)}`;
    this.status.show();
  }
}

function withoutError(job: BatchJob): BatchJob {
  const { lastError: _e, ...rest } = job;
  void _e;
  return rest;
}

/** The server says the batch does not exist (404). */
function isNotFound(err: unknown): boolean {
  return (err as { status?: unknown })?.status === 404;
}

function goneText(batchId: string, message: string): string {
  return vscode.l10n.t('The batch {0} can no longer be found at the server (deleted there, or the provider or endpoint changed): {1}', batchId, message);
}

function rootOf(job: BatchJob): vscode.Uri | undefined {
  const manifest = vscode.Uri.parse(job.manifest);
  return vscode.workspace.getWorkspaceFolder(manifest)?.uri;
}

function uri(root: vscode.Uri, p: string): vscode.Uri {
  return vscode.Uri.joinPath(root, ...p.split('/'));
}

/** The API's message of an SDK error (never a key: the SDK's messages carry none; the fake echoes a masked one). */
function errorText(err: unknown): string {
  const e = err as { error?: { message?: unknown }; message?: unknown };
  if (e && typeof e.error === 'object' && e.error && typeof e.error.message === 'string') return e.error.message;
  return err instanceof Error ? err.message : String(err);
}

export type { BatchClient };
