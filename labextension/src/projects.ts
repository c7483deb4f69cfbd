/**
 * What the panel shows about projects when several CI backends serve them:
 * groups by instance, labels that tell same-named projects apart, and the
 * pipelines query of the "Only my pipelines" filter. Pure functions.
 */

import { IProject } from './tokens';

/** Projects of one CI backend (the local runner or one GitLab instance). */
export interface IProjectGroup {
  /** The backend's name, as `IProject.instance`. */
  instance: string;
  /** How the group is titled: the GitLab's host, or "Local runner". */
  label: string;
  projects: IProject[];
}

/** A GitLab instance the page has seen projects of. */
export interface IGitLabInstance {
  /** Its name, the `backend` of the web-session calls. */
  name: string;
  /** Its `host[:port]`, or null when unknown. */
  host: string | null;
}

/** The group title of a project's backend. */
export function instanceLabel(project: IProject): string {
  if (project.backend === 'local') {
    return 'Local runner';
  }
  return project.host ?? project.instance;
}

/**
 * Group projects by the backend serving them, in the order the server
 * lists them (the local runner first, then each GitLab).
 */
export function groupByInstance(
  projects: readonly IProject[]
): IProjectGroup[] {
  const groups = new Map<string, IProjectGroup>();
  for (const project of projects) {
    const key = project.instance ?? project.backend;
    let group = groups.get(key);
    if (!group) {
      group = { instance: key, label: instanceLabel(project), projects: [] };
      groups.set(key, group);
    }
    group.projects.push(project);
  }
  return [...groups.values()];
}

/** Whether the projects come from more than one CI backend. */
export function spansInstances(projects: readonly IProject[]): boolean {
  return groupByInstance(projects).length > 1;
}

/**
 * A project's name, with where it lives when `projects` has another one
 * of the same name (e.g. `acme/app (gitlab.work.example)`).
 */
export function projectLabel(
  project: IProject,
  projects: readonly IProject[] = []
): string {
  const twin = projects.some(
    other => other.id !== project.id && other.name === project.name
  );
  return twin ? `${project.name} (${instanceLabel(project)})` : project.name;
}

/** The GitLab instances among `projects`, each once, in listing order. */
export function gitlabInstances(
  projects: readonly IProject[]
): IGitLabInstance[] {
  const found = new Map<string, IGitLabInstance>();
  for (const project of projects) {
    if (project.backend === 'gitlab' && !found.has(project.instance)) {
      found.set(project.instance, {
        name: project.instance,
        host: project.host ?? null
      });
    }
  }
  return [...found.values()];
}

/** The query of `GET projects/<p>/pipelines`: `?scope=mine` when filtered. */
export function pipelinesQuery(onlyMine: boolean): string {
  return onlyMine ? '?scope=mine' : '';
}
