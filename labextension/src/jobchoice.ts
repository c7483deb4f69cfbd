/**
 * The job a job command acts on: named by its arguments (a panel row, a tab),
 * else chosen in the job picker; a failure to list jobs is shown once.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { showErrorMessage } from '@jupyterlab/apputils';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { errorMessage } from './api';
import { jobTarget, openTerminalArgs } from './commandargs';
import { IJobTarget, IPickOptions, pickJob } from './picker';

/**
 * The command's job, or null when there is none (the picker was dismissed,
 * a context menu named none, or listing jobs failed: then `failure` titles
 * the error shown).
 */
export async function chooseJob(
  app: JupyterFrontEnd,
  args: ReadonlyPartialJSONObject,
  pick: IPickOptions,
  failure: string
): Promise<IJobTarget | null> {
  try {
    return (
      jobTarget(app, args) ??
      (args.fromContextMenu
        ? null
        : await pickJob(openTerminalArgs(args), pick))
    );
  } catch (error) {
    await showErrorMessage(failure, errorMessage(error));
    return null;
  }
}
