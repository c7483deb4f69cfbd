import { InputDialog } from '@jupyterlab/apputils';

import { CIApi } from './api';
import { retryDebugState, statusLabel } from './jobs';
import { projectLabel } from './projects';
import {
  IJob,
  IOpenTerminalArgs,
  IPipeline,
  IProject,
  isDebuggable
} from './tokens';

/** A job to open a terminal for. */
export interface IJobTarget {
  project: string;
  job: number;
}

/** A job, with where it lives. */
export interface IFoundJob {
  project: IProject;
  pipeline: IPipeline;
  job: IJob;
}

/** What `pickJob` asks for. */
export interface IPickOptions {
  /** The dialog title. */
  title: string;
  /** Which jobs to offer. */
  filter: (job: IJob) => boolean;
  /** How a job is described in the list, after its name and id. */
  describe: (job: IJob) => string;
  /** The question when no job passes the filter. */
  noneFound: (project: IProject) => string;
}

/** The open-terminal dialog: running (or held) jobs. */
export const DEBUG_PICK: IPickOptions = {
  title: 'Open CI job terminal',
  filter: isDebuggable,
  describe: job => (job.status === 'running' ? 'running' : 'on hold'),
  noneFound: project => `No running job was found in ${project.name}. Job ID:`
};

/** The open-log dialog: every job of the recent pipelines. */
export const LOG_PICK: IPickOptions = {
  title: 'Open CI job log',
  filter: () => true,
  describe: job => job.status.replace(/_/g, ' '),
  noneFound: project => `No job was found in ${project.name}. Job ID:`
};

/** The retry-and-debug dialog: finished jobs, which can be retried. */
export const RETRY_DEBUG_PICK: IPickOptions = {
  title: 'Retry CI job and debug',
  filter: job => retryDebugState(job) !== null,
  describe: job => statusLabel(job.status),
  noneFound: project => `No finished job was found in ${project.name}. Job ID:`
};

/** How many recent pipelines of each project are searched for jobs. */
const RECENT_PIPELINES = 5;

/**
 * List the jobs of the recent pipelines of `projects` that pass `filter`.
 *
 * Projects that cannot be listed are skipped; if none can, the first error
 * is thrown.
 */
export async function findJobs(
  projects: IProject[],
  filter: (job: IJob) => boolean = isDebuggable
): Promise<IFoundJob[]> {
  const errors: unknown[] = [];
  const perProject = await Promise.all(
    projects.map(async project => {
      try {
        const pipelines = await CIApi.listPipelines(project.id);
        const perPipeline = await Promise.all(
          pipelines.slice(0, RECENT_PIPELINES).map(async pipeline => {
            const jobs = await CIApi.listJobs(project.id, pipeline.id);
            return jobs
              .filter(job => !job.retried && filter(job))
              .map(job => ({ project, pipeline, job }));
          })
        );
        return perPipeline.flat();
      } catch (error) {
        errors.push(error);
        return [];
      }
    })
  );
  if (projects.length > 0 && errors.length === projects.length) {
    throw errors[0];
  }
  return perProject.flat();
}

/**
 * Ask the user which job to use, filling in what `hint` lacks.
 *
 * @returns The chosen job, or null when the user cancels.
 * @throws {Error} When no CI project is configured.
 */
export async function pickJob(
  hint: IOpenTerminalArgs = {},
  options: IPickOptions = DEBUG_PICK
): Promise<IJobTarget | null> {
  let projects = await CIApi.listProjects();
  if (hint.project !== undefined) {
    projects = projects.filter(project => project.id === hint.project);
  }
  if (projects.length === 0) {
    throw new Error(
      hint.project === undefined
        ? 'No CI project is configured. Start JupyterLab in a folder that contains a .gitlab-ci.yml, or configure a GitLab project for the server extension.'
        : `There is no CI project "${hint.project}". Check the project id in the CI Pipelines panel.`
    );
  }

  if (hint.job === undefined) {
    const jobs = await findJobs(projects, options.filter);
    if (jobs.length > 0) {
      return chooseJob(jobs, projects.length > 1, options);
    }
  }

  const project = await chooseProject(projects, options.title);
  if (!project) {
    return null;
  }
  if (hint.job !== undefined) {
    return { project: project.id, job: hint.job };
  }
  const answer = await InputDialog.getNumber({
    title: options.title,
    label: options.noneFound(project)
  });
  const job = answer.value;
  if (!answer.button.accept || job === null || !Number.isInteger(job)) {
    return null;
  }
  return { project: project.id, job };
}

async function chooseJob(
  jobs: IFoundJob[],
  showProject: boolean,
  options: IPickOptions
): Promise<IJobTarget | null> {
  const projects = jobs.map(found => found.project);
  const items = jobs.map(({ project, pipeline, job }) => {
    const where = showProject ? `${projectLabel(project, projects)}, ` : '';
    return `${job.name} #${job.id} (${where}pipeline #${pipeline.id}, ${options.describe(job)})`;
  });
  const answer = await InputDialog.getItem({
    title: options.title,
    label: 'Job',
    items
  });
  const index = answer.value === null ? -1 : items.indexOf(answer.value);
  if (!answer.button.accept || index < 0) {
    return null;
  }
  return { project: jobs[index].project.id, job: jobs[index].job.id };
}

/** Ask which project to use; the only one is used without asking. */
export async function chooseProject(
  projects: IProject[],
  title: string
): Promise<IProject | null> {
  if (projects.length === 1) {
    return projects[0];
  }
  const items = projects.map(
    project => `${projectLabel(project, projects)} (${project.id})`
  );
  const answer = await InputDialog.getItem({
    title,
    label: 'Project',
    items
  });
  const index = answer.value === null ? -1 : items.indexOf(answer.value);
  return answer.button.accept && index >= 0 ? projects[index] : null;
}
