import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  ICommandPalette,
  IThemeManager,
  WidgetTracker
} from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITerminal } from '@jupyterlab/terminal';

import { attachRendererFactory } from './attach';
import { addPanelCommands, addTerminalCommands } from './commands';
import { CIModel } from './model';
import { CIPanel } from './panel';
import { watchSettings, watchTerminalOptions } from './settings';
import { CITerminals, CITerminalWidget } from './terminal';
import {
  ATTACH_PLUGIN_ID,
  CommandIDs,
  DEFAULT_SETTINGS,
  ISettings,
  NS,
  PANEL_PLUGIN_ID,
  PLUGIN_ID
} from './tokens';

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
      tracker,
      settings: () => settings,
      terminalOptions: () => terminalOptions
    });
    addTerminalCommands(app, terminals);

    void watchSettings(registry, value => {
      settings = value;
      tracker.forEach(widget => {
        const fontSize = value.fontSize ?? terminalOptions.fontSize;
        if (fontSize !== undefined) {
          widget.content.setOption('fontSize', fontSize);
        }
      });
    });
    void watchTerminalOptions(registry, value => {
      terminalOptions = value;
    });
    themeManager?.themeChanged.connect(() => {
      // 'inherit' reads the Lab theme's colours when it is applied.
      tracker.forEach(widget =>
        widget.content.setOption('theme', widget.content.getOption('theme'))
      );
    });

    palette?.addItem({
      command: CommandIDs.openTerminal,
      category: 'CI',
      args: { isPalette: true }
    });
    launcher?.add({
      command: CommandIDs.openTerminal,
      category: 'Other',
      rank: 1,
      args: { isLauncher: true }
    });
    void restorer?.restore(tracker, {
      command: CommandIDs.openTerminal,
      args: widget => ({
        project: widget.session.project,
        job: widget.session.job,
        restore: true
      }),
      name: widget => widget.session.name
    });
  }
};

/** The CI Pipelines side panel. */
const panelPlugin: JupyterFrontEndPlugin<void> = {
  id: PANEL_PLUGIN_ID,
  description: 'A left sidebar panel listing CI pipelines and their jobs.',
  autoStart: true,
  optional: [ICommandPalette, ILayoutRestorer, ISettingRegistry],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    registry: ISettingRegistry | null
  ): void => {
    const model = new CIModel({ interval: DEFAULT_SETTINGS.pollInterval });
    const panel = new CIPanel({ model, commands: app.commands });
    app.shell.add(panel, 'left', { rank: 750 });
    restorer?.add(panel, `${NS}:panel`);
    addPanelCommands(app, model);
    for (const command of [CommandIDs.refresh, CommandIDs.runPipeline]) {
      palette?.addItem({ command, category: 'CI' });
    }
    void watchSettings(registry, value => {
      model.interval = value.pollInterval;
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

export default [terminalPlugin, panelPlugin, attachPlugin];
