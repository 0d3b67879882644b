/**
 * The Asset Jobs view (`pixelwright.assetJobs`): the asset batch jobs running and the last ones
 * that ended, each with its state, counts and cost (or estimate), its failed entries as children
 * with the API's message; Cancel, Retry Failed and Open Manifest in its context menu. Registered
 * when the features load (never at activation); the view shows once the context key
 * `pixelwright.hasAssetJobs` says there is a job.
 */
import * as vscode from 'vscode';
import { jobCounts, jobState, type BatchJob, type JobState } from '../../core/batch';
import { formatUsd } from '../../core/pricing';
import { Disposable } from '../platform/lifecycle';
import type { BatchJobs } from './batch';

/** A row of the view: a job (`job` is its id, what Cancel Asset Batch takes), or one of its failed entries. */
export type JobNode =
  | { readonly kind: 'job'; readonly job: string; readonly manifest: string; readonly data: BatchJob; readonly ended: boolean }
  | { readonly kind: 'failure'; readonly job: string; readonly manifest: string; readonly path: string; readonly error: string };

/** A row as plain data (what the view shows; tests read it). */
export interface JobRow {
  /** The job's id (a failed entry: its job's). */
  readonly id: string;
  readonly label: string;
  readonly description: string;
  readonly tooltip: string;
  readonly icon: string;
  readonly contextValue?: string;
  readonly children: JobRow[];
}

export const JOBS_VIEW = 'pixelwright.assetJobs';
const CONTEXT_KEY = 'pixelwright.hasAssetJobs';

export class AssetJobsView extends Disposable implements vscode.TreeDataProvider<JobNode> {
  private readonly changed = this._register(new vscode.EventEmitter<JobNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  private refresh: ReturnType<typeof setTimeout> | undefined;
  private hasJobs: boolean | undefined;

  constructor(private readonly jobs: BatchJobs) {
    super();
    this._register(vscode.window.createTreeView(JOBS_VIEW, { treeDataProvider: this }));
    // A job is saved on every look: refresh once shortly after, not on each save.
    this._register(jobs.onDidChange(() => this.soon()));
    this._register({ dispose: () => this.refresh && clearTimeout(this.refresh) });
    void this.updateContext();
  }

  private soon(): void {
    if (this.refresh) return;
    this.refresh = setTimeout(() => {
      this.refresh = undefined;
      this.changed.fire(undefined);
      void this.updateContext();
    }, 200);
  }

  /** Shows the view once there is a job (running or ended). */
  private async updateContext(): Promise<void> {
    const has = this.jobs.pending().length > 0 || (await this.jobs.endedJobs()).length > 0;
    if (has === this.hasJobs) return;
    this.hasJobs = has;
    await vscode.commands.executeCommand('setContext', CONTEXT_KEY, has);
  }

  async getChildren(node?: JobNode): Promise<JobNode[]> {
    if (!node) {
      const newest = (a: BatchJob, b: BatchJob) => (b.endedAt ?? b.createdAt).localeCompare(a.endedAt ?? a.createdAt);
      const running = this.jobs.pending().sort(newest).map((data): JobNode => ({ kind: 'job', job: data.id, manifest: data.manifest, data, ended: false }));
      const running_ = new Set(running.map((r) => r.job));
      const ended = (await this.jobs.endedJobs()).filter((j) => !running_.has(j.id)).map((data): JobNode => ({ kind: 'job', job: data.id, manifest: data.manifest, data, ended: true }));
      return [...running, ...ended];
    }
    if (node.kind === 'job') return node.data.failed.map((f): JobNode => ({ kind: 'failure', job: node.job, manifest: node.manifest, path: f.path, error: f.error }));
    return [];
  }

  getTreeItem(node: JobNode): vscode.TreeItem {
    const t = vscode.l10n.t;
    if (node.kind === 'failure') {
      const item = new vscode.TreeItem(node.path, vscode.TreeItemCollapsibleState.None);
      item.description = node.error;
      item.tooltip = `${node.path}\n${node.error}`;
      item.iconPath = new vscode.ThemeIcon('error');
      item.contextValue = 'assetJobFailure';
      return item;
    }
    const job = node.data;
    const state = jobState(job, node.ended);
    const counts = jobCounts(job, node.ended);
    const manifest = vscode.workspace.asRelativePath(vscode.Uri.parse(job.manifest), false);
    const endpoints = job.parts.map((p) => p.endpoint.split('/').pop()).join(', ');
    const item = new vscode.TreeItem(`${manifest} · ${endpoints}`, job.failed.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = job.id;
    const money = node.ended && job.cost !== undefined ? t('cost {0}', formatUsd(job.cost)) : job.estimate !== undefined ? t('estimated {0}', formatUsd(job.estimate)) : '';
    item.description = [stateText(state), t('{0} done, {1} failed of {2}', counts.done, counts.failed, counts.total), money].filter(Boolean).join(' · ');
    const lines = [
      t('Batch: {0}', job.parts.map((p) => `${p.batchId ?? '-'} (${p.endpoint}, ${p.status})`).join('; ')),
      t('Created: {0}', new Date(job.createdAt).toLocaleString()),
      ...(job.endedAt ? [t('Ended: {0}', new Date(job.endedAt).toLocaleString())] : []),
      t('Manifest: {0}', manifest),
      ...(job.lost ? [job.lost] : []),
      ...(job.lastError ? [t('Last error ({0} in a row, {1}): {2}', job.lastError.count, new Date(job.lastError.at).toLocaleString(), job.lastError.message)] : []),
      ...job.parts.filter((p) => p.error && p.status === 'failed').map((p) => t('Last error: {0}', p.error!)),
    ];
    item.tooltip = lines.join('\n');
    item.iconPath = stateIcon(state);
    item.contextValue = !node.ended ? 'assetJob.running' : job.failed.length ? 'assetJob.ended.failures' : 'assetJob.ended';
    return item;
  }

  /** The view's rows as plain data, through getChildren and getTreeItem (tests, and a look without the view). */
  async rows(): Promise<JobRow[]> {
    const row = async (node: JobNode): Promise<JobRow> => {
      const item = this.getTreeItem(node);
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      return {
        id: node.job,
        label,
        description: String(item.description ?? ''),
        tooltip: typeof item.tooltip === 'string' ? item.tooltip : (item.tooltip?.value ?? ''),
        icon: item.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : '',
        contextValue: item.contextValue,
        children: await Promise.all((await this.getChildren(node)).map(row)),
      };
    };
    return Promise.all((await this.getChildren()).map(row));
  }
}

function stateText(state: JobState): string {
  const t = vscode.l10n.t;
  switch (state) {
    case 'running':
      return t('running');
    case 'cancelling':
      return t('cancelling');
    case 'completed':
      return t('completed');
    case 'completed-with-failures':
      return t('completed with failures');
    case 'cancelled':
      return t('cancelled');
    case 'expired':
      return t('expired');
    case 'failed':
      return t('failed');
    case 'lost':
      return t('ended without its results');
  }
}

function stateIcon(state: JobState): vscode.ThemeIcon {
  switch (state) {
    case 'running':
      return new vscode.ThemeIcon('sync~spin');
    case 'cancelling':
      return new vscode.ThemeIcon('loading~spin');
    case 'completed':
      return new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
    case 'completed-with-failures':
      return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
    case 'cancelled':
      return new vscode.ThemeIcon('circle-slash');
    case 'expired':
      return new vscode.ThemeIcon('watch');
    case 'failed':
    case 'lost':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
  }
}
