import { JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import {
  ServerConnection,
  Terminal as TerminalNS,
  TerminalManager
} from '@jupyterlab/services';
import { ITerminal, Terminal } from '@jupyterlab/terminal';
import { terminalIcon, Toolbar } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { ISignal, Signal } from '@lumino/signaling';

import { CIApi, terminalServerSettings, terminalsDisabledReason } from './api';
import { binaryOutputSettings } from './binaryoutput';
import { holdUnfittedSizes } from './fittedsize';
import { ackedTerminal, TerminalAcks } from './flowcontrol';
import { addMainTab } from './shell';
import { TerminalStatusStrip } from './strip';
import { ISettings, ITerminalSession, NS } from './tokens';

/**
 * The terminal REST client used by the `TerminalManager`.
 *
 * Sessions are created by `POST ci-terminal/api/terminals` for a job (see
 * `CITerminals.openJobTerminal`), so `startNew` only re-attaches by name.
 * `listRunning` always includes the names opened here: the manager disposes
 * every connection whose name is missing from that list.
 */
export class CITerminalAPIClient implements TerminalNS.ITerminalAPIClient {
  constructor(readonly serverSettings: ServerConnection.ISettings) {}

  /** CI terminals do not depend on local terminals being enabled. */
  readonly isAvailable = true;

  /** Remember a session name opened by this client. */
  track(name: string): void {
    this._names.add(name);
  }

  /** Forget a session name, e.g. once its connection is disposed. */
  untrack(name: string): void {
    this._names.delete(name);
  }

  /** Re-attach to the session `options.name`; a job is needed to create one. */
  async startNew(
    options: TerminalNS.ITerminal.IOptions = {}
  ): Promise<TerminalNS.IModel> {
    if (!options.name) {
      throw new Error(
        'A CI terminal session is created for a job: use the "Open CI job terminal" command.'
      );
    }
    this.track(options.name);
    return { name: options.name };
  }

  /** The server's sessions plus every session opened here. */
  async listRunning(): Promise<TerminalNS.IModel[]> {
    const names = new Set(this._names);
    try {
      for (const session of await CIApi.listTerminals()) {
        names.add(session.name);
      }
    } catch (error) {
      // Keep the open tabs alive while the server is briefly unreachable.
      console.debug('CI terminal sessions could not be listed', error);
    }
    return [...names].map(name => ({ name }));
  }

  /** End a session on the server. */
  async shutdown(name: string): Promise<void> {
    await CIApi.deleteTerminal(name);
    this.untrack(name);
  }

  private _names = new Set<string>();
}

/** A main-area tab holding the terminal of one CI job, under a status strip. */
export class CITerminalWidget extends MainAreaWidget<Terminal> {
  constructor(
    content: Terminal,
    readonly session: ITerminalSession,
    commands: CommandRegistry
  ) {
    // A plain toolbar: a reactive one would fold the strip into its "…" menu.
    super({ content, reveal: content.ready, toolbar: new Toolbar() });
    this.id = `${NS}-${session.name}`;
    this.addClass('jp-CITerminal');
    const title = content.title;
    title.icon = terminalIcon;
    title.caption = `${session.title} (project ${session.project})`;
    // The stock widget renames itself "Terminal <name>" on connect, and the
    // shell may set a title through escape sequences: keep the job's title.
    const keepLabel = (): void => {
      if (title.label !== session.title) {
        title.label = session.title;
      }
    };
    title.changed.connect(keepLabel);
    keepLabel();

    this.strip = new TerminalStatusStrip({ session, commands });
    this.toolbar.addItem('ci-terminal-status', this.strip);
    const connection = content.session;
    const onStatus = (): void => {
      this.strip.connectionStatus = connection.connectionStatus;
    };
    connection.connectionStatusChanged.connect(onStatus);
    onStatus();
    // `disconnect` disposes the connection; a closed tab disposes it too.
    connection.disposed.connect(() => {
      if (!this.isDisposed) {
        this._setEnded();
      }
    });
  }

  /** The job state strip above the terminal. */
  readonly strip: TerminalStatusStrip;

  /** The acknowledgements of its output, when the session takes them. */
  acks: TerminalAcks | null = null;

  /** Whether the session has ended (the tab is then read-only). */
  get ended(): boolean {
    return this.hasClass('jp-mod-readonly');
  }

  /** Keep the output readable, but take no more input. */
  private _setEnded(): void {
    this.addClass('jp-mod-readonly');
    this.strip.markEnded();
    // The disposed connection drops input already; also stop the terminal
    // from taking focus and keystrokes (the stock widget does not expose
    // xterm's `disableStdin`).
    const input = this.content.node.querySelector<HTMLTextAreaElement>(
      'textarea.xterm-helper-textarea'
    );
    if (input) {
      input.readOnly = true;
      input.disabled = true;
    }
  }
}

/** Options of `CITerminals`. */
export interface ICITerminalsOptions {
  shell: JupyterFrontEnd.IShell;
  commands: CommandRegistry;
  tracker: WidgetTracker<CITerminalWidget>;
  /** Current settings of the terminal plugin. */
  settings: () => ISettings;
  /** Base options of the terminal widget (e.g. JupyterLab's terminal settings). */
  terminalOptions: () => Partial<ITerminal.IOptions>;
}

/** Opens CI job terminals in the main area, one tab per session. */
export class CITerminals {
  constructor(options: ICITerminalsOptions) {
    this._options = options;
    // Output as binary frames: the server spends less CPU per byte on them.
    const serverSettings = binaryOutputSettings(terminalServerSettings());
    this.client = new CITerminalAPIClient(serverSettings);
    this.manager = new TerminalManager({
      serverSettings,
      terminalAPIClient: this.client
    });
  }

  readonly client: CITerminalAPIClient;
  readonly manager: TerminalManager;

  /** The open tab of a session, if any. */
  find(name: string): CITerminalWidget | undefined {
    return this._options.tracker.find(widget => widget.session.name === name);
  }

  /**
   * Open the terminal of a job, creating its server session if needed.
   *
   * @returns The tab, or null when this page's shell has no room for it
   *   and it opened in JupyterLab instead.
   * @throws {CIResponseError} When the server refuses, e.g. because the job
   *   is not running.
   */
  async openJobTerminal(
    project: string,
    job: number,
    options: { activate?: boolean } = {}
  ): Promise<CITerminalWidget | null> {
    let session: ITerminalSession;
    try {
      session = await CIApi.createTerminal(project, job);
    } catch (error) {
      const reason = terminalsDisabledReason(error);
      if (reason !== null) {
        this._setDisabled(reason);
      }
      throw error;
    }
    this._setDisabled(null);
    return this.attach(session, options);
  }

  /**
   * Show the tab of an existing session by name (e.g. the one a kernel's
   * `%ci_attach` created): no session is created, nor the job fetched.
   *
   * @throws {CIResponseError} When the server has no such session.
   */
  async openSession(name: string): Promise<CITerminalWidget | null> {
    const open = this.find(name);
    if (open && !open.content.session.isDisposed) {
      this._options.shell.activateById(open.id);
      return open;
    }
    return this.attach(await CIApi.getTerminal(name));
  }

  /**
   * Re-open a tab after a page reload: the job's live session, or else the
   * ended session's last screen, read-only, while the server still keeps it.
   *
   * @throws The error of opening the live session when there is neither.
   */
  async restore(
    project: string,
    job: number,
    name: string | undefined
  ): Promise<CITerminalWidget | null> {
    try {
      return await this.openJobTerminal(project, job, { activate: false });
    } catch (error) {
      const session =
        name === undefined
          ? null
          : await CIApi.getTerminal(name).catch(() => null);
      // A forgotten session has no screen left to show: the tab is dropped.
      if (!session || !session.ended || session.forgotten) {
        throw error;
      }
      return this.attach(session, { activate: false });
    }
  }

  /** Why the server refuses every terminal, or null. */
  get disabledReason(): string | null {
    return this._disabledReason;
  }

  /** Emitted when `disabledReason` changes. */
  get disabledChanged(): ISignal<this, string | null> {
    return this._disabledChanged;
  }

  /**
   * Show a session's tab, opening one if none is connected.
   *
   * @returns The tab, or null when this page's shell has no room for it
   *   and it opened in JupyterLab instead.
   */
  attach(
    session: ITerminalSession,
    { activate = true }: { activate?: boolean } = {}
  ): CITerminalWidget | null {
    const { shell, tracker } = this._options;
    const existing = this.find(session.name);
    if (existing && !existing.content.session.isDisposed) {
      if (activate) {
        shell.activateById(existing.id);
      }
      return existing;
    }
    // A tab whose connection ended only shows old output: replace it.
    existing?.dispose();

    this.client.track(session.name);
    const connection = this.manager.connectTo({
      model: { name: session.name }
    });
    const { fontSize, openIn } = this._options.settings();
    const content = new Terminal(connection, {
      ...this._options.terminalOptions(),
      ...(fontSize === null ? {} : { fontSize }),
      shutdownOnClose: false,
      closeOnExit: false
    });
    const widget = new CITerminalWidget(
      content,
      session,
      this._options.commands
    );
    holdUnfittedSizes(
      connection,
      () => content.node.querySelector('.xterm') !== null
    );
    if (session.acks === true) {
      widget.acks = new TerminalAcks(connection, ackedTerminal(content));
    }
    connection.disposed.connect(() => this.client.untrack(session.name));
    widget.disposed.connect(() => connection.dispose());

    const added = addMainTab(
      shell,
      widget,
      {
        type: 'CI Terminal',
        mode: openIn === 'split-right' ? 'split-right' : undefined,
        activate
      },
      { kind: 'terminal', project: session.project, job: session.job }
    );
    if (!added) {
      return null;
    }
    void tracker.add(widget);
    return widget;
  }

  /** Close every connection (not the server sessions). */
  dispose(): void {
    this.manager.dispose();
    Signal.clearData(this);
  }

  private _setDisabled(reason: string | null): void {
    if (reason !== this._disabledReason) {
      this._disabledReason = reason;
      this._disabledChanged.emit(reason);
    }
  }

  private _disabledChanged = new Signal<this, string | null>(this);
  private _disabledReason: string | null = null;
  private _options: ICITerminalsOptions;
}
