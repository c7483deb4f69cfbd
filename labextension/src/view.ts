/**
 * The CI panel as a virtual DOM: header, projects by CI backend, recent
 * pipelines; a pipeline's jobs are drawn by `jobview`.
 */

import { Time } from '@jupyterlab/coreutils';
import { h, VirtualElement } from '@lumino/virtualdom';

import { formatDuration, pipelineAction, statusLabel } from './jobs';
import type { ChildPipelines } from './childview';
import { focusKey } from './focuskeep';
import { renderStages } from './jobview';
import { ICIState } from './model';
import { groupByInstance, instanceLabel, projectLabel } from './projects';
import { IJob, IPipeline, IProject, JobAction, PipelineAction } from './tokens';
import { actionButton, message, statusBadge } from './viewparts';

/** What the rendered panel can ask for. */
export interface IViewHandlers {
  selectProject(id: string): void;
  selectPipeline(id: number): void;
  runPipeline(): void;
  refresh(): void;
  /** Flip "Only my pipelines". */
  toggleMine(): void;
  debug(job: IJob): void;
  /** Retry a finished job and open the new job's terminal as it runs. */
  retryDebug(job: IJob): void;
  openLog(job: IJob): void;
  jobAction(job: IJob, action: JobAction): void;
  /** End debugging: end a held job's hold (it finishes with its script's status). */
  endHold?(job: IJob): void;
  pipelineAction(pipeline: IPipeline, action: PipelineAction): void;
  /** Why no terminal can be opened at all, or null. */
  terminalsDisabled(): string | null;
  /** The child pipelines of trigger jobs that are unfolded (none without it). */
  children?: ChildPipelines;
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
    actionButton('Run pipeline', () => handlers.runPipeline(), {
      title: 'Start a pipeline on the default branch',
      focus: focusKey('panel', 'run'),
      disabled: state.loaded && state.project === null
    }),
    actionButton('Refresh', () => handlers.refresh(), {
      title: 'Refresh projects, pipelines and jobs now',
      focus: focusKey('panel', 'refresh')
    })
  );
}

/**
 * The panel's content below its header. Parts that come and go (the error,
 * the project tabs or title) sit in elements that are always there, so that
 * the pipeline list and the jobs keep their place among their siblings and
 * are updated in place rather than rebuilt (which would drop the focus).
 */
function renderContent(
  state: Readonly<ICIState>,
  handlers: IViewHandlers
): VirtualElement[] {
  const content: VirtualElement[] = [
    h.div(
      { className: 'jp-CIPanel-notices' },
      ...(state.error === null
        ? []
        : [
            message(
              `Could not load CI data: ${state.error}`,
              'jp-CIPanel-error'
            ),
            message('The panel retries on its own; use Refresh to try now.')
          ])
    )
  ];
  if (!state.loaded) {
    return [...content, message('Loading CI projects…')];
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
  content.push(
    h.div(
      { className: 'jp-CIPanel-projectBar' },
      ...(state.projects.length > 1
        ? renderProjects(state.projects, state.project, handlers)
        : state.project
          ? [h.h3({ className: 'jp-CIPanel-section' }, state.project.name)]
          : [])
    )
  );
  content.push(renderMineToggle(state.onlyMine, handlers));
  if (state.pipelines.length === 0) {
    content.push(
      message(
        state.onlyMine
          ? 'You have started no pipeline in this project. Use Run pipeline to start one, or turn off Only my pipelines to see everyone’s.'
          : 'This project has no pipeline yet. Use Run pipeline to start one.'
      )
    );
    return content;
  }
  if (state.project) {
    content.push(
      renderPipelines(state.project, state.pipelines, state.pipeline, handlers)
    );
  }
  if (state.pipeline && state.project) {
    content.push(
      renderStages(state.project, state.pipeline, state.stages, handlers)
    );
  }
  return content;
}

/**
 * The project tabs; when several CI backends serve them (the local runner,
 * GitLab instances), one titled row per backend, so that same-named
 * projects of two GitLabs are told apart.
 */
function renderProjects(
  projects: IProject[],
  selected: IProject | null,
  handlers: IViewHandlers
): VirtualElement[] {
  const groups = groupByInstance(projects);
  const tabs = (members: IProject[], label: string) =>
    h.div(
      {
        className: 'jp-CIPanel-projects',
        role: 'tablist',
        'aria-label': label
      },
      ...members.map(project =>
        h.button(
          {
            className: 'jp-CIPanel-project',
            role: 'tab',
            title: `${project.name} (${instanceLabel(project)})`,
            dataset: {
              instance: project.instance,
              focus: focusKey(`project:${project.id}`)
            },
            'aria-selected': String(project.id === selected?.id),
            onclick: () => handlers.selectProject(project.id)
          },
          groups.length > 1 ? project.name : projectLabel(project, projects)
        )
      )
    );
  if (groups.length === 1) {
    return [tabs(projects, 'CI projects')];
  }
  return groups.map(group =>
    h.div(
      {
        className: 'jp-CIPanel-instance',
        dataset: { instance: group.instance }
      },
      h.h3({ className: 'jp-CIPanel-section' }, group.label),
      tabs(group.projects, `CI projects of ${group.label}`)
    )
  );
}

/**
 * The "Only my pipelines" switch: a toggle button (`aria-pressed`), whose
 * state always follows the setting, as a checkbox's would not once clicked.
 */
function renderMineToggle(
  onlyMine: boolean,
  handlers: IViewHandlers
): VirtualElement {
  return h.div(
    { className: 'jp-CIPanel-filters' },
    h.button(
      {
        className: 'jp-CIPanel-button jp-CIPanel-mine',
        dataset: { focus: focusKey('panel', 'mine') },
        'aria-pressed': String(onlyMine),
        title: onlyMine
          ? 'Only the pipelines you started are listed: show everyone’s'
          : 'List only the pipelines you started (on GitLab: as the user of your web session, else of the API token)',
        onclick: () => handlers.toggleMine()
      },
      'Only my pipelines'
    )
  );
}

/**
 * The recent pipelines: a list whose rows each hold a button that shows the
 * pipeline's jobs (`aria-current` on the shown one) and, beside it, the
 * pipeline's action button, so that both are buttons to assistive
 * technologies (an `option` of a listbox may not contain buttons). The
 * arrow keys, Home and End move between the rows (see `rowKeyTarget`).
 */
function renderPipelines(
  project: IProject,
  pipelines: IPipeline[],
  selected: IPipeline | null,
  handlers: IViewHandlers
): VirtualElement {
  return h.ul(
    {
      className: 'jp-CIPanel-pipelines',
      // Explicit: some browsers drop the list role of an unstyled list.
      role: 'list',
      'aria-label': 'Recent pipelines',
      onkeydown: onRowKey
    },
    ...pipelines.map(pipeline => {
      const row = `pipeline:${pipeline.id}`;
      const current = pipeline.id === selected?.id;
      const duration = formatDuration(pipeline.duration);
      const action = pipelineAction(pipeline);
      return h.li(
        {
          // Keyed: a row (and the focus in it) follows its pipeline when
          // a newer one is listed above it.
          key: String(pipeline.id),
          className: current
            ? 'jp-CIPanel-pipeline jp-mod-selected'
            : 'jp-CIPanel-pipeline',
          dataset: {
            project: project.id,
            pipeline: String(pipeline.id),
            status: pipeline.status,
            // Context menu items select on this.
            action: action?.action ?? ''
          }
        },
        h.button(
          {
            className: 'jp-CIPanel-pipelineSelect',
            dataset: { focus: focusKey(row) },
            title: `Pipeline #${pipeline.id} on ${pipeline.ref} (${pipeline.sha.slice(0, 8)}): ${statusLabel(pipeline.status)}`,
            ...(current ? { 'aria-current': 'true' } : {}),
            onclick: () => handlers.selectPipeline(pipeline.id)
          },
          statusBadge(`jp-CIStatus-${pipeline.status}`, pipeline.status),
          h.span({ className: 'jp-CIPanel-id' }, `#${pipeline.id}`),
          h.span({ className: 'jp-CIPanel-ref' }, pipeline.ref),
          h.span(
            { className: 'jp-CIPanel-time' },
            [Time.formatHuman(pipeline.created_at), duration]
              .filter(Boolean)
              .join(' · ')
          )
        ),
        action
          ? actionButton(
              action.label,
              () => handlers.pipelineAction(pipeline, action.action),
              {
                title: `${action.label} pipeline #${pipeline.id}`,
                className: `jp-CIPanel-${action.action}`,
                focus: focusKey(row, 'action')
              }
            )
          : null
      );
    })
  );
}

/**
 * The row a key moves the focus to in a list of `count` rows, from row
 * `index`: the previous or next one (ArrowUp, ArrowDown; none past either
 * end), the first (Home) or the last (End); null for any other key.
 */
export function rowKeyTarget(
  key: string,
  index: number,
  count: number
): number | null {
  switch (key) {
    case 'ArrowUp':
      return Math.max(index - 1, 0);
    case 'ArrowDown':
      return Math.min(index + 1, count - 1);
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}

/**
 * Move the focus between the pipeline rows' main buttons, from anywhere in
 * a row (its main button or its action button).
 */
function onRowKey(this: HTMLElement, event: KeyboardEvent): void {
  if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) {
    return;
  }
  const buttons = [
    ...this.querySelectorAll<HTMLButtonElement>('.jp-CIPanel-pipelineSelect')
  ];
  const row = (event.target as Element).closest('.jp-CIPanel-pipeline');
  const index = buttons.findIndex(button => button.parentElement === row);
  const target =
    index < 0 ? null : rowKeyTarget(event.key, index, buttons.length);
  if (target !== null) {
    // Neither the panel nor the page scrolls with these keys here.
    event.preventDefault();
    buttons[target].focus();
  }
}
