import { JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { listIcon, Toolbar } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { Message } from '@lumino/messaging';
import { Poll } from '@lumino/polling';
import { h, VirtualDOM, VirtualElement } from '@lumino/virtualdom';
import { Widget } from '@lumino/widgets';

import { CIApi, errorMessage } from './api';
import {
  debugState,
  formatDuration,
  isFinished,
  jobAction,
  jobStatusClass,
  jobStatusText,
  terminalsBlocked
} from './jobs';
import { emptyLogText, traceText, waitingText } from './logstate';
import { LogView } from './logview';
import { addMainTab } from './shell';
import { actionButton } from './viewparts';
import { CommandIDs, IJob, JOB_ACTION_COMMANDS, NS } from './tokens';

/** Milliseconds between fetches of a running job's log. */
const INTERVAL = 2000;

/** A main-area tab showing the log of one CI job, following it while it runs. */
export class CILogWidget extends MainAreaWidget<LogView> {
  constructor(options: {
    project: string;
    job: number;
    commands: CommandRegistry;
    /** The title until the job is fetched, e.g. a restored tab's. */
    title?: string;
  }) {
    // A plain toolbar: a reactive one would fold the strip into its "…" menu.
    super({ content: new LogView(), toolbar: new Toolbar() });
    this.project = options.project;
    this.jobId = options.job;
    this._commands = options.commands;
    this.id = `${NS}-log-${options.project}-${options.job}`.replace(
      /[^\w-]/g,
      '_'
    );
    this.addClass('jp-CILogWidget');
    this.title.icon = listIcon;
    this.title.label = options.title ?? `Log: #${options.job}`;
    this.title.caption = `Log of CI job #${options.job} (project ${options.project})`;
    this._bar.addClass('jp-CILog-toolbar');
    this.toolbar.addItem('ci-log-status', this._bar);
    this._commands.commandChanged.connect(this._render, this);
    this._poll = new Poll({
      factory: () => this._fetch(),
      frequency: { interval: INTERVAL, backoff: true, max: 60 * 1000 },
      name: `${NS}:log`,
      standby: () => this._finished || !this.isVisible || 'when-hidden'
    });
    this._render();
  }

  readonly project: string;
  readonly jobId: number;

  /** The job as last fetched. */
  get job(): IJob | null {
    return this._job;
  }

  /** Fetch the job and its log now. */
  refresh(): Promise<void> {
    return this._fetch().catch(() => undefined);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._poll.dispose();
    super.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (this.isVisible) {
      void this.refresh().then(() => this._position());
    }
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    // A finished job's log does not change, but it may have been played or retried.
    void this.refresh().then(() => this._position());
  }

  private _fetch(): Promise<void> {
    if (!this._inFlight) {
      this._inFlight = this._load().finally(() => {
        this._inFlight = null;
      });
    }
    return this._inFlight;
  }

  private async _load(): Promise<void> {
    try {
      // The job first: once it is finished, the log fetched after it is complete.
      const job = await CIApi.getJob(this.project, this.jobId);
      const trace = traceText(await CIApi.getTrace(this.project, this.jobId));
      if (this.isDisposed) {
        return;
      }
      this._job = job;
      this._finished = isFinished(job.status) && !job.hold;
      this._error = null;
      this.title.label = `Log: ${job.name} #${job.id}`;
      this.content.emptyText = emptyLogText(job);
      this.content.notice = waitingText(job);
      this.content.setTrace(trace, this._finished);
    } catch (error) {
      this._error = errorMessage(error);
      throw error; // the poll backs off
    } finally {
      this._render();
    }
    this._position();
  }

  /** Open failed jobs at their failure, running ones at the end, others at the top. */
  private _position(): void {
    if (this._positioned || !this._job || !this.isVisible) {
      return;
    }
    this._positioned = true;
    if (this._job.status === 'failed' && this.content.scrollToFailure()) {
      return;
    }
    if (this._finished) {
      this.content.scrollToStart();
    } else {
      this.content.scrollToEnd();
    }
  }

  private _render(): void {
    VirtualDOM.render(this._renderBar(), this._bar.node);
  }

  private _renderBar(): VirtualElement {
    const job = this._job;
    const commands = this._commands;
    const args = { project: this.project, job: this.jobId };
    const items: (VirtualElement | null)[] = [];
    if (job) {
      items.push(
        h.span({
          className: `jp-CIStatus ${jobStatusClass(job)}`,
          'aria-hidden': 'true'
        }),
        h.span({ className: 'jp-CIStrip-status' }, jobStatusText(job)),
        h.span(
          { className: 'jp-CIStrip-item' },
          `${job.stage} · ${formatDuration(job.duration) || 'not started'}`
        )
      );
    } else {
      items.push(
        h.span(
          { className: 'jp-CIStrip-status' },
          this._error === null ? 'Loading…' : ''
        )
      );
    }
    if (this._error !== null) {
      items.push(
        h.span(
          { className: 'jp-CIStrip-item jp-CIPanel-error' },
          `Could not load the log: ${this._error}`
        )
      );
    }
    items.push(h.span({ className: 'jp-CIStrip-spacer' }));
    const action = job ? jobAction(job) : null;
    const actionCommand = action ? JOB_ACTION_COMMANDS[action.action] : null;
    if (action && actionCommand && commands.hasCommand(actionCommand)) {
      items.push(
        actionButton(action.label, () => void this._runAction(actionCommand), {
          title: `${action.label} this job`,
          className: `jp-CIPanel-${action.action}`
        })
      );
    }
    const debug =
      job && commands.hasCommand(CommandIDs.openTerminal)
        ? debugState(job, terminalsBlocked(commands))
        : null;
    if (debug) {
      items.push(
        actionButton(
          'Debug',
          () => void commands.execute(CommandIDs.openTerminal, args),
          {
            title: debug.title,
            disabled: !debug.enabled,
            className: 'jp-CIPanel-debug'
          }
        )
      );
    }
    if (this.content.failureNode) {
      items.push(
        actionButton('Failure', () => this.content.scrollToFailure(), {
          title: 'Scroll to the failure'
        })
      );
    }
    items.push(
      actionButton('Expand', () => this.content.setAllCollapsed(false), {
        title: 'Expand every section'
      }),
      actionButton('Collapse', () => this.content.setAllCollapsed(true), {
        title: 'Collapse every section'
      }),
      actionButton('Top', () => this.content.scrollToStart(), {
        title: 'Scroll to the first line'
      }),
      actionButton('End', () => this.content.scrollToEnd(), {
        title: 'Scroll to the last line and follow new output'
      })
    );
    return h.div({ className: 'jp-CIStrip' }, ...items);
  }

  private async _runAction(command: string): Promise<void> {
    const result = await this._commands.execute(command, {
      project: this.project,
      job: this.jobId
    });
    const job = result as IJob | null | undefined;
    if (job && job.id !== this.jobId) {
      // A retry is a new job, as on GitLab: show its log.
      await this._commands.execute(CommandIDs.openLog, {
        project: this.project,
        job: job.id
      });
    } else {
      await this.refresh();
    }
  }

  private _bar = new Widget();
  private _commands: CommandRegistry;
  private _error: string | null = null;
  private _finished = false;
  private _inFlight: Promise<void> | null = null;
  private _job: IJob | null = null;
  private _poll: Poll;
  private _positioned = false;
}

/** Opens job logs in the main area, one tab per job. */
export class CILogs {
  constructor(
    private _options: {
      shell: JupyterFrontEnd.IShell;
      tracker: WidgetTracker<CILogWidget>;
      commands: CommandRegistry;
    }
  ) {}

  /**
   * Show the log tab of a job, opening one if needed.
   *
   * @returns The tab, or null when this page's shell has no room for it
   *   and it opened in JupyterLab instead.
   */
  open(
    project: string,
    job: number,
    { activate = true, title }: { activate?: boolean; title?: string } = {}
  ): CILogWidget | null {
    const { shell, tracker, commands } = this._options;
    const existing = tracker.find(
      widget => widget.project === project && widget.jobId === job
    );
    if (existing) {
      if (activate) {
        shell.activateById(existing.id);
      }
      return existing;
    }
    const widget = new CILogWidget({ project, job, commands, title });
    const link = { kind: 'log' as const, project, job };
    if (!addMainTab(shell, widget, { type: 'CI Log', activate }, link)) {
      return null;
    }
    void tracker.add(widget);
    // The saved title restores the job's name with the tab.
    widget.title.changed.connect(() => void tracker.save(widget));
    return widget;
  }
}
