import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  IThemeManager,
  showErrorMessage,
  WidgetTracker
} from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITerminal } from '@jupyterlab/terminal';

import { errorMessage } from './api';
import { attachRendererFactory } from './attach';
import { onOpenTerminalEvent } from './attachevent';
import { keepPresent, presenceUrl } from './presence';
import {
  addLogCommands,
  addPanelCommands,
  addTerminalCommands
} from './commands';
import { logRestoreOptions, terminalRestoreOptions } from './restore';
import { addEndHoldCommand } from './holdcommands';
import { addRetryDebugCommand } from './retrydebug';
import { runningPlugin } from './running';
import { CILogs, CILogWidget } from './log';
import { CIModel } from './model';
import { notebookPage, notebookTree } from './notebook';
import { addWebSessionCommands, WebSessionStatus } from './sessiondialog';
import { takeTabLink } from './shell';
import { CIPanel } from './panel';
import { watchSettings, watchTerminalOptions } from './settings';
import { CITerminals, CITerminalWidget } from './terminal';
import {
  ATTACH_PLUGIN_ID,
  CommandIDs,
  DEFAULT_SETTINGS,
  ISettings,
  JOB_ACTION_COMMANDS,
  LINK_PLUGIN_ID,
  LOG_PLUGIN_ID,
  NS,
  PANEL_PLUGIN_ID,
  PIPELINE_ACTION_COMMANDS,
  PLUGIN_ID
} from './tokens';

/**
 * Whether the server has GitLab projects: the panel's listings tell the
 * terminal plugin's "Forget GitLab web session" command.
 */
const webSessions = new WebSessionStatus();

/** CI job terminals: the open-terminal command, tab tracking and restoring. */
const terminalPlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: "Opens a CI job's live shell in a JupyterLab terminal tab.",
  autoStart: true,
  optional: [
    ICommandPalette,
    ILauncher,
    ILayoutRestorer,
    ISettingRegistry,
    IThemeManager
  ],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    launcher: ILauncher | null,
    restorer: ILayoutRestorer | null,
    registry: ISettingRegistry | null,
    themeManager: IThemeManager | null
  ): void => {
    let settings: ISettings = { ...DEFAULT_SETTINGS };
    let terminalOptions: Partial<ITerminal.IOptions> = {};
    const tracker = new WidgetTracker<CITerminalWidget>({ namespace: NS });
    const terminals = new CITerminals({
      shell: app.shell,
      commands: app.commands,
      tracker,
      settings: () => settings,
      terminalOptions: () => terminalOptions
    });
    addTerminalCommands(app, terminals, webSessions);
    addWebSessionCommands(app, webSessions);

    // The stock terminal throws on options set before xterm.js is loaded
    // (a tab opened as the page starts): wait for it.
    const setOption = <K extends keyof ITerminal.IOptions>(
      widget: CITerminalWidget,
      option: K,
      value: ITerminal.IOptions[K]
    ): void => {
      void widget.content.ready.then(() => {
        if (!widget.isDisposed) {
          widget.content.setOption(option, value);
        }
      });
    };
    void watchSettings(registry, value => {
      settings = value;
      tracker.forEach(widget => {
        const fontSize = value.fontSize ?? terminalOptions.fontSize;
        if (fontSize !== undefined) {
          setOption(widget, 'fontSize', fontSize);
        }
      });
    });
    void watchTerminalOptions(registry, value => {
      terminalOptions = value;
    });
    themeManager?.themeChanged.connect(() => {
      // 'inherit' reads the Lab theme's colours when it is applied.
      tracker.forEach(widget =>
        setOption(widget, 'theme', widget.content.getOption('theme'))
      );
    });

    // %ci_attach in a kernel asks for the tab through Jupyter's event bus;
    // its request created the session, which the event names.
    app.serviceManager.events.stream.connect((_, event) => {
      void onOpenTerminalEvent(
        event,
        name => terminals.openSession(name),
        error =>
          void showErrorMessage(
            'Cannot open the CI job terminal',
            errorMessage(error)
          )
      );
    });

    // Kernels' requests for a tab are refused while no JupyterLab says it is
    // here to open them (a kernel used from a console gets told what to do).
    const server = app.serviceManager.serverSettings;
    keepPresent(() => new server.WebSocket(presenceUrl(server)));

    for (const command of [
      CommandIDs.openTerminal,
      CommandIDs.forgetWebSession
    ]) {
      palette?.addItem({ command, category: 'CI', args: { isPalette: true } });
    }
    launcher?.add({
      command: CommandIDs.openTerminal,
      category: 'Other',
      rank: 1,
      args: { isLauncher: true }
    });
    // Keyed by project identity: another server may serve another project.
    void restorer?.restore(
      tracker,
      terminalRestoreOptions(app, terminals, tracker)
    );
  }
};

/** Job log tabs: the open-log command, tab tracking and restoring. */
const logPlugin: JupyterFrontEndPlugin<void> = {
  id: LOG_PLUGIN_ID,
  description:
    'Shows CI job logs with colours and collapsible sections, following running jobs.',
  autoStart: true,
  optional: [ICommandPalette, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null
  ): void => {
    const tracker = new WidgetTracker<CILogWidget>({ namespace: `${NS}-log` });
    const logs = new CILogs({
      shell: app.shell,
      tracker,
      commands: app.commands
    });
    addLogCommands(app, logs);
    palette?.addItem({
      command: CommandIDs.openLog,
      category: 'CI',
      args: { isPalette: true }
    });
    void restorer?.restore(tracker, logRestoreOptions(app, logs, tracker));
  }
};

/**
 * The CI Pipelines panel: in the left sidebar, or, on Notebook 7's tree
 * page, in a tab beside Files and Running.
 */
const panelPlugin: JupyterFrontEndPlugin<void> = {
  id: PANEL_PLUGIN_ID,
  description:
    'A panel listing CI pipelines and their jobs: in the left sidebar, or a tab of the Notebook file browser.',
  autoStart: true,
  optional: [ICommandPalette, ILayoutRestorer, ISettingRegistry],
  activate: async (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    registry: ISettingRegistry | null
  ): Promise<void> => {
    const model = new CIModel({ interval: DEFAULT_SETTINGS.pollInterval });
    const panel = new CIPanel({ model, commands: app.commands });
    const tree = await notebookTree(app);
    let show: () => void;
    if (tree) {
      panel.title.label = 'CI Pipelines';
      tree.addWidget(panel);
      show = () => {
        tree.currentWidget = panel;
      };
    } else {
      app.shell.add(panel, 'left', { rank: 750 });
      restorer?.add(panel, `${NS}:panel`);
      show = () => app.shell.activateById(panel.id);
    }
    addPanelCommands(app, model, show, registry);
    const retryDebug = addRetryDebugCommand(app, model);
    const endHold = addEndHoldCommand(app, model);
    panel.disposed.connect(() => {
      retryDebug.dispose();
      endHold.dispose();
    });
    model.changed.connect(() => {
      if (model.state.loaded && model.state.error === null) {
        webSessions.learn(model.state.projects);
      }
    });
    for (const command of [
      CommandIDs.showPipelines,
      CommandIDs.runPipeline,
      CommandIDs.refresh,
      CommandIDs.toggleMyPipelines,
      CommandIDs.retryDebugJob,
      CommandIDs.endHold
    ]) {
      palette?.addItem({ command, category: 'CI', args: { isPalette: true } });
    }
    // A job or pipeline row's context menu: the same actions as its buttons.
    const row = '.jp-CIPanel-job';
    const pipelineRow = '.jp-CIPanel-pipeline';
    const menu: [string, string][] = [
      [CommandIDs.openLog, row],
      [CommandIDs.openTerminal, `${row}[data-debug="true"]`],
      ...Object.entries(JOB_ACTION_COMMANDS).map(
        ([action, command]): [string, string] => [
          command,
          `${row}[data-action="${action}"]`
        ]
      ),
      // Every job that offers Retry offers this (see `retryDebugState`).
      [CommandIDs.retryDebugJob, `${row}[data-action="retry"]`],
      [CommandIDs.endHold, `${row}[data-held="true"]`],
      ...Object.entries(PIPELINE_ACTION_COMMANDS).map(
        ([action, command]): [string, string] => [
          command,
          `${pipelineRow}[data-action="${action}"]`
        ]
      )
    ];
    menu.forEach(([command, selector], rank) =>
      app.contextMenu.addItem({
        command,
        selector,
        rank,
        args: { fromContextMenu: true }
      })
    );
    void watchSettings(registry, value => {
      model.interval = value.pollInterval;
      model.onlyMine = value.onlyMyPipelines;
    });
  }
};

/**
 * Opens the job tab a page URL asks for (`?ci-open=…`): where the shell has
 * no room for a tab (a Notebook 7 page), the tab opens that way in a page
 * that has (see `tabLinkUrl`).
 */
const linkPlugin: JupyterFrontEndPlugin<void> = {
  id: LINK_PLUGIN_ID,
  description: 'Opens the CI job tab named in the page URL.',
  autoStart: true,
  activate: (app: JupyterFrontEnd): void => {
    // After JupyterLab's layout is restored; a Notebook 7 page counts as
    // restored only once its main area holds a widget, which may be this tab.
    const ready = notebookPage() === null ? app.restored : app.started;
    void ready.then(() => {
      const link = takeTabLink();
      if (link) {
        const command =
          link.kind === 'log' ? CommandIDs.openLog : CommandIDs.openTerminal;
        void app.commands.execute(command, {
          project: link.project,
          job: link.job
        });
      }
    });
  }
};

/** Renders `%ci_attach` outputs in notebooks as an "Open terminal" button. */
const attachPlugin: JupyterFrontEndPlugin<void> = {
  id: ATTACH_PLUGIN_ID,
  description: 'Renders %ci_attach outputs as an "Open terminal" button.',
  autoStart: true,
  requires: [IRenderMimeRegistry],
  activate: (app: JupyterFrontEnd, rendermime: IRenderMimeRegistry): void => {
    rendermime.addFactory(attachRendererFactory(app.commands));
  }
};

export default [
  terminalPlugin,
  logPlugin,
  panelPlugin,
  linkPlugin,
  attachPlugin,
  runningPlugin
];
