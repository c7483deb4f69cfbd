import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';

import { CIApi, errorMessage } from './api';
import { groupJobsByStage, IStage } from './jobs';
import { IJob, IPipeline, IProject, JobAction, PipelineAction } from './tokens';

/** What the CI Pipelines panel shows. */
export interface ICIState {
  projects: IProject[];
  project: IProject | null;
  /** Recent pipelines of `project`, newest first. */
  pipelines: IPipeline[];
  pipeline: IPipeline | null;
  /** Jobs of `pipeline` (replaced attempts included when the server lists them). */
  jobs: IJob[];
  /** `jobs` by stage, in pipeline order, without replaced attempts. */
  stages: IStage[];
  /** Whether only the pipelines the user started are listed. */
  onlyMine: boolean;
  /** A sentence describing the last failure, or null. */
  error: string | null;
  /** False until the first fetch has finished. */
  loaded: boolean;
}

/** How many pipelines per project the panel lists. */
const MAX_PIPELINES = 10;

/**
 * Polls projects → pipelines → jobs for the CI Pipelines panel.
 *
 * The poll only fetches while the panel is `active` (visible) and the page
 * is visible, and backs off after errors.
 */
export class CIModel {
  constructor(options: { interval: number }) {
    this._poll = new Poll({
      auto: false,
      factory: () => this._fetch(),
      frequency: {
        interval: options.interval * 1000,
        backoff: true,
        max: 300 * 1000
      },
      name: 'jupyter-ci-terminal:CIModel',
      standby: () => !this._active || 'when-hidden'
    });
    void this._poll.start();
  }

  /** Emitted whenever `state` changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  get state(): Readonly<ICIState> {
    return this._state;
  }

  /** Seconds between fetches. */
  set interval(seconds: number) {
    this._poll.frequency = {
      ...this._poll.frequency,
      interval: Math.max(1, seconds) * 1000
    };
  }

  /** Whether the panel is visible; becoming visible fetches at once. */
  get active(): boolean {
    return this._active;
  }
  set active(active: boolean) {
    this._active = active;
    if (active) {
      void this.refresh();
    }
  }

  get isDisposed(): boolean {
    return this._poll.isDisposed;
  }

  /** Whether only the pipelines the user started are listed; a change fetches. */
  get onlyMine(): boolean {
    return this._state.onlyMine;
  }
  set onlyMine(onlyMine: boolean) {
    if (onlyMine !== this._state.onlyMine) {
      this._pipelineId = null;
      this._update({ onlyMine });
      if (this._active) {
        void this.refresh();
      }
    }
  }

  /** Show another project (and its newest pipeline). */
  selectProject(id: string): void {
    this._projectId = id;
    this._pipelineId = null;
    void this.refresh();
  }

  /** Show the jobs of another pipeline. */
  selectPipeline(id: number): void {
    this._pipelineId = id;
    void this.refresh();
  }

  /** Fetch now; resolves when the fetch has finished. */
  async refresh(): Promise<void> {
    await this._poll.refresh();
    await this._poll.tick;
  }

  /**
   * Start a pipeline and show it.
   *
   * @param project - Project id; the selected project by default.
   * @throws {CIResponseError} When the server refuses.
   */
  async runPipeline(
    project = this._state.project?.id,
    ref?: string
  ): Promise<IPipeline | null> {
    if (project === undefined) {
      return null;
    }
    const pipeline = await CIApi.createPipeline(project, ref);
    this._projectId = project;
    this._pipelineId = pipeline.id;
    await this.refresh();
    return pipeline;
  }

  /**
   * Retry, cancel or play a job, then refresh.
   *
   * @returns The job the server answers with: for a retry, the new job.
   * @throws {CIResponseError} When the server refuses.
   */
  async jobAction(
    project: string,
    job: number,
    action: JobAction
  ): Promise<IJob> {
    const result = await CIApi.jobAction(project, job, action);
    if (project === this._state.project?.id) {
      await this.refresh();
    }
    return result;
  }

  /**
   * Retry or cancel a pipeline; when it belongs to the shown project, show
   * it and refresh.
   *
   * @returns The pipeline the server answers with.
   * @throws {CIResponseError} When the server refuses.
   */
  async pipelineAction(
    project: string,
    pipeline: number,
    action: PipelineAction
  ): Promise<IPipeline> {
    const result = await CIApi.pipelineAction(project, pipeline, action);
    if (project === this._state.project?.id) {
      this._pipelineId = pipeline;
      await this.refresh();
    }
    return result;
  }

  /** A job of the shown pipeline, by id. */
  findJob(id: number): IJob | undefined {
    return this._state.jobs.find(job => job.id === id);
  }

  dispose(): void {
    if (!this.isDisposed) {
      // Stopping clears the pending timer, which the poll's own dispose leaves running.
      void this._poll.stop();
      this._poll.dispose();
      Signal.clearData(this);
    }
  }

  private async _fetch(): Promise<void> {
    const generation = ++this._generation;
    const isStale = () => generation !== this._generation || this.isDisposed;
    try {
      const next = await this._load();
      if (!isStale()) {
        this._update({ ...next, error: null, loaded: true });
      }
    } catch (error) {
      if (!isStale()) {
        this._update({ error: errorMessage(error), loaded: true });
      }
      // Rejecting makes the poll back off.
      throw error;
    }
  }

  private async _load(): Promise<
    Omit<ICIState, 'error' | 'loaded' | 'onlyMine'>
  > {
    const projects = await CIApi.listProjects();
    const project =
      projects.find(p => p.id === this._projectId) ?? projects[0] ?? null;
    if (!project) {
      return {
        projects,
        project,
        pipelines: [],
        pipeline: null,
        jobs: [],
        stages: []
      };
    }
    const pipelines = (
      await CIApi.listPipelines(project.id, {
        onlyMine: this._state.onlyMine
      })
    ).slice(0, MAX_PIPELINES);
    const pipeline =
      pipelines.find(p => p.id === this._pipelineId) ?? pipelines[0] ?? null;
    // Replaced attempts are not shown, but their ids tell the stage order.
    const jobs = pipeline
      ? await CIApi.listJobs(project.id, pipeline.id, { includeRetried: true })
      : [];
    const key = `${project.id}/${pipeline?.id}`;
    const stages = groupJobsByStage(jobs, this._stageOrders.get(key));
    this._stageOrders.set(
      key,
      stages.map(stage => stage.name)
    );
    return { projects, project, pipelines, pipeline, jobs, stages };
  }

  private _update(state: Partial<ICIState>): void {
    this._state = { ...this._state, ...state };
    this._changed.emit();
  }

  private _active = false;
  private _changed = new Signal<this, void>(this);
  private _generation = 0;
  private _pipelineId: number | null = null;
  private _poll: Poll;
  private _projectId: string | null = null;
  /** Stage order seen per pipeline: job objects do not carry it. */
  private _stageOrders = new Map<string, string[]>();
  private _state: ICIState = {
    projects: [],
    project: null,
    pipelines: [],
    pipeline: null,
    jobs: [],
    stages: [],
    onlyMine: false,
    error: null,
    loaded: false
  };
}
