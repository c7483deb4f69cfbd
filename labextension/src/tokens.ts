/**
 * Identifiers and REST payload types shared by the CI terminal plugins.
 *
 * Importing this module has no side effects.
 */

/** Namespace of commands and URL paths (`<baseUrl>ci-terminal/...`). */
export const NS = 'ci-terminal';

/** Id of the terminal plugin; also the id of its settings (`schema/plugin.json`). */
export const PLUGIN_ID = 'jupyter-ci-terminal:plugin';

/** Id of the CI Pipelines side panel plugin. */
export const PANEL_PLUGIN_ID = 'jupyter-ci-terminal:panel';

/** Id of the job log viewer plugin. */
export const LOG_PLUGIN_ID = 'jupyter-ci-terminal:logs';

/** Id of the plugin opening the job tab a page URL names. */
export const LINK_PLUGIN_ID = 'jupyter-ci-terminal:open-from-url';

/** Id of the plugin rendering `%ci_attach` outputs. */
export const ATTACH_PLUGIN_ID = 'jupyter-ci-terminal:attach-renderer';

/** Command ids. */
export namespace CommandIDs {
  /** Open (or focus) the terminal of a CI job; args `IOpenTerminalArgs`. */
  export const openTerminal = `${NS}:open-terminal`;
  /** Open (or focus) the log of a CI job; args `IOpenTerminalArgs`. */
  export const openLog = `${NS}:open-log`;
  /** Show the CI Pipelines panel. */
  export const showPipelines = `${NS}:show-pipelines`;
  /** Refresh the CI Pipelines panel now. */
  export const refresh = `${NS}:refresh`;
  /** Start a pipeline for the project selected in the CI Pipelines panel. */
  export const runPipeline = `${NS}:run-pipeline`;
  /** Show only the pipelines the user started in the CI Pipelines panel, or all again. */
  export const toggleMyPipelines = `${NS}:toggle-my-pipelines`;
  /** Retry a finished job; args `{project, job}`. */
  export const retryJob = `${NS}:retry-job`;
  /** Cancel a job that has not finished; args `{project, job}`. */
  export const cancelJob = `${NS}:cancel-job`;
  /** Start a manual job; args `{project, job}`. */
  export const playJob = `${NS}:play-job`;
  /**
   * Retry a finished job and open the new job's terminal as soon as it runs;
   * args `{project, job}` (else asks).
   */
  export const retryDebugJob = `${NS}:retry-debug-job`;
  /**
   * End debugging: end a held job's hold, so it finishes with its script's
   * status; args `{project, job}` (else asks).
   */
  export const endHold = `${NS}:end-hold`;
  /** Retry the failed and canceled jobs of a pipeline; args `{project, pipeline}`. */
  export const retryPipeline = `${NS}:retry-pipeline`;
  /** Cancel the unfinished jobs of a pipeline; args `{project, pipeline}`. */
  export const cancelPipeline = `${NS}:cancel-pipeline`;
  /** Make the server forget the user's GitLab web session; args `{backend?}` (else asks). */
  export const forgetWebSession = `${NS}:forget-gitlab-session`;
}

/** Where a project's pipelines run. */
export type Backend = 'local' | 'gitlab';

/** GitLab's pipeline and job statuses. */
export type CIStatus =
  | 'created'
  | 'waiting_for_resource'
  | 'preparing'
  | 'pending'
  | 'running'
  | 'success'
  | 'failed'
  | 'canceling'
  | 'canceled'
  | 'skipped'
  | 'manual'
  | 'scheduled';

/** Job actions the server accepts at `POST projects/<p>/jobs/<id>/<action>`. */
export type JobAction = 'retry' | 'cancel' | 'play';

/** The command running each job action. */
export const JOB_ACTION_COMMANDS: Readonly<Record<JobAction, string>> = {
  retry: CommandIDs.retryJob,
  cancel: CommandIDs.cancelJob,
  play: CommandIDs.playJob
};

/** Pipeline actions the server accepts at `POST projects/<p>/pipelines/<id>/<action>`. */
export type PipelineAction = 'retry' | 'cancel';

/** The command running each pipeline action. */
export const PIPELINE_ACTION_COMMANDS: Readonly<
  Record<PipelineAction, string>
> = {
  retry: CommandIDs.retryPipeline,
  cancel: CommandIDs.cancelPipeline
};

/** `GET projects` item. */
export interface IProject {
  /** URL-safe id used in REST paths. */
  id: string;
  name: string;
  backend: Backend;
  /**
   * The CI backend serving the project: `local`, `gitlab` or the name of
   * another GitLab instance (what the web-session calls take as `backend`).
   */
  instance: string;
  /** `host[:port]` of the project's GitLab; null for the local runner. */
  host: string | null;
  /**
   * Names the project across server restarts (a hash of the local runner's
   * folder, a GitLab URL and project path): restored tabs are keyed by it.
   */
  identity?: string;
}

/** A GitLab pipeline object (the fields the frontend uses). */
export interface IPipeline {
  id: number;
  status: CIStatus;
  ref: string;
  sha: string;
  created_at: string;
  updated_at: string | null;
  duration: number | null;
}

/** A GitLab job object (the fields the frontend uses). */
export interface IJob {
  id: number;
  name: string;
  stage: string;
  status: CIStatus;
  started_at: string | null;
  finished_at: string | null;
  duration: number | null;
  allow_failure: boolean;
  /**
   * True while the job is kept running after its script (local runner:
   * `CI_DEBUG_HOLD`, or retention while a terminal is attached).
   */
  hold?: boolean;
  /** Why it is held: `on_failure`, `always` (CI_DEBUG_HOLD) or `retention`. */
  hold_reason?: 'on_failure' | 'always' | 'retention' | null;
  /** ISO 8601 UTC: when the hold ends by timeout. */
  hold_until?: string | null;
  /** The status a held job ends with (its script's): shown instead of `running`. */
  hold_status?: CIStatus | null;
  /** True for an attempt that was replaced by a retry. */
  retried?: boolean;
  /** Whether the job's shell can be opened, when the backend knows (GitLab). */
  terminal?: IJobTerminal;
  /** True while the job's ci-terminal-agent is connected: its shell opens through it. */
  agent?: boolean;
  /**
   * The status of the job's stage, composed by the server with GitLab's rule
   * (pipeline-jobs route only): the Lab never composes statuses itself.
   */
  stage_status?: CIStatus | null;
  /** Local runner: why the job still waits (one sentence), else null. */
  pending_reason?: string | null;
}

/** `IJob.terminal`: can a terminal be opened for this job, and if not, why. */
export interface IJobTerminal {
  available: boolean;
  /** One sentence saying why not, when `available` is false. */
  reason: string;
}

/** `POST terminals` / `GET terminals` item: a server-side terminal session. */
export interface ITerminalSession {
  /** Session name; the websocket is `<wsUrl>ci-terminal/terminals/websocket/<name>`. */
  name: string;
  project: string;
  job: number;
  job_name: string;
  /** Tab title, `CI: <job name> #<id>`. */
  title: string;
  /** `host:port` of the runner serving the job's shell. */
  runner?: string;
  /** How many browser tabs are attached to the session. */
  viewers?: number;
  /** Whether the remote terminal follows the tab's size. */
  resizable?: boolean;
  /** Why the session ended, or null while it is open. */
  ended?: string | null;
  /** True once the server forgot the ended session: only its recording is left. */
  forgotten?: boolean;
  /** Whether the session is recorded (`GET terminals/<name>/recording`). */
  recording?: boolean;
  /** Whether the session accepts `["ack", n]` from its tabs (see `flowcontrol`). */
  acks?: boolean;
}

/** MIME type of `%ci_attach` / `Job.attach()` outputs (`IAttachment`). */
export const ATTACH_MIME_TYPE =
  'application/vnd.jupyter-ci-terminal.attach+json';

/** Payload of `ATTACH_MIME_TYPE`: a job's terminal session, open on the server. */
export interface IAttachment {
  project: string;
  job: number;
  name: string;
  title: string;
  status: CIStatus;
}

/** Arguments of the job commands; without them the command asks. */
export interface IOpenTerminalArgs {
  project?: string;
  job?: number;
}

/** User settings of `jupyter-ci-terminal:plugin`. */
export interface ISettings {
  /** Seconds between refreshes of the CI Pipelines panel while it is visible. */
  pollInterval: number;
  /** Where a new job terminal opens in the main area. */
  openIn: 'tab' | 'split-right';
  /** Terminal font size in pixels; null keeps JupyterLab's terminal setting. */
  fontSize: number | null;
  /** Whether the CI Pipelines panel lists only the pipelines the user started. */
  onlyMyPipelines: boolean;
}

/** Values used until the settings are loaded (same as `schema/plugin.json`). */
export const DEFAULT_SETTINGS: Readonly<ISettings> = Object.freeze({
  pollInterval: 5,
  openIn: 'tab',
  fontSize: null,
  onlyMyPipelines: false
});

/** True when a job's shell can be attached to. */
export function isDebuggable(job: IJob): boolean {
  if (job.agent === true) {
    return true;
  }
  return (
    (job.status === 'running' || job.hold === true) &&
    job.terminal?.available !== false
  );
}

/** The Jupyter event a kernel's %ci_attach emits to open a job's terminal tab. */
export const OPEN_TERMINAL_EVENT =
  'https://events.jupyter.org/jupyter_ci_terminal/open-terminal/v1';
