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

/** Id of the plugin rendering `%ci_attach` outputs. */
export const ATTACH_PLUGIN_ID = 'jupyter-ci-terminal:attach-renderer';

/** Command ids. */
export namespace CommandIDs {
  /** Open (or focus) the terminal of a CI job; args `IOpenTerminalArgs`. */
  export const openTerminal = `${NS}:open-terminal`;
  /** Refresh the CI Pipelines panel now. */
  export const refresh = `${NS}:refresh`;
  /** Start a pipeline for the project selected in the CI Pipelines panel. */
  export const runPipeline = `${NS}:run-pipeline`;
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

/** `GET projects` item. */
export interface IProject {
  /** URL-safe id used in REST paths. */
  id: string;
  name: string;
  backend: Backend;
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
  /** True while a finished job is kept alive for debugging. */
  hold?: boolean;
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

/** Arguments of `ci-terminal:open-terminal`; without them the command asks. */
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
}

/** Values used until the settings are loaded (same as `schema/plugin.json`). */
export const DEFAULT_SETTINGS: Readonly<ISettings> = Object.freeze({
  pollInterval: 5,
  openIn: 'tab',
  fontSize: null
});

/** True when a job's shell can be attached to. */
export function isDebuggable(job: IJob): boolean {
  return job.status === 'running' || job.hold === true;
}
