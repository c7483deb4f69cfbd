import { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification, showErrorMessage } from '@jupyterlab/apputils';

import { CIApi, errorMessage } from './api';
import { JOB_ARGS } from './commandargs';
import { chooseJob } from './jobchoice';
import {
  followStep,
  followUntilRunning,
  outcomeMessage,
  waitingMessage
} from './follow';
import { terminalsBlocked } from './jobs';
import { CIModel } from './model';
import { IJobTarget, RETRY_DEBUG_PICK } from './picker';
import { CITerminalWidget } from './terminal';
import { Backend, CommandIDs, IJob } from './tokens';

/**
 * Register `ci-terminal:retry-debug-job`: retry a finished job, follow the
 * new job until it runs, then open its terminal through
 * `ci-terminal:open-terminal`, so that the user lands in its shell as it
 * starts. On the local runner the retry runs with `CI_DEBUG_HOLD=on_failure`
 * (that retry only), so a job that fails at once keeps its shell open;
 * GitLab has no such hold.
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
      const target = await chooseJob(
        app,
        args,
        RETRY_DEBUG_PICK,
        'Cannot retry a CI job'
      );
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
  let held = false;
  try {
    held = (await backendOf(model, project)) === 'local';
    if (held) {
      // Held if its script fails, so a job that fails at once still has its shell.
      job = await CIApi.retryWithHold(project, target.job);
      void model.refresh();
    } else {
      job = await model.jobAction(project, target.job, 'retry');
    }
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
    if (held) {
      Notification.info(holdNotice(outcome.job), { autoClose: 10 * 1000 });
    }
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

/**
 * The one line that explains a retry made with a hold (local runner).
 */
export function holdNotice(job: IJob): string {
  return `${job.name} #${job.id} runs with CI_DEBUG_HOLD=on_failure: if it fails, its shell stays open until End debugging or its last tab closes.`;
}

/** The backend of `project`, from the panel's state or else the server. */
async function backendOf(
  model: CIModel,
  project: string
): Promise<Backend | null> {
  const known = model.state.projects.find(p => p.id === project);
  if (known) {
    return known.backend;
  }
  const projects = await CIApi.listProjects();
  return projects.find(p => p.id === project)?.backend ?? null;
}
