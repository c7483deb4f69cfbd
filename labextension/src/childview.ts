/**
 * Trigger jobs (GitLab's bridges) in the CI panel: the row of a trigger job
 * shows its downstream (child) pipeline's status and a button that unfolds
 * that pipeline's jobs under it. Statuses are the server's: nothing here
 * derives one.
 */
import { ISignal, Signal } from '@lumino/signaling';
import { h, VirtualElement } from '@lumino/virtualdom';

import { CIApi, errorMessage } from './api';
import {
  formatDuration,
  groupJobsByStage,
  IStage,
  jobStatusClass,
  jobStatusText,
  statusLabel
} from './jobs';
import { CIStatus, IJob, IPipeline, IProject } from './tokens';
import { focusKey } from './focuskeep';
import { IRowKeys, message, statusBadge } from './viewparts';

/** `downstream_pipeline` of a trigger job (GitLab's `PipelineBasic`). */
export interface IDownstreamPipeline {
  id: number;
  status: CIStatus;
  ref: string;
  sha: string;
  source?: string;
  created_at: string;
  updated_at: string | null;
}

/** A trigger job as `GET …/pipelines/:id/bridges` lists it. */
export interface IBridge extends IJob {
  /** The pipeline it created; null until it has created one (or could not). */
  downstream_pipeline: IDownstreamPipeline | null;
}

/** Whether a listed job is a trigger job (it has a `downstream_pipeline` field). */
export function isBridge(job: IJob): job is IBridge {
  return 'downstream_pipeline' in job;
}

/** What the panel knows of an unfolded child pipeline. */
export interface IChildState {
  /** Its jobs by stage; null until they are loaded. */
  stages: IStage[] | null;
  /** Why they could not be loaded, or null. */
  error: string | null;
}

/** The child pipelines unfolded in the panel, and their jobs. */
export class ChildPipelines {
  /** Emitted when a child pipeline is unfolded, folded or its jobs arrive. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The state of an unfolded child pipeline; undefined when it is folded. */
  get(pipeline: number): IChildState | undefined {
    return this._open.get(pipeline);
  }

  /** Unfold (and load) or fold a child pipeline of `project`. */
  toggle(project: string, pipeline: number): void {
    if (this._open.has(pipeline)) {
      this._open.delete(pipeline);
      this._changed.emit();
      return;
    }
    this._project = project;
    this._open.set(pipeline, { stages: null, error: null });
    this._changed.emit();
    void this._load(pipeline);
  }

  /**
   * Reload the unfolded child pipelines' jobs (the panel calls this when it
   * has refreshed); another project folds them all.
   */
  async refresh(project: string | null): Promise<void> {
    if (project !== this._project) {
      this._project = project;
      this._open.clear();
      this._changed.emit();
      return;
    }
    await Promise.all([...this._open.keys()].map(id => this._load(id)));
  }

  private async _load(pipeline: number): Promise<void> {
    const project = this._project;
    if (project === null) {
      return;
    }
    let next: IChildState;
    try {
      const jobs = await CIApi.listJobs(project, pipeline, {
        includeRetried: true
      });
      next = { stages: groupJobsByStage(jobs), error: null };
    } catch (error) {
      next = { stages: null, error: errorMessage(error) };
    }
    // Folded, or another project, while it loaded: nothing to show.
    if (this._open.has(pipeline) && project === this._project) {
      this._open.set(pipeline, next);
      this._changed.emit();
    }
  }

  private _changed = new Signal<this, void>(this);
  private _open = new Map<number, IChildState>();
  private _project: string | null = null;
}

/** Draws a child pipeline's stages (the panel's own stage view). */
export type StagesRenderer = (
  pipeline: IPipeline,
  stages: readonly IStage[]
) => VirtualElement;

/**
 * The row of a trigger job: its status, name and the pipeline it created,
 * with the button that unfolds that pipeline's jobs below.
 */
export function renderBridge(
  project: IProject,
  bridge: IBridge,
  children: ChildPipelines | undefined,
  renderStages: StagesRenderer,
  keys: IRowKeys
): VirtualElement {
  const status = jobStatusText(bridge);
  const downstream = bridge.downstream_pipeline;
  const open = downstream ? children?.get(downstream.id) : undefined;
  return h.li(
    {
      key: keys.key,
      className: 'jp-CIPanel-job jp-CIPanel-bridge',
      dataset: {
        project: project.id,
        job: String(bridge.id),
        status: bridge.status,
        downstream: downstream ? String(downstream.id) : ''
      }
    },
    h.div(
      { className: 'jp-CIPanel-bridgeRow' },
      statusBadge(jobStatusClass(bridge), status),
      h.span(
        {
          className: 'jp-CIPanel-jobName',
          title: `${bridge.name} #${bridge.id}: ${status}. A trigger job: it starts a child pipeline`
        },
        bridge.name
      ),
      h.span({ className: 'jp-CIPanel-tag' }, 'trigger'),
      h.span({ className: 'jp-CIPanel-time' }, formatDuration(bridge.duration)),
      downstream
        ? renderToggle(
            project,
            downstream,
            open !== undefined,
            children,
            focusKey(keys.row)
          )
        : h.span(
            { className: 'jp-CIPanel-downstream' },
            bridge.status === 'failed'
              ? 'no child pipeline'
              : 'child pipeline not created yet'
          )
    ),
    downstream && open ? renderChild(downstream, open, renderStages) : null
  );
}

function renderToggle(
  project: IProject,
  downstream: IDownstreamPipeline,
  expanded: boolean,
  children: ChildPipelines | undefined,
  focus: string
): VirtualElement {
  const label = statusLabel(downstream.status);
  return h.button(
    {
      className: 'jp-CIPanel-button jp-CIPanel-downstream',
      dataset: { focus },
      title: `${expanded ? 'Hide' : 'Show'} the jobs of child pipeline #${downstream.id} (${label})`,
      'aria-expanded': String(expanded),
      ...(children
        ? { onclick: () => children.toggle(project.id, downstream.id) }
        : { 'aria-disabled': 'true' })
    },
    statusBadge(`jp-CIStatus-${downstream.status}`, downstream.status),
    `#${downstream.id}`
  );
}

function renderChild(
  downstream: IDownstreamPipeline,
  open: IChildState,
  renderStages: StagesRenderer
): VirtualElement {
  let body: VirtualElement;
  if (open.error !== null) {
    body = message(
      `Could not load child pipeline #${downstream.id}: ${open.error}`,
      'jp-CIPanel-error'
    );
  } else if (open.stages === null) {
    body = message(`Loading child pipeline #${downstream.id}…`);
  } else {
    body = renderStages(
      {
        id: downstream.id,
        status: downstream.status,
        ref: downstream.ref,
        sha: downstream.sha,
        created_at: downstream.created_at,
        updated_at: downstream.updated_at,
        duration: null
      },
      open.stages
    );
  }
  return h.div(
    {
      className: 'jp-CIPanel-child',
      role: 'group',
      'aria-label': `Child pipeline #${downstream.id}`
    },
    body
  );
}
