/**
 * CI terminal sessions in JupyterLab's Running panel: one item per session,
 * `CI: <job> #<id>`, with its viewers as detail. Opening an item opens (or
 * focuses) its tab; shutting it down ends the session on the server (a
 * held job then ends, as when its last tab closes: see `hold_grace`).
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { IRunningSessionManagers, IRunningSessions } from '@jupyterlab/running';
import { Poll } from '@lumino/polling';
import { ISignal, Signal } from '@lumino/signaling';
import { terminalIcon } from '@jupyterlab/ui-components';

import { CIApi } from './api';
import { sameSessions, viewersDetail } from './runningitems';
import { CommandIDs, ITerminalSession, NS } from './tokens';

/** Milliseconds between fetches of the session list. */
const INTERVAL = 5000;

/** The Running panel's section of CI terminal sessions. */
export class CISessionsManager implements IRunningSessions.IManager {
  constructor(private _app: JupyterFrontEnd) {
    this._poll = new Poll({
      factory: () => this._fetch(),
      frequency: { interval: INTERVAL, backoff: true, max: 60 * 1000 },
      name: `${NS}:running-sessions`,
      standby: 'when-hidden'
    });
  }

  readonly name = 'CI Terminals';
  readonly shutdownAllLabel = 'Shut Down All';
  readonly shutdownAllConfirmationText =
    'Are you sure you want to end every CI terminal session? Held jobs end with their script’s status.';

  get runningChanged(): ISignal<this, void> {
    return this._changed;
  }

  running(): IRunningSessions.IRunningItem[] {
    return this._sessions
      .filter(session => !session.ended)
      .map(session => ({
        className: 'jp-CIRunning-item',
        icon: () => terminalIcon,
        label: () => session.title,
        labelTitle: () =>
          `${session.title}: ${viewersDetail(session)}${session.runner ? `, runner ${session.runner}` : ''}`,
        detail: () => viewersDetail(session),
        open: () =>
          void this._app.commands.execute(CommandIDs.openTerminal, {
            project: session.project,
            job: session.job
          }),
        shutdown: () => void this._shutdown([session])
      }));
  }

  shutdownAll(): void {
    void this._shutdown(this._sessions);
  }

  refreshRunning(): void {
    void this._poll.refresh();
  }

  dispose(): void {
    this._poll.dispose();
    Signal.clearData(this);
  }

  private async _shutdown(sessions: ITerminalSession[]): Promise<void> {
    await Promise.all(
      sessions.map(session =>
        CIApi.deleteTerminal(session.name).catch(() => undefined)
      )
    );
    await this._poll.refresh();
  }

  private async _fetch(): Promise<void> {
    const sessions = await CIApi.listTerminals();
    if (!sameSessions(sessions, this._sessions)) {
      this._sessions = sessions;
      this._changed.emit();
    }
  }

  private _changed = new Signal<this, void>(this);
  private _poll: Poll;
  private _sessions: ITerminalSession[] = [];
}

/** Adds the CI terminal sessions to the Running panel, where there is one. */
export const runningPlugin: JupyterFrontEndPlugin<void> = {
  id: `${NS}:running`,
  description: "Lists CI terminal sessions in JupyterLab's Running panel.",
  autoStart: true,
  optional: [IRunningSessionManagers],
  activate: (
    app: JupyterFrontEnd,
    managers: IRunningSessionManagers | null
  ): void => {
    if (managers) {
      managers.add(new CISessionsManager(app));
    }
  }
};
