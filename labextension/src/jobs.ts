/**
 * What the panel and the tabs show about jobs: stages in pipeline order,
 * GitLab's status words, and which actions a job offers. Pure functions.
 */

import { holdText } from './retention';
import {
  CIStatus,
  CommandIDs,
  IJob,
  IPipeline,
  JobAction,
  PipelineAction
} from './tokens';

/** Statuses after which a job or pipeline no longer changes by itself. */
const FINISHED: ReadonlySet<CIStatus> = new Set<CIStatus>([
  'success',
  'failed',
  'canceled',
  'skipped',
  'manual'
]);

/** Statuses of a job that is queued or running. */
const ACTIVE: ReadonlySet<CIStatus> = new Set<CIStatus>([
  'created',
  'waiting_for_resource',
  'preparing',
  'pending',
  'running',
  'canceling',
  'scheduled'
]);

/** Whether a job (or pipeline) has stopped changing by itself. */
export function isFinished(status: CIStatus): boolean {
  return FINISHED.has(status);
}

/** The status as GitLab words it: "running", "waiting for resource". */
export function statusLabel(status: CIStatus): string {
  return status.replace(/_/g, ' ');
}

/**
 * The status a job shows: a held job's is the one the server says it ends
 * with (`hold_status`, its script's), so a held failed job looks failed.
 */
export function shownStatus(job: IJob): CIStatus {
  return job.hold && job.hold_status ? job.hold_status : job.status;
}

/**
 * A job's status with what qualifies it: "failed (allowed to fail)",
 * "failed, held for debugging, 28 min left".
 *
 * @param now - Unix milliseconds, for the time a hold has left.
 */
export function jobStatusText(job: IJob, now: number = Date.now()): string {
  let text = statusLabel(shownStatus(job));
  if (job.hold) {
    text += `, ${holdText(job, now)}`;
  }
  if (job.status === 'failed' && job.allow_failure) {
    text += ' (allowed to fail)';
  }
  return text;
}

/** The CSS status class of a job: a failure that is allowed shows as a warning. */
export function jobStatusClass(job: IJob): string {
  const status = shownStatus(job);
  return status === 'failed' && job.allow_failure
    ? 'jp-CIStatus-warning'
    : `jp-CIStatus-${status}`;
}

/** A pipeline stage with its jobs. */
export interface IStage {
  name: string;
  jobs: IJob[];
  status: CIStatus;
}

/** The CSS status class of a stage: passed with an allowed failure is a warning. */
export function stageStatusClass(stage: IStage): string {
  const allowed = stage.jobs.some(
    job => job.status === 'failed' && job.allow_failure
  );
  return stage.status === 'success' && allowed
    ? 'jp-CIStatus-warning'
    : `jp-CIStatus-${stage.status}`;
}

/**
 * Group jobs by stage, in pipeline order, leaving out replaced attempts.
 *
 * Job objects do not carry the stage order. Stages in `knownOrder` (from an
 * earlier call for the same pipeline) keep their place; new stages follow,
 * ordered by their oldest job, replaced attempts included, since ids follow
 * the stage order when a pipeline is created. A stage's status is the one
 * the server ships on its jobs (`stage_status`).
 */
export function groupJobsByStage(
  jobs: readonly IJob[],
  knownOrder: readonly string[] = []
): IStage[] {
  const firstId = new Map<string, number>();
  const byStage = new Map<string, IJob[]>();
  for (const job of [...jobs].sort((a, b) => a.id - b.id)) {
    if (!firstId.has(job.stage)) {
      firstId.set(job.stage, job.id);
    }
    if (!job.retried) {
      byStage.set(job.stage, [...(byStage.get(job.stage) ?? []), job]);
    }
  }
  const known = knownOrder.filter(stage => byStage.has(stage));
  const added = [...byStage.keys()]
    .filter(stage => !known.includes(stage))
    .sort((a, b) => firstId.get(a)! - firstId.get(b)!);
  return [...known, ...added].map(name => {
    const stageJobs = byStage.get(name)!;
    return { name, jobs: stageJobs, status: stageStatus(stageJobs) };
  });
}

/**
 * A stage's status as the server composed it (`stage_status`, GitLab's
 * rule). A listing without it (an older server) shows the stage as created
 * rather than guess with a second copy of the rule.
 */
function stageStatus(jobs: readonly IJob[]): CIStatus {
  return jobs.find(job => job.stage_status)?.stage_status ?? 'created';
}

/** A button a job row offers. */
export interface IJobAction {
  action: JobAction;
  label: string;
}

/** The action GitLab offers for a job: Play, Retry or Cancel. */
export function jobAction(job: IJob): IJobAction | null {
  if (job.retried) {
    return null;
  }
  switch (job.status) {
    case 'manual':
    case 'scheduled':
      return { action: 'play', label: 'Play' };
    case 'success':
    case 'failed':
    case 'canceled':
      return { action: 'retry', label: 'Retry' };
    default:
      return ACTIVE.has(job.status) && job.status !== 'canceling'
        ? { action: 'cancel', label: 'Cancel' }
        : null;
  }
}

/** A button a pipeline row offers. */
export interface IPipelineAction {
  action: PipelineAction;
  label: string;
}

/**
 * The action GitLab offers for a whole pipeline: Cancel while it is queued
 * or running, Retry once it failed or was canceled.
 */
export function pipelineAction(
  pipeline: Pick<IPipeline, 'status'>
): IPipelineAction | null {
  switch (pipeline.status) {
    case 'failed':
    case 'canceled':
      return { action: 'retry', label: 'Retry' };
    default:
      return ACTIVE.has(pipeline.status) && pipeline.status !== 'canceling'
        ? { action: 'cancel', label: 'Cancel' }
        : null;
  }
}

/** The Debug button of a job: shown or not, enabled or not, and why. */
export interface IDebugState {
  enabled: boolean;
  /** The button's tooltip. */
  title: string;
}

/**
 * Whether a job shows a Debug button, and in which state.
 *
 * @param terminalsDisabled - Why the server refuses every terminal, or null.
 * @returns null when the job has no shell to open (not running nor held).
 */
export function debugState(
  job: IJob,
  terminalsDisabled: string | null = null
): IDebugState | null {
  const running = job.status === 'running' || job.hold === true;
  if (!running && job.terminal?.available !== true) {
    return null;
  }
  if (terminalsDisabled !== null) {
    return { enabled: false, title: terminalsDisabled };
  }
  if (job.agent === true) {
    // The job dialed out: its runner's own terminal (or lack of one) does not matter.
    return {
      enabled: true,
      title: `Open a terminal in ${job.name} #${job.id} through its agent`
    };
  }
  if (job.terminal?.available === false) {
    return {
      enabled: false,
      title: job.terminal.reason || 'This job has no terminal to open.'
    };
  }
  return { enabled: true, title: `Open a terminal in ${job.name} #${job.id}` };
}

/** "Retry and Debug" of a job: shown as a button or not, enabled or not, and why. */
export interface IRetryDebugState {
  /** Whether the job's row shows a button (the context menu always offers it). */
  button: boolean;
  enabled: boolean;
  /** The button's tooltip. */
  title: string;
}

/**
 * Whether a job offers "Retry and Debug": a retry whose new job's terminal
 * opens as soon as it runs, for the jobs that offer Retry (finished, not
 * replaced). Only a failed job's row shows it as a button, beside Retry:
 * that is where a shell is wanted, and other rows keep their one action.
 *
 * @param terminalsDisabled - Why the server refuses every terminal, or null.
 * @returns null when the job cannot be retried.
 */
export function retryDebugState(
  job: IJob,
  terminalsDisabled: string | null = null
): IRetryDebugState | null {
  if (jobAction(job)?.action !== 'retry') {
    return null;
  }
  const button = job.status === 'failed';
  if (terminalsDisabled !== null) {
    return { button, enabled: false, title: terminalsDisabled };
  }
  return {
    button,
    enabled: true,
    title: `Retry ${job.name} #${job.id} and open the new job's terminal as soon as it runs`
  };
}

/** Format seconds as e.g. "1m 05s"; empty when unknown. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) {
    return '';
  }
  const total = Math.round(seconds);
  const minutes = Math.floor(total / 60);
  const rest = String(total % 60).padStart(2, '0');
  return minutes > 0 ? `${minutes}m ${rest}s` : `${total}s`;
}

/** The part of Lumino's command registry `terminalsBlocked` reads. */
export interface ICommandState {
  hasCommand(id: string): boolean;
  isEnabled(id: string): boolean;
  caption(id: string): string;
}

/**
 * Why job terminals cannot be opened at all, read from the open-terminal
 * command (disabled, with the reason as its caption), or null.
 */
export function terminalsBlocked(commands: ICommandState): string | null {
  const id = CommandIDs.openTerminal;
  return commands.hasCommand(id) && !commands.isEnabled(id)
    ? commands.caption(id)
    : null;
}
