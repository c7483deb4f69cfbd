import { Terminal as TerminalNS } from '@jupyterlab/services';
import { CommandRegistry } from '@lumino/commands';
import { Message } from '@lumino/messaging';
import { Poll } from '@lumino/polling';
import { h, VirtualDOM, VirtualElement } from '@lumino/virtualdom';
import { Widget } from '@lumino/widgets';

import { CIApi, CIResponseError } from './api';
import { isFinished, jobStatusClass, jobStatusText } from './jobs';
import {
  canEndHold,
  END_HOLD_TITLE,
  formatCountdown,
  holdSecondsLeft
} from './retention';
import { CommandIDs, IJob, ITerminalSession, NS } from './tokens';

/** Milliseconds between fetches of the job and the session. */
const INTERVAL = 3000;

/** Said when the session is gone from the server without a reason. */
const CLOSED = 'the session was closed on the server';

/**
 * The strip above a job terminal: the job's state, the runner, how long the
 * runner keeps the shell once the script has ended, who else is attached,
 * and why the session ended.
 */
export class TerminalStatusStrip extends Widget {
  constructor(options: {
    session: ITerminalSession;
    commands: CommandRegistry;
  }) {
    super();
    this.addClass('jp-CIStrip-host');
    this._session = options.session;
    this._info = options.session;
    this._commands = options.commands;
    this._poll = new Poll({
      factory: () => this._fetch(),
      frequency: { interval: INTERVAL, backoff: true, max: 60 * 1000 },
      name: `${NS}:terminal-status`,
      standby: () => this._done || !this.isVisible || 'when-hidden'
    });
    this._render();
  }

  /** Why the session ended, once it has. */
  get ended(): string | null {
    return this._ended;
  }

  /** The connection's state, shown while it is not connected. */
  set connectionStatus(status: TerminalNS.ConnectionStatus) {
    this._connected ||= status === 'connected';
    this._connection = status;
    this._render();
  }

  /** The session has ended: find out why, and keep following the job. */
  markEnded(): void {
    if (this._ended === null) {
      this._ended = this._info.ended ?? '';
      void this._fetch().catch(() => undefined);
    }
    this._render();
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._poll.dispose();
    window.clearInterval(this._clock);
    super.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (this.isVisible) {
      void this._poll.refresh();
    }
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    void this._poll.refresh();
    this._tickClock();
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    window.clearInterval(this._clock);
    this._clock = 0;
  }

  private async _fetch(): Promise<void> {
    const { project, job, name } = this._session;
    const [info, fresh] = await Promise.all([
      CIApi.getTerminal(name).catch(error => {
        if (error instanceof CIResponseError && error.response.status === 404) {
          return null;
        }
        throw error;
      }),
      CIApi.getJob(project, job)
    ]);
    if (this.isDisposed) {
      return;
    }
    this._job = fresh;
    if (info) {
      this._info = info;
    }
    if (this._ended !== null && !this._ended) {
      // Known once the server has it; gone from the server, it was closed there.
      this._ended = info ? (info.ended ?? '') : CLOSED;
    }
    const running = !isFinished(fresh.status) || fresh.hold === true;
    // Nothing more can change once the job is over and the session closed.
    this._done = !running && !!this._ended;
    this._render();
    this._tickClock();
  }

  /** Redraw every second while a countdown shows. */
  private _tickClock(): void {
    const counting = this._countdown() !== null && this.isVisible;
    if (counting && !this._clock) {
      this._clock = window.setInterval(() => this._render(), 1000);
    } else if (!counting && this._clock) {
      window.clearInterval(this._clock);
      this._clock = 0;
    }
  }

  /** The job's hold, from its JSON (`hold_reason`, `hold_until`), while it lasts. */
  private _countdown(): { job: IJob; left: number } | null {
    const job = this._job;
    const left = job ? holdSecondsLeft(job, Date.now()) : null;
    return job && left !== null && this._ended === null ? { job, left } : null;
  }

  private _render(): void {
    VirtualDOM.render(this._renderStrip(), this.node);
  }

  private _renderStrip(): VirtualElement {
    const job = this._job;
    const items: (VirtualElement | null)[] = [];
    if (job) {
      items.push(
        h.span({
          className: `jp-CIStatus ${jobStatusClass(job)}`,
          'aria-hidden': 'true'
        }),
        h.span({ className: 'jp-CIStrip-status' }, `Job ${jobStatusText(job)}`)
      );
    } else {
      items.push(h.span({ className: 'jp-CIStrip-status' }, 'Job status…'));
    }
    if (this._info.runner) {
      items.push(
        h.span(
          {
            className: 'jp-CIStrip-item jp-CIStrip-runner',
            title: 'The runner serving this shell'
          },
          `Runner ${this._info.runner}`
        )
      );
    }
    const countdown = this._countdown();
    if (countdown) {
      const { job: held, left } = countdown;
      const text =
        held.hold_reason === 'retention'
          ? `Script ended: shell closes in ${formatCountdown(left)}`
          : `Held for debugging: closes in ${formatCountdown(left)}`;
      items.push(
        h.span(
          {
            className: 'jp-CIStrip-item jp-CIStrip-countdown',
            title:
              'The runner keeps the job open while a terminal is attached, up to its session timeout'
          },
          text
        )
      );
    }
    const viewers = this._info.viewers ?? 0;
    if (this._ended === null && viewers > 1) {
      items.push(
        h.span(
          {
            className: 'jp-CIStrip-item jp-CIStrip-viewers',
            title: 'Everyone attached sees and types into the same shell'
          },
          `Shared with ${viewers} viewers`
        )
      );
    }
    if (this._ended !== null) {
      const ended = `Session ended${this._ended ? `: ${this._ended}` : ''}. Read-only.`;
      items.push(
        h.span(
          {
            className: 'jp-CIStrip-item jp-CIStrip-ended',
            role: 'status',
            title: ended
          },
          ended
        )
      );
    } else if (this._connection !== 'connected') {
      const text = !this._connected
        ? 'Connecting…'
        : this._connection === 'connecting'
          ? 'Reconnecting…'
          : 'Disconnected';
      items.push(h.span({ className: 'jp-CIStrip-item' }, text));
    }
    items.push(h.span({ className: 'jp-CIStrip-spacer' }));
    if (
      job &&
      canEndHold(job) &&
      this._commands.hasCommand(CommandIDs.endHold)
    ) {
      const { project, job: id } = this._session;
      items.push(
        h.button(
          {
            className: 'jp-CIPanel-button jp-CIStrip-endHold',
            title: END_HOLD_TITLE,
            onclick: () =>
              void this._commands
                .execute(CommandIDs.endHold, { project, job: id })
                .then(() => this._poll.refresh())
          },
          'End debugging'
        )
      );
    }
    if (this._commands.hasCommand(CommandIDs.openLog)) {
      const { project, job: id } = this._session;
      items.push(
        h.button(
          {
            className: 'jp-CIPanel-button',
            title: 'Open the log of this job',
            onclick: () =>
              void this._commands.execute(CommandIDs.openLog, {
                project,
                job: id
              })
          },
          'Log'
        )
      );
    }
    return h.div({ className: 'jp-CIStrip' }, ...items);
  }

  private _clock = 0;
  private _commands: CommandRegistry;
  private _connected = false;
  private _connection: TerminalNS.ConnectionStatus = 'connecting';
  private _done = false;
  private _ended: string | null = null;
  private _info: ITerminalSession;
  private _job: IJob | null = null;
  private _poll: Poll;
  private _session: ITerminalSession;
}
