/**
 * What the CI commands read from their arguments: the JSON schemas the
 * command palette and other callers see, and the job or pipeline the args
 * (or the panel row a context menu was opened on) name.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { IJobTarget } from './picker';
import { IOpenTerminalArgs } from './tokens';

/** Argument schema of the commands that act on one job. */
export const JOB_ARGS = {
  type: 'object',
  properties: {
    project: {
      type: 'string',
      description: 'Project id, as listed by GET ci-terminal/api/projects'
    },
    job: { type: 'integer', description: 'CI job id' },
    fromContextMenu: {
      type: 'boolean',
      description: 'Use the job row the context menu was opened on'
    }
  }
};

/** Argument schema of the commands that act on one pipeline. */
export const PIPELINE_ARGS = {
  type: 'object',
  properties: {
    project: {
      type: 'string',
      description: 'Project id, as listed by GET ci-terminal/api/projects'
    },
    pipeline: { type: 'integer', description: 'CI pipeline id' },
    fromContextMenu: {
      type: 'boolean',
      description: 'Use the pipeline row the context menu was opened on'
    }
  }
};

/**
 * The pipeline the args name, or, for a context menu item, the pipeline row
 * the menu was opened on (`.jp-CIPanel-pipeline[data-project][data-pipeline]`).
 */
export function pipelineTarget(
  app: JupyterFrontEnd,
  args: ReadonlyPartialJSONObject
): { project: string; pipeline: number } | null {
  let project: unknown = args.project;
  let pipeline: unknown = args.pipeline;
  if (args.fromContextMenu) {
    const row = app.contextMenuHitTest(
      node =>
        node.dataset.pipeline !== undefined &&
        node.dataset.project !== undefined
    );
    project = row?.dataset.project;
    pipeline = row?.dataset.pipeline;
  }
  const id =
    typeof pipeline === 'number' || typeof pipeline === 'string'
      ? Number(pipeline)
      : NaN;
  return typeof project === 'string' &&
    project !== '' &&
    Number.isInteger(id) &&
    id > 0
    ? { project, pipeline: id }
    : null;
}

/** Read `IOpenTerminalArgs` from command args; a job id may be a string. */
export function openTerminalArgs(
  args: ReadonlyPartialJSONObject
): IOpenTerminalArgs {
  const project =
    typeof args.project === 'string' && args.project !== ''
      ? args.project
      : undefined;
  const job =
    typeof args.job === 'number' || typeof args.job === 'string'
      ? Number(args.job)
      : NaN;
  return Number.isInteger(job) && job > 0 ? { project, job } : { project };
}

/**
 * The job the args name, or, for a context menu item, the job row the menu
 * was opened on (`.jp-CIPanel-job[data-project][data-job]`).
 */
export function jobTarget(
  app: JupyterFrontEnd,
  args: ReadonlyPartialJSONObject
): IJobTarget | null {
  if (args.fromContextMenu) {
    const row = app.contextMenuHitTest(
      node =>
        node.dataset.job !== undefined && node.dataset.project !== undefined
    );
    return row
      ? { project: row.dataset.project!, job: Number(row.dataset.job) }
      : null;
  }
  const { project, job } = openTerminalArgs(args);
  return project !== undefined && job !== undefined ? { project, job } : null;
}
