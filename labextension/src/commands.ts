import { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification, showErrorMessage } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { CIApi, errorMessage } from './api';
import {
  followStep,
  followUntilRunning,
  outcomeMessage,
  waitingMessage
} from './follow';
import { ciIcon } from './icons';
import { terminalsBlocked } from './jobs';
import { CILogs, CILogWidget } from './log';
import { CIModel } from './model';
import {
  chooseProject,
  IJobTarget,
  LOG_PICK,
  pickJob,
  RETRY_DEBUG_PICK
} from './picker';
import { WebSessionStatus, withWebSession } from './sessiondialog';
import { CITerminals, CITerminalWidget } from './terminal';
import {
  CommandIDs,
  IJob,
  IOpenTerminalArgs,
  IPipeline,
  JOB_ACTION_COMMANDS,
  JobAction,
  PIPELINE_ACTION_COMMANDS,
  PipelineAction,
  PLUGIN_ID
} from './tokens';

/** Argument schema of the commands that act on one job. */
const JOB_ARGS = {
  type: 'object',
  properties: {
    project: {
      type: 'string',
      description: 'Project id, as listed by GET ci-terminal/api/projects'
    },
    job: { type: 'integer', description: 'CI job id' },
    fromContextMenu: {
      type: 'boolean',
      description: 'Use the job row the context menu was opened on'
    }
  }
};

/** Argument schema of the commands that act on one pipeline. */
const PIPELINE_ARGS = {
  type: 'object',
  properties: {
    project: {
      type: 'string',
      description: 'Project id, as listed by GET ci-terminal/api/projects'
    },
    pipeline: { type: 'integer', description: 'CI pipeline id' },
    fromContextMenu: {
      type: 'boolean',
      description: 'Use the pipeline row the context menu was opened on'
    }
  }
};

/**
 * The pipeline the args name, or, for a context menu item, the pipeline row
 * the menu was opened on (`.jp-CIPanel-pipeline[data-project][data-pipeline]`).
 */
function pipelineTarget(
  app: JupyterFrontEnd,
  args: ReadonlyPartialJSONObject
): { project: string; pipeline: number } | null {
  let project: unknown = args.project;
  let pipeline: unknown = args.pipeline;
  if (args.fromContextMenu) {
    const row = app.contextMenuHitTest(
      node =>
        node.dataset.pipeline !== undefined &&
        node.dataset.project !== undefined
    );
    project = row?.dataset.project;
    pipeline = row?.dataset.pipeline;
  }
  const id =
    typeof pipeline === 'number' || typeof pipeline === 'string'
      ? Number(pipeline)
      : NaN;
  return typeof project === 'string' &&
    project !== '' &&
    Number.isInteger(id) &&
    id > 0
    ? { project, pipeline: id }
    : null;
}

/** Read `IOpenTerminalArgs` from command args; a job id may be a string. */
function openTerminalArgs(args: ReadonlyPartialJSONObject): IOpenTerminalArgs {
  const project =
    typeof args.project === 'string' && args.project !== ''
      ? args.project
      : undefined;
  const job =
    typeof args.job === 'number' || typeof args.job === 'string'
      ? Number(args.job)
      : NaN;
  return Number.isInteger(job) && job > 0 ? { project, job } : { project };
}

/**
 * The job the args name, or, for a context menu item, the job row the menu
 * was opened on (`.jp-CIPanel-job[data-project][data-job]`).
 */
function jobTarget(
  app: JupyterFrontEnd,
  args: ReadonlyPartialJSONObject
): IJobTarget | null {
  if (args.fromContextMenu) {
    const row = app.contextMenuHitTest(
      node =>
        node.dataset.job !== undefined && node.dataset.project !== undefined
    );
    return row
      ? { project: row.dataset.project!, job: Number(row.dataset.job) }
      : null;
  }
  const { project, job } = openTerminalArgs(args);
  return project !== undefined && job !== undefined ? { project, job } : null;
}

/**
 * Register `ci-terminal:open-terminal`.
 *
 * When GitLab needs the user's web session for a job's terminal, the command
 * asks for it (see `withWebSession`) and tries again; restoring a tab after
 * a page reload never asks.
 */
export function addTerminalCommands(
  app: JupyterFrontEnd,
  terminals: CITerminals,
  webSessions?: WebSessionStatus
): void {
  const caption = 'Open the live shell of a running CI job in a terminal tab';
  app.commands.addCommand(CommandIDs.openTerminal, {
    label: args =>
      args.isLauncher
        ? 'CI Job Terminal'
        : args.isPalette
          ? 'CI: Open job terminal…'
          : args.fromContextMenu
            ? 'Debug'
            : 'Open CI job terminal',
    caption: () => terminals.disabledReason ?? caption,
    icon: args => (args.isPalette ? undefined : ciIcon),
    isEnabled: () => terminals.disabledReason === null,
    describedBy: {
      args: {
        ...JOB_ARGS,
        properties: {
          ...JOB_ARGS.properties,
          name: {
            type: 'string',
            description: 'Session name, to show an ended session on restore'
          },
          restore: {
            type: 'boolean',
            description:
              'Re-open a tab after a page reload; failures are only logged'
          }
        }
      }
    },
    execute: async (args): Promise<CITerminalWidget | null | undefined> => {
      const hint = openTerminalArgs(args);
      try {
        if (args.restore && hint.project && hint.job) {
          const name = typeof args.name === 'string' ? args.name : undefined;
          return await terminals.restore(hint.project, hint.job, name);
        }
        const target =
          jobTarget(app, args) ??
          (args.fromContextMenu ? null : await pickJob(hint));
        if (target) {
          return await withWebSession(
            () => terminals.openJobTerminal(target.project, target.job),
            target.project,
            webSessions
          );
        }
      } catch (error) {
        if (args.restore) {
          console.warn('A CI job terminal could not be restored', error);
        } else {
          await showErrorMessage(
            'Cannot open the CI job terminal',
            errorMessage(error)
          );
        }
      }
      return undefined;
    }
  });
  terminals.disabledChanged.connect(() =>
    app.commands.notifyCommandChanged(CommandIDs.openTerminal)
  );
}

/** Register `ci-terminal:open-log`. */
export function addLogCommands(app: JupyterFrontEnd, logs: CILogs): void {
  app.commands.addCommand(CommandIDs.openLog, {
    label: args =>
      args.isPalette
        ? 'CI: Open job log…'
        : args.fromContextMenu
          ? 'Open Log'
          : 'Open CI job log',
    caption: 'Show the log of a CI job, following it while the job runs',
    describedBy: {
      args: {
        ...JOB_ARGS,
        properties: {
          ...JOB_ARGS.properties,
          restore: {
            type: 'boolean',
            description: 'Re-open a tab after a page reload, in the background'
          }
        }
      }
    },
    execute: async (args): Promise<CILogWidget | null | undefined> => {
      try {
        const target =
          jobTarget(app, args) ??
          (args.fromContextMenu
            ? null
            : await pickJob(openTerminalArgs(args), LOG_PICK));
        if (target) {
          return logs.open(target.project, target.job, {
            activate: !args.restore
          });
        }
      } catch (error) {
        await showErrorMessage(
          'Cannot open the CI job log',
          errorMessage(error)
        );
      }
      return undefined;
    }
  });
}

/** The label of each job action. */
const ACTION_LABELS: Record<JobAction, string> = {
  retry: 'Retry',
  cancel: 'Cancel',
  play: 'Play'
};

/** The label of each pipeline action. */
const PIPELINE_ACTION_LABELS: Record<PipelineAction, string> = {
  retry: 'Retry',
  cancel: 'Cancel'
};

/**
 * Register the commands of the CI Pipelines panel, which `show` reveals.
 *
 * A job or pipeline row's context menu offers an action when the row's
 * `data-action` names it (see `view.ts`). "Only my pipelines" is the
 * `onlyMyPipelines` setting, so it lasts; without a setting registry it
 * lasts until the page is reloaded.
 */
export function addPanelCommands(
  app: JupyterFrontEnd,
  model: CIModel,
  show: () => void,
  registry: ISettingRegistry | null = null
): void {
  app.commands.addCommand(CommandIDs.toggleMyPipelines, {
    label: args =>
      args.isPalette ? 'CI: Only my pipelines' : 'Only my pipelines',
    caption:
      'List only the pipelines you started in the CI Pipelines panel, or everyone’s again',
    isToggled: () => model.onlyMine,
    execute: async () => {
      const onlyMine = !model.onlyMine;
      if (registry) {
        try {
          // The settings watcher hands the new value to the model.
          await registry.set(PLUGIN_ID, 'onlyMyPipelines', onlyMine);
          return;
        } catch (error) {
          console.warn('The onlyMyPipelines setting could not be saved', error);
        }
      }
      model.onlyMine = onlyMine;
    }
  });
  let shown = model.onlyMine;
  model.changed.connect(() => {
    if (model.onlyMine !== shown) {
      shown = model.onlyMine;
      app.commands.notifyCommandChanged(CommandIDs.toggleMyPipelines);
    }
  });

  app.commands.addCommand(CommandIDs.showPipelines, {
    label: args =>
      args.isPalette ? 'CI: Show pipelines' : 'Show CI Pipelines',
    caption: 'Show the CI Pipelines panel',
    icon: args => (args.isPalette ? undefined : ciIcon),
    execute: () => show()
  });

  app.commands.addCommand(CommandIDs.refresh, {
    label: args =>
      args.isPalette ? 'CI: Refresh pipelines' : 'Refresh CI pipelines',
    caption: 'Fetch projects, pipelines and jobs now',
    execute: () => model.refresh()
  });

  app.commands.addCommand(CommandIDs.runPipeline, {
    label: args => (args.isPalette ? 'CI: Run pipeline' : 'Run CI pipeline'),
    caption:
      'Start a pipeline for the project shown in the CI Pipelines panel, on its default branch',
    describedBy: {
      args: {
        type: 'object',
        properties: {
          project: { type: 'string', description: 'Project id' },
          ref: {
            type: 'string',
            description: 'Branch or tag; default branch if omitted'
          }
        }
      }
    },
    execute: async args => {
      try {
        let project =
          typeof args.project === 'string'
            ? args.project
            : model.state.project?.id;
        if (project === undefined) {
          const chosen = await chooseProject(
            await CIApi.listProjects(),
            'Run CI pipeline'
          );
          project = chosen?.id;
        }
        if (project === undefined) {
          return null;
        }
        const ref = typeof args.ref === 'string' ? args.ref : undefined;
        const pipeline = await model.runPipeline(project, ref);
        show();
        return pipeline;
      } catch (error) {
        await showErrorMessage('Cannot start a pipeline', errorMessage(error));
        return null;
      }
    }
  });

  for (const [action, id] of Object.entries(JOB_ACTION_COMMANDS) as [
    JobAction,
    string
  ][]) {
    const label = ACTION_LABELS[action];
    app.commands.addCommand(id, {
      label: args => (args.fromContextMenu ? label : `${label} CI job`),
      caption: `${label} a CI job`,
      describedBy: { args: JOB_ARGS },
      execute: async (args): Promise<IJob | null> => {
        const target = jobTarget(app, args);
        if (!target) {
          return null;
        }
        try {
          return await model.jobAction(target.project, target.job, action);
        } catch (error) {
          await showErrorMessage(
            `Could not ${action} job #${target.job}`,
            errorMessage(error)
          );
          return null;
        }
      }
    });
  }

  for (const [action, id] of Object.entries(PIPELINE_ACTION_COMMANDS) as [
    PipelineAction,
    string
  ][]) {
    const label = PIPELINE_ACTION_LABELS[action];
    app.commands.addCommand(id, {
      label: args =>
        args.fromContextMenu ? `${label} Pipeline` : `${label} CI pipeline`,
      caption:
        action === 'retry'
          ? 'Retry the failed and canceled jobs of a CI pipeline'
          : 'Cancel the jobs of a CI pipeline that have not finished',
      describedBy: { args: PIPELINE_ARGS },
      execute: async (args): Promise<IPipeline | null> => {
        const target = pipelineTarget(app, args);
        if (!target) {
          return null;
        }
        try {
          return await model.pipelineAction(
            target.project,
            target.pipeline,
            action
          );
        } catch (error) {
          await showErrorMessage(
            `Could not ${action} pipeline #${target.pipeline}`,
            errorMessage(error)
          );
          return null;
        }
      }
    });
  }
}

/**
 * Register `ci-terminal:retry-debug-job`: retry a finished job, follow the
 * new job until it runs, then open its terminal through
 * `ci-terminal:open-terminal`, so that the user lands in its shell as it
 * starts (GitLab has no `CI_DEBUG_HOLD` to keep a failed job open).
 *
 * While waiting, a notification shows the new job's state and can stop the
 * wait; when the job ends or becomes manual first, it says so. Disabled,
 * like Debug, while the server refuses every terminal.
 *
 * @returns What stops the waits under way and removes the command.
 */
export function addRetryDebugCommand(
  app: JupyterFrontEnd,
  model: CIModel
): { dispose(): void } {
  const id = CommandIDs.retryDebugJob;
  const { commands } = app;
  /** The waits under way, by retried job: a second click starts none. */
  const waits = new Map<string, AbortController>();
  const command = commands.addCommand(id, {
    label: args =>
      args.isPalette
        ? 'CI: Retry job and debug…'
        : args.fromContextMenu
          ? 'Retry and Debug'
          : 'Retry CI job and debug',
    caption: () =>
      terminalsBlocked(commands) ??
      "Retry a finished CI job and open the new job's terminal as soon as it runs",
    isEnabled: () => terminalsBlocked(commands) === null,
    describedBy: { args: JOB_ARGS },
    execute: async (args): Promise<CITerminalWidget | null> => {
      let target: IJobTarget | null;
      try {
        target =
          jobTarget(app, args) ??
          (args.fromContextMenu
            ? null
            : await pickJob(openTerminalArgs(args), RETRY_DEBUG_PICK));
      } catch (error) {
        await showErrorMessage('Cannot retry a CI job', errorMessage(error));
        return null;
      }
      if (!target) {
        return null;
      }
      const key = `${target.project}/${target.job}`;
      if (waits.has(key)) {
        return null;
      }
      const controller = new AbortController();
      waits.set(key, controller);
      try {
        return await retryAndDebug(app, model, target, controller);
      } finally {
        waits.delete(key);
      }
    }
  });
  // Enabled as Debug is.
  const onChanged = (_: unknown, change: { id?: string }): void => {
    if (change.id === CommandIDs.openTerminal) {
      commands.notifyCommandChanged(id);
    }
  };
  commands.commandChanged.connect(onChanged);
  return {
    dispose: () => {
      waits.forEach(wait => wait.abort());
      commands.commandChanged.disconnect(onChanged);
      command.dispose();
    }
  };
}

/**
 * Retry `target`, wait for the new job to run (aborting `controller` stops
 * the wait), then open its terminal.
 *
 * @returns The terminal tab, or null when none opened here.
 */
async function retryAndDebug(
  app: JupyterFrontEnd,
  model: CIModel,
  target: IJobTarget,
  controller: AbortController
): Promise<CITerminalWidget | null> {
  const { project } = target;
  let job: IJob;
  try {
    job = await model.jobAction(project, target.job, 'retry');
  } catch (error) {
    await showErrorMessage(
      `Could not retry job #${target.job}`,
      errorMessage(error)
    );
    return null;
  }
  const stop: Notification.IAction = {
    label: 'Stop Waiting',
    caption: 'Stop waiting for the job (it keeps running)',
    callback: () => controller.abort()
  };
  // None for a job that needs no wait: JupyterLab shows a toast removed or
  // updated as soon as it is added, and never hides it.
  const notification =
    followStep(job) === 'wait'
      ? Notification.emit(waitingMessage(job), 'in-progress', {
          autoClose: false,
          actions: [stop]
        })
      : null;
  const dismiss = (): void => {
    if (notification !== null) {
      Notification.dismiss(notification);
    }
  };
  const outcome = await followUntilRunning(job, {
    fetch: () => CIApi.getJob(project, job.id),
    signal: controller.signal,
    onStatus: next => {
      if (notification !== null) {
        Notification.update({
          id: notification,
          message: waitingMessage(next),
          actions: [stop]
        });
      }
    }
  });
  if (outcome.kind === 'running') {
    dismiss();
    const widget: CITerminalWidget | null | undefined =
      await app.commands.execute(CommandIDs.openTerminal, {
        project,
        job: outcome.job.id
      });
    if (widget === undefined) {
      // The command said why (or the user cancelled its web-session dialog).
      Notification.warning(
        `${outcome.job.name} #${outcome.job.id} is running, but its terminal did not open; use Debug to try again.`,
        { autoClose: 10 * 1000 }
      );
    }
    return widget ?? null;
  }
  const message = outcomeMessage(outcome, errorMessage);
  if (message === null) {
    dismiss();
    return null;
  }
  const openLog: Notification.IAction = {
    label: 'Open Log',
    caption: `Show the log of job #${outcome.job.id}`,
    callback: () =>
      void app.commands.execute(CommandIDs.openLog, {
        project,
        job: outcome.job.id
      })
  };
  const shown =
    notification !== null &&
    Notification.update({
      id: notification,
      message,
      type: 'warning',
      actions: [openLog]
    });
  if (!shown) {
    // None was shown, or its toast was closed meanwhile.
    Notification.warning(message, { autoClose: false, actions: [openLog] });
  }
  return null;
}
