import { JupyterFrontEnd } from '@jupyterlab/application';
import { showErrorMessage } from '@jupyterlab/apputils';
import { ISettingRegistry } from '@jupyterlab/settingregistry';

import { CIApi, errorMessage } from './api';
import {
  JOB_ARGS,
  jobTarget,
  openTerminalArgs,
  PIPELINE_ARGS,
  pipelineTarget
} from './commandargs';
import { ciIcon } from './icons';
import { CILogs, CILogWidget } from './log';
import { CIModel } from './model';
import { chooseProject, LOG_PICK, pickJob } from './picker';
import { WebSessionStatus, withWebSession } from './sessiondialog';
import { CITerminals, CITerminalWidget } from './terminal';
import {
  CommandIDs,
  IJob,
  IPipeline,
  JOB_ACTION_COMMANDS,
  JobAction,
  PIPELINE_ACTION_COMMANDS,
  PipelineAction,
  PLUGIN_ID
} from './tokens';

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
