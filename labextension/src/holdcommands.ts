/**
 * `ci-terminal:end-hold` (End debugging): end a held job's hold, so the job
 * finishes with its script's status (a failed script stays failed, with its
 * exit code), where Cancel would record `canceled`. From the panel's
 * button, a terminal tab's strip, or the palette ("CI: End debugging…").
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification, showErrorMessage } from '@jupyterlab/apputils';

import { CIApi, errorMessage } from './api';
import { JOB_ARGS } from './commandargs';
import { chooseJob } from './jobchoice';
import { CIModel } from './model';
import { IPickOptions } from './picker';
import { canEndHold, END_HOLD_TITLE, holdText } from './retention';
import { CommandIDs } from './tokens';

/** The End debugging dialog: held jobs. */
export const END_HOLD_PICK: IPickOptions = {
  title: 'End debugging of a CI job',
  filter: canEndHold,
  describe: job => holdText(job, Date.now()),
  noneFound: project => `No held job was found in ${project.name}. Job ID:`
};

/**
 * Register `ci-terminal:end-hold`.
 *
 * @returns What removes the command.
 */
export function addEndHoldCommand(
  app: JupyterFrontEnd,
  model: CIModel
): { dispose(): void } {
  return app.commands.addCommand(CommandIDs.endHold, {
    label: args => (args.isPalette ? 'CI: End debugging…' : 'End debugging'),
    caption: END_HOLD_TITLE,
    describedBy: { args: JOB_ARGS },
    execute: async (args): Promise<boolean> => {
      const target = await chooseJob(
        app,
        args,
        END_HOLD_PICK,
        'Cannot end debugging'
      );
      if (!target) {
        return false;
      }
      try {
        const job = await CIApi.endHold(target.project, target.job);
        Notification.info(
          `Debugging of ${job.name} #${job.id} ended: the job finishes with its script's status.`,
          { autoClose: 5000 }
        );
      } catch (error) {
        await showErrorMessage(
          `Could not end debugging of job #${target.job}`,
          errorMessage(error)
        );
        return false;
      }
      if (target.project === model.state.project?.id) {
        await model.refresh();
      }
      return true;
    }
  });
}
