import { Time } from '@jupyterlab/coreutils';
import { h, VirtualElement } from '@lumino/virtualdom';

import { ICIState } from './model';
import { IJob, IPipeline, IProject, isDebuggable, JobAction } from './tokens';

/** What the rendered panel can ask for. */
export interface IViewHandlers {
  selectProject(id: string): void;
  selectPipeline(id: number): void;
  runPipeline(): void;
  refresh(): void;
  debug(job: IJob): void;
  jobAction(job: IJob, action: JobAction): void;
}

/** Render the CI Pipelines panel for `state`. */
export function renderPanel(
  state: Readonly<ICIState>,
  handlers: IViewHandlers
): VirtualElement {
  return h.div(
    { className: 'jp-CIPanel-body' },
    renderHeader(state, handlers),
    ...renderContent(state, handlers)
  );
}

function renderHeader(
  state: Readonly<ICIState>,
  handlers: IViewHandlers
): VirtualElement {
  return h.header(
    { className: 'jp-CIPanel-header' },
    h.h2({ className: 'jp-CIPanel-title' }, 'CI Pipelines'),
    button('Run pipeline', () => handlers.runPipeline(), {
      title: 'Start a pipeline on the default branch',
      disabled: state.project === null
    }),
    button('Refresh', () => handlers.refresh(), {
      title: 'Refresh projects, pipelines and jobs now'
    })
  );
}

function renderContent(
  state: Readonly<ICIState>,
  handlers: IViewHandlers
): VirtualElement[] {
  const content: VirtualElement[] = [];
  if (state.error !== null) {
    content.push(
      message(`Could not load CI data: ${state.error}`, 'jp-CIPanel-error'),
      message('The panel retries on its own; use Refresh to try now.')
    );
  }
  if (!state.loaded) {
    return [message('Loading CI projects…')];
  }
  if (state.projects.length === 0) {
    if (state.error === null) {
      content.push(
        message(
          'No CI project found. Start JupyterLab in a folder that contains a .gitlab-ci.yml, or configure a GitLab project for the CI terminal server extension.'
        )
      );
    }
    return content;
  }
  if (state.projects.length > 1) {
    content.push(renderProjects(state.projects, state.project, handlers));
  } else if (state.project) {
    content.push(h.h3({ className: 'jp-CIPanel-section' }, state.project.name));
  }
  if (state.pipelines.length === 0) {
    content.push(
      message(
        'This project has no pipeline yet. Use Run pipeline to start one.'
      )
    );
    return content;
  }
  content.push(renderPipelines(state.pipelines, state.pipeline, handlers));
  if (state.pipeline) {
    content.push(renderJobs(state.pipeline, state.jobs, handlers));
  }
  return content;
}

function renderProjects(
  projects: IProject[],
  selected: IProject | null,
  handlers: IViewHandlers
): VirtualElement {
  return h.div(
    { className: 'jp-CIPanel-projects', role: 'tablist' },
    ...projects.map(project =>
      h.button(
        {
          className: 'jp-CIPanel-project',
          role: 'tab',
          title: `${project.name} (${project.backend})`,
          'aria-selected': String(project.id === selected?.id),
          onclick: () => handlers.selectProject(project.id)
        },
        project.name
      )
    )
  );
}

function renderPipelines(
  pipelines: IPipeline[],
  selected: IPipeline | null,
  handlers: IViewHandlers
): VirtualElement {
  return h.ul(
    { className: 'jp-CIPanel-pipelines', 'aria-label': 'Recent pipelines' },
    ...pipelines.map(pipeline =>
      h.li(
        {
          className: 'jp-CIPanel-pipeline',
          'aria-selected': String(pipeline.id === selected?.id),
          title: `Pipeline #${pipeline.id} on ${pipeline.ref} (${pipeline.sha.slice(0, 8)}): ${pipeline.status}`,
          onclick: () => handlers.selectPipeline(pipeline.id)
        },
        statusBadge(pipeline.status),
        h.span({ className: 'jp-CIPanel-id' }, `#${pipeline.id}`),
        h.span({ className: 'jp-CIPanel-ref' }, pipeline.ref),
        h.span(
          { className: 'jp-CIPanel-time' },
          Time.formatHuman(pipeline.created_at)
        )
      )
    )
  );
}

function renderJobs(
  pipeline: IPipeline,
  jobs: IJob[],
  handlers: IViewHandlers
): VirtualElement {
  if (jobs.length === 0) {
    return message(`Pipeline #${pipeline.id} has no job.`);
  }
  // GitLab lists jobs newest first; ids follow the stage order.
  const stages = new Map<string, IJob[]>();
  for (const job of [...jobs].sort((a, b) => a.id - b.id)) {
    stages.set(job.stage, [...(stages.get(job.stage) ?? []), job]);
  }
  return h.div(
    { className: 'jp-CIPanel-jobs' },
    ...[...stages].map(([stage, stageJobs]) =>
      h.section(
        { className: 'jp-CIPanel-stage' },
        h.h3({ className: 'jp-CIPanel-section' }, stage),
        h.ul(
          { className: 'jp-CIPanel-jobList' },
          ...stageJobs.map(job => renderJob(job, handlers))
        )
      )
    )
  );
}

function renderJob(job: IJob, handlers: IViewHandlers): VirtualElement {
  const action = secondaryAction(job);
  return h.li(
    { className: 'jp-CIPanel-job', dataset: { job: String(job.id) } },
    statusBadge(job.status, job.hold ? `${job.status}, on hold` : ''),
    h.span(
      { className: 'jp-CIPanel-jobName', title: `${job.name} #${job.id}` },
      job.name
    ),
    h.span({ className: 'jp-CIPanel-time' }, formatDuration(job.duration)),
    action
      ? button(action.label, () => handlers.jobAction(job, action.action), {
          title: `${action.label} ${job.name} #${job.id}`
        })
      : null,
    isDebuggable(job)
      ? button('Debug', () => handlers.debug(job), {
          title: `Open a terminal in ${job.name} #${job.id}`,
          className: 'jp-CIPanel-debug'
        })
      : null
  );
}

function secondaryAction(
  job: IJob
): { label: string; action: JobAction } | null {
  switch (job.status) {
    case 'manual':
      return { label: 'Play', action: 'play' };
    case 'failed':
    case 'canceled':
      return { label: 'Retry', action: 'retry' };
    case 'pending':
    case 'created':
      return { label: 'Cancel', action: 'cancel' };
    default:
      return null;
  }
}

function statusBadge(status: string, note = ''): VirtualElement {
  const text = note || status.replace(/_/g, ' ');
  return h.span(
    {
      className: `jp-CIStatus jp-CIStatus-${status}`,
      title: text,
      'aria-label': text
    },
    ''
  );
}

function button(
  label: string,
  onclick: () => void,
  options: { title?: string; disabled?: boolean; className?: string } = {}
): VirtualElement {
  return h.button(
    {
      className: `jp-CIPanel-button ${options.className ?? ''}`.trim(),
      title: options.title ?? label,
      onclick,
      ...(options.disabled ? { disabled: 'disabled' } : {})
    },
    label
  );
}

function message(text: string, className = ''): VirtualElement {
  return h.p({ className: `jp-CIPanel-message ${className}`.trim() }, text);
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
