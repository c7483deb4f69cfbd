/**
 * The pure part of the GitLab web-session dialog: when to ask, and where a
 * given session goes. No JupyterLab imports, so it is unit-tested in node.
 *
 * GitLab opens job terminals only for a signed-in browser session (the
 * `_gitlab_session` cookie), never for an API token. The server extension
 * answers `POST terminals` with 403 and one of `WEB_SESSION_REASONS` until
 * the user has given it theirs; it keeps the value in its memory only.
 */

/** The GitLab cookie the dialog asks for. */
export const WEB_SESSION_COOKIE = '_gitlab_session';

/** Error reasons (server error classes) that the web-session dialog answers. */
export const WEB_SESSION_REASONS: readonly string[] = [
  // The user has not given a web session yet.
  'WebSessionRequiredError',
  // GitLab did not accept it (expired, signed out): the server forgot it.
  'WebSessionRefusedError'
];

/** The fields of a `CIResponseError` these helpers read. */
interface IErrorAnswer {
  response?: { status?: unknown };
  reason?: unknown;
  message?: unknown;
}

const answer = (error: unknown): IErrorAnswer | null =>
  typeof error === 'object' && error !== null ? (error as IErrorAnswer) : null;

/** Why the server asks for the user's GitLab web session. */
export interface IWebSessionPrompt {
  /** The server's sentence. */
  message: string;
  /**
   * True when GitLab refused the session the server held (expired, signed
   * out); false when none was given yet, in which case the server's sentence
   * already says why the session is needed and where to find it.
   */
  expired: boolean;
}

/**
 * Whether `error` asks for the user's GitLab web session (HTTP 403 with a
 * `WEB_SESSION_REASONS` reason), and the server's sentence; else null.
 */
export function webSessionPrompt(error: unknown): IWebSessionPrompt | null {
  const found = answer(error);
  if (
    found === null ||
    found.response?.status !== 403 ||
    typeof found.reason !== 'string' ||
    !WEB_SESSION_REASONS.includes(found.reason)
  ) {
    return null;
  }
  const expired = found.reason === 'WebSessionRefusedError';
  const message =
    typeof found.message === 'string' && found.message !== ''
      ? found.message
      : expired
        ? 'GitLab did not accept your web session (expired?): sign in to GitLab again.'
        : 'GitLab needs your web session to open job terminals.';
  return { message, expired };
}

/**
 * The name of the GitLab backend serving a project, as `PUT gitlab/session`
 * expects it in `"backend"`: a GitLab project's id is
 * `<backend name>-<GitLab project id>`. Null for any other id.
 */
export function gitlabBackendName(projectId: string): string | null {
  const match = /^(.+)-\d+$/.exec(projectId);
  return match ? match[1] : null;
}

/** Which GitLab a job's terminal needs the web session of. */
export interface IWebSessionTarget {
  /** The GitLab backend's name (`"backend"` of the calls); null: the only one. */
  backend: string | null;
  /** Its `host[:port]`, when the page has seen it in the project listing. */
  host: string | null;
}

/** The fields of a listed project these helpers read (see `IProject`). */
interface IListedProject {
  id: string;
  backend: string;
  instance?: string;
  host?: string | null;
}

/**
 * The GitLab whose web session a terminal of `projectId` needs: the
 * project's instance as the server listed it, else read from the id.
 */
export function webSessionTarget(
  projectId: string,
  projects: readonly IListedProject[] = []
): IWebSessionTarget {
  const project = projects.find(p => p.id === projectId);
  if (project && project.backend === 'gitlab' && project.instance) {
    return { backend: project.instance, host: project.host ?? null };
  }
  return { backend: gitlabBackendName(projectId), host: null };
}

/** The JSON body of `PUT gitlab/session`. */
export function webSessionBody(
  backend: string | null,
  session: string
): string {
  return JSON.stringify(backend === null ? { session } : { backend, session });
}

/**
 * The sentence to show in the dialog when the server refused a web session
 * (400: not a cookie value; 403: GitLab refused it; 404/502: no such
 * GitLab, or it cannot be reached), or null for an error without an answer
 * (e.g. the network), which the caller describes itself.
 */
export function refusalMessage(error: unknown): string | null {
  const found = answer(error);
  return found !== null &&
    typeof found.response?.status === 'number' &&
    typeof found.message === 'string' &&
    found.message !== ''
    ? found.message
    : null;
}

/** Why the dialog cannot be accepted as filled in, or null when it can. */
export function emptyValueMessage(value: string): string | null {
  return value.trim() === ''
    ? `Paste the value of your ${WEB_SESSION_COOKIE} cookie first.`
    : null;
}
