import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import {
  IJob,
  IPipeline,
  IProject,
  ITerminalSession,
  JobAction,
  NS,
  PipelineAction
} from './tokens';
import { pipelinesQuery } from './projects';
import { webSessionBody } from './websession';

/**
 * An error answer of the CI terminal REST API.
 *
 * The server answers `{"message": <sentence>, "reason": <error class>}`;
 * `reason` tells e.g. an administrator's `ForbiddenError` from a refusal by
 * GitLab (`WebSessionRequiredError`).
 */
export class CIResponseError extends ServerConnection.ResponseError {
  constructor(
    response: Response,
    message: string,
    readonly reason: string | null
  ) {
    super(response, message);
  }

  /** Read the error from a failed response. */
  static async create(response: Response): Promise<CIResponseError> {
    let message = `Invalid response: ${response.status} ${response.statusText}`;
    let reason: string | null = null;
    try {
      const data = JSON.parse(await response.text());
      if (typeof data?.message === 'string' && data.message !== '') {
        message = data.message;
      }
      reason = typeof data?.reason === 'string' ? data.reason : null;
    } catch {
      // Not JSON (e.g. a proxy's HTML page): keep the status line.
    }
    return new CIResponseError(response, message, reason);
  }
}

/**
 * Why the server refuses every CI terminal (an administrator switched them
 * off), or null when `error` says something else.
 */
export function terminalsDisabledReason(error: unknown): string | null {
  return error instanceof CIResponseError &&
    error.response.status === 403 &&
    error.reason === 'ForbiddenError'
    ? error.message
    : null;
}

/**
 * Call the CI terminal REST API at `<baseUrl>ci-terminal/api/<endPoint>`.
 *
 * Token and XSRF headers come from `ServerConnection`. A string `body` is
 * sent as JSON.
 *
 * @param endPoint - Path below `ci-terminal/api/`, already URL-encoded.
 * @param init - Fetch options.
 * @param settings - Server settings; defaults to the page's.
 * @returns The decoded JSON body, the text of a non-JSON body, or
 *   `undefined` for an empty body (e.g. 204).
 * @throws {ServerConnection.NetworkError} When the server cannot be reached.
 * @throws {CIResponseError} When the server answers with an error status;
 *   `message` is the server's error message when it sent one.
 */
export async function requestAPI<T>(
  endPoint = '',
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const url = URLExt.join(settings.baseUrl, NS, 'api', endPoint);
  const headers = new Headers(init.headers);
  if (typeof init.body === 'string' && !headers.has('Content-Type')) {
    headers.set('Content-Type', 'application/json');
  }
  const response = await ServerConnection.makeRequest(
    url,
    { ...init, headers },
    settings
  );
  if (!response.ok) {
    throw await CIResponseError.create(response);
  }
  const text = await response.text();
  if (text === '') {
    return undefined as T;
  }
  const type = response.headers.get('Content-Type') ?? '';
  return (type.includes('json') ? JSON.parse(text) : text) as T;
}

/** Server settings whose `baseUrl`/`wsUrl` point below `ci-terminal/`. */
export function terminalServerSettings(): ServerConnection.ISettings {
  const base = ServerConnection.makeSettings();
  return ServerConnection.makeSettings({
    baseUrl: URLExt.join(base.baseUrl, NS) + '/',
    wsUrl: URLExt.join(base.wsUrl, NS) + '/'
  });
}

/** Human-readable sentence for an error thrown by `requestAPI`. */
export function errorMessage(error: unknown): string {
  if (error instanceof ServerConnection.NetworkError) {
    return 'The Jupyter server cannot be reached. Check that it is still running.';
  }
  if (error instanceof ServerConnection.ResponseError) {
    if (error.message.startsWith('Invalid response: 404')) {
      return 'The CI terminal server extension is not answering (404). Check that jupyter_ci_terminal is enabled in `jupyter server extension list`.';
    }
    return `${error.message} (HTTP ${error.response.status})`;
  }
  return error instanceof Error ? error.message : String(error);
}

const path = (...parts: (string | number)[]): string =>
  parts.map(part => encodeURIComponent(String(part))).join('/');

const post = (body: unknown = {}): RequestInit => ({
  method: 'POST',
  body: JSON.stringify(body)
});

/** Typed calls of the CI terminal REST API. */
export namespace CIApi {
  /** List the configured CI projects. */
  export function listProjects(): Promise<IProject[]> {
    return requestAPI<IProject[]>('projects');
  }

  /**
   * List a project's recent pipelines, newest first; with `onlyMine`, those
   * the user started.
   */
  export async function listPipelines(
    project: string,
    { onlyMine = false }: { onlyMine?: boolean } = {}
  ): Promise<IPipeline[]> {
    const pipelines = await requestAPI<IPipeline[]>(
      path('projects', project, 'pipelines') + pipelinesQuery(onlyMine)
    );
    return [...pipelines].sort((a, b) => b.id - a.id);
  }

  /** Start a pipeline, on `ref` or the project's default branch. */
  export function createPipeline(
    project: string,
    ref?: string
  ): Promise<IPipeline> {
    return requestAPI<IPipeline>(
      path('projects', project, 'pipelines'),
      post(ref ? { ref } : {})
    );
  }

  /** Retry or cancel a pipeline; answers the pipeline. */
  export function pipelineAction(
    project: string,
    pipeline: number,
    action: PipelineAction
  ): Promise<IPipeline> {
    return requestAPI<IPipeline>(
      path('projects', project, 'pipelines', pipeline, action),
      post()
    );
  }

  /**
   * List the jobs of a pipeline.
   *
   * With `includeRetried`, attempts replaced by a retry are listed too
   * (`retried: true`), when the server passes the option on.
   */
  export function listJobs(
    project: string,
    pipeline: number,
    { includeRetried = false }: { includeRetried?: boolean } = {}
  ): Promise<IJob[]> {
    const query = includeRetried ? '?include_retried=true' : '';
    return requestAPI<IJob[]>(
      path('projects', project, 'pipelines', pipeline, 'jobs') + query
    );
  }

  /** Get one job. */
  export function getJob(project: string, job: number): Promise<IJob> {
    return requestAPI<IJob>(path('projects', project, 'jobs', job));
  }

  /** Get a job's log as plain text. */
  export function getTrace(project: string, job: number): Promise<string> {
    return requestAPI<string>(path('projects', project, 'jobs', job, 'trace'));
  }

  /** Retry, cancel or play a job. */
  export function jobAction(
    project: string,
    job: number,
    action: JobAction
  ): Promise<IJob> {
    return requestAPI<IJob>(
      path('projects', project, 'jobs', job, action),
      post()
    );
  }

  /**
   * Retry a job whose retry stays open after a failed script
   * (`CI_DEBUG_HOLD=on_failure` for that retry only): local runner only,
   * GitLab answers 400 with why.
   */
  export function retryWithHold(project: string, job: number): Promise<IJob> {
    return requestAPI<IJob>(
      path('projects', project, 'jobs', job, 'retry'),
      post({ hold: 'on_failure' })
    );
  }

  /** End debugging: end a held job's hold; it finishes with its script's status. */
  export function endHold(project: string, job: number): Promise<IJob> {
    return requestAPI<IJob>(
      path('projects', project, 'jobs', job, 'end_hold'),
      post()
    );
  }

  /** Create (or find) the terminal session of a job. */
  export function createTerminal(
    project: string,
    job: number
  ): Promise<ITerminalSession> {
    return requestAPI<ITerminalSession>('terminals', post({ project, job }));
  }

  /** Get one terminal session (`ended` says why it closed, if it did). */
  export function getTerminal(name: string): Promise<ITerminalSession> {
    return requestAPI<ITerminalSession>(path('terminals', name));
  }

  /** List the server's terminal sessions. */
  export function listTerminals(): Promise<ITerminalSession[]> {
    return requestAPI<ITerminalSession[]>('terminals');
  }

  /** End a terminal session on the server. */
  export async function deleteTerminal(name: string): Promise<void> {
    await requestAPI<void>(path('terminals', name), { method: 'DELETE' });
  }

  /** `?backend=` of the web-session calls; none: the only GitLab backend. */
  const backendQuery = (backend?: string | null): string =>
    backend ? `?backend=${encodeURIComponent(backend)}` : '';

  /**
   * Give the Jupyter server the user's GitLab web session (the value of the
   * `_gitlab_session` cookie). Resolves once GitLab accepted it; the server
   * keeps it in memory and never sends it back.
   *
   * @param backend - Name of the GitLab backend; null: the only one.
   * @throws {CIResponseError} 400 when `session` is not a cookie value, 403
   *   (`WebSessionRefusedError`) when GitLab refused it, 404 when there is no
   *   such GitLab backend, 502 when GitLab cannot be reached.
   */
  export async function giveWebSession(
    backend: string | null,
    session: string
  ): Promise<void> {
    await requestAPI<void>('gitlab/session', {
      method: 'PUT',
      body: webSessionBody(backend, session)
    });
  }

  /** Make the server forget the user's GitLab web session. */
  export async function forgetWebSession(
    backend?: string | null
  ): Promise<void> {
    await requestAPI<void>('gitlab/session' + backendQuery(backend), {
      method: 'DELETE'
    });
  }
}
