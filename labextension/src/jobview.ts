/**
 * A pipeline's jobs in the CI panel, by stage: each job's status, name,
 * duration, why it waits, and its Debug, Retry and Debug, or action buttons; trigger jobs
 * with their child pipeline (see `childview`).
 */
import { h, VirtualElement } from '@lumino/virtualdom';

import { isBridge, renderBridge } from './childview';
import { focusKey } from './focuskeep';
import {
  debugState,
  formatDuration,
  IStage,
  jobAction,
  jobStatusClass,
  jobStatusText,
  retryDebugState,
  stageStatusClass
} from './jobs';
import { canEndHold, END_HOLD_TITLE, holdText } from './retention';
import { IJob, IPipeline, IProject } from './tokens';
import type { IViewHandlers } from './view';
import { actionButton, IRowKeys, message, statusBadge } from './viewparts';

/**
 * The stages of `pipeline` with their jobs.
 *
 * Stages and job rows are keyed by name, so that a row stays the same
 * element (and keeps the focus) when its job is retried (a new job id) or
 * a job above it comes or goes; its buttons carry focus keys of the
 * pipeline and the job's name (see `focuskeep`).
 */
export function renderStages(
  project: IProject,
  pipeline: IPipeline,
  stages: readonly IStage[],
  handlers: IViewHandlers
): VirtualElement {
  if (stages.length === 0) {
    return message(`Pipeline #${pipeline.id} has no job.`);
  }
  const terminalsDisabled = handlers.terminalsDisabled();
  return h.div(
    { className: 'jp-CIPanel-jobs' },
    ...stages.map(stage =>
      h.section(
        {
          key: stage.name,
          className: 'jp-CIPanel-stage',
          dataset: { stage: stage.name }
        },
        h.h3(
          { className: 'jp-CIPanel-section' },
          statusBadge(stageStatusClass(stage), stage.status),
          h.span({}, stage.name)
        ),
        h.ul(
          {
            className: 'jp-CIPanel-jobList',
            'aria-label': `Stage ${stage.name}`
          },
          ...stage.jobs.map((job, index) => {
            const key = jobRowKey(stage.jobs, index);
            const row = `job:${pipeline.id}:${key}`;
            return isBridge(job)
              ? renderBridge(
                  project,
                  job,
                  handlers.children,
                  (child, jobs) => renderStages(project, child, jobs, handlers),
                  { key, row }
                )
              : renderJob(project, job, handlers, terminalsDisabled, {
                  key,
                  row
                });
          })
        )
      )
    )
  );
}

/**
 * The key of the row of `jobs[index]` among the rows of its stage: the
 * job's name, which a retry keeps (GitLab's names are unique in a
 * pipeline; should two rows share one, the later ones add their job id).
 */
export function jobRowKey(
  jobs: readonly Pick<IJob, 'id' | 'name'>[],
  index: number
): string {
  const { id, name } = jobs[index];
  const earlier = jobs.slice(0, index).some(job => job.name === name);
  return earlier ? `${name}#${id}` : name;
}

function renderJob(
  project: IProject,
  job: IJob,
  handlers: IViewHandlers,
  terminalsDisabled: string | null,
  keys: IRowKeys
): VirtualElement {
  const action = jobAction(job);
  const debug = debugState(job, terminalsDisabled);
  const retryDebug = retryDebugState(job, terminalsDisabled);
  const status = jobStatusText(job);
  const reason = job.pending_reason || null;
  return h.li(
    {
      key: keys.key,
      className: 'jp-CIPanel-job',
      dataset: {
        project: project.id,
        job: String(job.id),
        status: job.status,
        // Context menu items select on these.
        action: action?.action ?? '',
        debug: String(debug?.enabled === true),
        held: String(canEndHold(job))
      }
    },
    statusBadge(jobStatusClass(job), status),
    h.button(
      {
        className: 'jp-CIPanel-jobName',
        dataset: { focus: focusKey(keys.row) },
        title:
          `${job.name} #${job.id}: ${status}. ` +
          (reason ? `${reason}. ` : '') +
          'Open its log',
        onclick: () => handlers.openLog(job)
      },
      job.name
    ),
    job.hold
      ? h.span(
          {
            className: 'jp-CIPanel-tag jp-CIPanel-held',
            title:
              'The runner keeps this job open after its script: Debug attaches to its shell, End debugging ends it with its status'
          },
          holdText(job, Date.now())
        )
      : null,
    h.span({ className: 'jp-CIPanel-time' }, formatDuration(job.duration)),
    action
      ? actionButton(
          action.label,
          () => handlers.jobAction(job, action.action),
          {
            title: `${action.label} ${job.name} #${job.id}`,
            className: `jp-CIPanel-${action.action}`,
            focus: focusKey(keys.row, 'action')
          }
        )
      : null,
    retryDebug?.button
      ? actionButton('Retry and Debug', () => handlers.retryDebug(job), {
          title: retryDebug.title,
          className: 'jp-CIPanel-retryDebug',
          disabled: !retryDebug.enabled,
          focus: focusKey(keys.row, 'retryDebug')
        })
      : null,
    debug
      ? actionButton('Debug', () => handlers.debug(job), {
          title: debug.title,
          className: 'jp-CIPanel-debug',
          disabled: !debug.enabled,
          focus: focusKey(keys.row, 'debug')
        })
      : null,
    handlers.endHold && canEndHold(job)
      ? actionButton('End debugging', () => handlers.endHold?.(job), {
          title: END_HOLD_TITLE,
          className: 'jp-CIPanel-endHold',
          focus: focusKey(keys.row, 'endHold')
        })
      : null,
    // Why a job waits, on a line of its own under the row (see rows.css).
    reason
      ? h.span({ className: 'jp-CIPanel-reason', title: reason }, reason)
      : null
  );
}
