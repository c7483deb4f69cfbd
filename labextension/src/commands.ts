import { JupyterFrontEnd } from '@jupyterlab/application';
import { showErrorMessage } from '@jupyterlab/apputils';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { errorMessage } from './api';
import { ciIcon } from './icons';
import { CIModel } from './model';
import { pickJob } from './picker';
import { CITerminals, CITerminalWidget } from './terminal';
import { CommandIDs, IOpenTerminalArgs } from './tokens';

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

/** Register `ci-terminal:open-terminal`. */
export function addTerminalCommands(
  app: JupyterFrontEnd,
  terminals: CITerminals
): void {
  app.commands.addCommand(CommandIDs.openTerminal, {
    label: args =>
      args.isLauncher ? 'CI Job Terminal' : 'Open CI job terminal',
    caption: 'Open the live shell of a running CI job in a terminal tab',
    icon: args => (args.isPalette ? undefined : ciIcon),
    describedBy: {
      args: {
        type: 'object',
        properties: {
          project: {
            type: 'string',
            description: 'Project id, as listed by GET ci-terminal/api/projects'
          },
          job: { type: 'integer', description: 'CI job id' },
          restore: {
            type: 'boolean',
            description:
              'Re-open a tab after a page reload; failures are only logged'
          }
        }
      }
    },
    execute: async (args): Promise<CITerminalWidget | undefined> => {
      const hint = openTerminalArgs(args);
      try {
        const target =
          hint.project !== undefined && hint.job !== undefined
            ? { project: hint.project, job: hint.job }
            : await pickJob(hint);
        if (target) {
          return await terminals.openJobTerminal(target.project, target.job, {
            activate: !args.restore
          });
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
}

/** Register the commands of the CI Pipelines panel. */
export function addPanelCommands(app: JupyterFrontEnd, model: CIModel): void {
  app.commands.addCommand(CommandIDs.refresh, {
    label: 'Refresh CI pipelines',
    caption: 'Fetch projects, pipelines and jobs now',
    execute: () => model.refresh()
  });

  app.commands.addCommand(CommandIDs.runPipeline, {
    label: 'Run CI pipeline',
    caption: 'Start a pipeline for the project shown in the CI Pipelines panel',
    isEnabled: () => model.state.project !== null,
    describedBy: {
      args: {
        type: 'object',
        properties: {
          ref: {
            type: 'string',
            description: 'Branch or tag; default branch if omitted'
          }
        }
      }
    },
    execute: async args => {
      try {
        const ref = typeof args.ref === 'string' ? args.ref : undefined;
        return await model.runPipeline(ref);
      } catch (error) {
        await showErrorMessage('Cannot start a pipeline', errorMessage(error));
        return null;
      }
    }
  });
}
