/**
 * Where the workspace state keeps the asset batch jobs still running (the whole job, as its file
 * under `.pixelwright/batches/` has it). Tiny on purpose: activation reads it to decide whether
 * to resume polling, and loads nothing else for that.
 */
import type * as vscode from 'vscode';

export const BATCH_JOBS_KEY = 'pixelwright.assets.batchJobs';

/** The jobs that ended (newest first, the last 20): their ids and manifests; the jobs are in their files. */
export const BATCH_HISTORY_KEY = 'pixelwright.assets.batchHistory';

export interface JobRef {
  readonly id: string;
  readonly manifest: string;
}

/** Whether a job is waiting for its batch (activation resumes polling only then). */
export function hasPendingBatch(state: vscode.Memento): boolean {
  const jobs = state.get<unknown>(BATCH_JOBS_KEY);
  return !!jobs && typeof jobs === 'object' && Object.keys(jobs).length > 0;
}
