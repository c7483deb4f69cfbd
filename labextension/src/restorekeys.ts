import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { IProject } from './tokens';

/**
 * What a CI tab saves to be restored after a reload.
 *
 * `identity` names the job's project the same way across server restarts
 * (`IProject.identity`): the REST id (`local`, `gitlab-42`) may name another
 * project on the next server, whose job of the same number is not this one.
 */
export interface IRestoreKey {
  identity: string;
  job: number;
  /** The tab's title, to keep it before the job is fetched and to name it in a notice. */
  title: string;
  /** A terminal's session name, to show an ended session's last screen. */
  name?: string;
}

/** The project identity of a listed project (older servers send none). */
export function identityOf(project: IProject): string {
  return project.identity ?? `${project.instance}:${project.id}`;
}

/** The REST id of the served project with `identity`, or null when none is. */
export function projectWithIdentity(
  projects: readonly IProject[],
  identity: string
): string | null {
  return projects.find(project => identityOf(project) === identity)?.id ?? null;
}

/**
 * Read a saved restore key; null for what cannot be trusted, e.g. a tab
 * saved before tabs were keyed by project identity.
 */
export function readRestoreKey(
  args: ReadonlyPartialJSONObject
): IRestoreKey | null {
  const { identity, job, title, name } = args;
  if (typeof identity !== 'string' || identity === '') {
    return null;
  }
  if (typeof job !== 'number' || !Number.isInteger(job) || job <= 0) {
    return null;
  }
  return {
    identity,
    job,
    title: typeof title === 'string' && title !== '' ? title : `#${job}`,
    ...(typeof name === 'string' && name !== '' ? { name } : {})
  };
}

/** The one notice naming the tabs a reload could not restore. */
export function droppedNotice(titles: readonly string[]): string {
  if (titles.length === 1) {
    return (
      `The tab "${titles[0]}" was not restored: its CI project is not ` +
      'served by this Jupyter server, or its session has ended.'
    );
  }
  const names = titles.map(title => `"${title}"`).join(', ');
  return (
    `${titles.length} tabs were not restored (${names}): their CI project ` +
    'is not served by this Jupyter server, or their session has ended.'
  );
}
