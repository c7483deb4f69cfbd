import { InputDialog } from '@jupyterlab/apputils';

import { CIApi } from './api';
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

/** A job whose shell can be attached to, with where it lives. */
export interface IDebuggableJob {
  project: IProject;
  pipeline: IPipeline;
  job: IJob;
}

const TITLE = 'Open CI job terminal';

/** How many recent pipelines of each project are searched for jobs. */
const RECENT_PIPELINES = 5;

/**
 * List the running (or held) jobs of the recent pipelines of `projects`.
 *
 * Projects that cannot be listed are skipped; if none can, the first error
 * is thrown.
 */
export async function findDebuggableJobs(
  projects: IProject[]
): Promise<IDebuggableJob[]> {
  const errors: unknown[] = [];
  const perProject = await Promise.all(
    projects.map(async project => {
      try {
        const pipelines = await CIApi.listPipelines(project.id);
        const perPipeline = await Promise.all(
          pipelines.slice(0, RECENT_PIPELINES).map(async pipeline => {
            const jobs = await CIApi.listJobs(project.id, pipeline.id);
            return jobs
              .filter(isDebuggable)
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
 * Ask the user which job to attach to, filling in what `hint` lacks.
 *
 * @returns The chosen job, or null when the user cancels.
 * @throws {Error} When no CI project is configured.
 */
export async function pickJob(
  hint: IOpenTerminalArgs = {}
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
    const jobs = await findDebuggableJobs(projects);
    if (jobs.length > 0) {
      return chooseJob(jobs, projects.length > 1);
    }
  }

  const project = await chooseProject(projects);
  if (!project) {
    return null;
  }
  if (hint.job !== undefined) {
    return { project: project.id, job: hint.job };
  }
  const answer = await InputDialog.getNumber({
    title: TITLE,
    label: `No running job was found in ${project.name}. Job ID:`
  });
  const job = answer.value;
  if (!answer.button.accept || job === null || !Number.isInteger(job)) {
    return null;
  }
  return { project: project.id, job };
}

async function chooseJob(
  jobs: IDebuggableJob[],
  showProject: boolean
): Promise<IJobTarget | null> {
  const items = jobs.map(({ project, pipeline, job }) => {
    const where = showProject ? `${project.name}, ` : '';
    const state = job.status === 'running' ? 'running' : 'on hold';
    return `${job.name} #${job.id} (${where}pipeline #${pipeline.id}, ${state})`;
  });
  const answer = await InputDialog.getItem({
    title: TITLE,
    label: 'Job',
    items
  });
  const index = answer.value === null ? -1 : items.indexOf(answer.value);
  if (!answer.button.accept || index < 0) {
    return null;
  }
  return { project: jobs[index].project.id, job: jobs[index].job.id };
}

async function chooseProject(projects: IProject[]): Promise<IProject | null> {
  if (projects.length === 1) {
    return projects[0];
  }
  const items = projects.map(project => `${project.name} (${project.id})`);
  const answer = await InputDialog.getItem({
    title: TITLE,
    label: 'Project',
    items
  });
  const index = answer.value === null ? -1 : items.indexOf(answer.value);
  return answer.button.accept && index >= 0 ? projects[index] : null;
}
