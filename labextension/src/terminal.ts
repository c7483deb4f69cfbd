import { JupyterFrontEnd } from '@jupyterlab/application';
import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import {
  ServerConnection,
  Terminal as TerminalNS,
  TerminalManager
} from '@jupyterlab/services';
import { ITerminal, Terminal } from '@jupyterlab/terminal';
import { terminalIcon } from '@jupyterlab/ui-components';

import { CIApi, terminalServerSettings } from './api';
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

/** A main-area tab holding the terminal of one CI job. */
export class CITerminalWidget extends MainAreaWidget<Terminal> {
  constructor(
    content: Terminal,
    readonly session: ITerminalSession
  ) {
    super({ content, reveal: content.ready });
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
  }
}

/** Options of `CITerminals`. */
export interface ICITerminalsOptions {
  shell: JupyterFrontEnd.IShell;
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
    const serverSettings = terminalServerSettings();
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
   * @throws {ServerConnection.ResponseError} When the server refuses, e.g.
   *   because the job is not running.
   */
  async openJobTerminal(
    project: string,
    job: number,
    options: { activate?: boolean } = {}
  ): Promise<CITerminalWidget> {
    const session = await CIApi.createTerminal(project, job);
    return this.attach(session, options);
  }

  /** Show a session's tab, opening one if none is connected. */
  attach(
    session: ITerminalSession,
    { activate = true }: { activate?: boolean } = {}
  ): CITerminalWidget {
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
    const widget = new CITerminalWidget(content, session);
    connection.disposed.connect(() => this.client.untrack(session.name));
    widget.disposed.connect(() => connection.dispose());

    shell.add(widget, 'main', {
      type: 'CI Terminal',
      mode: openIn === 'split-right' ? 'split-right' : undefined,
      activate
    });
    void tracker.add(widget);
    return widget;
  }

  /** Close every connection (not the server sessions). */
  dispose(): void {
    this.manager.dispose();
  }

  private _options: ICITerminalsOptions;
}
