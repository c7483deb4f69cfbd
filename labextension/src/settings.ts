import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { ITerminal } from '@jupyterlab/terminal';

import { DEFAULT_SETTINGS, ISettings, PLUGIN_ID } from './tokens';

/** Settings id of JupyterLab's own terminal plugin. */
const LAB_TERMINAL_SETTINGS = '@jupyterlab/terminal-extension:plugin';

/**
 * Call `onChange` with this extension's settings now and whenever they change.
 *
 * Without a setting registry (or if loading fails) the defaults are used.
 */
export async function watchSettings(
  registry: ISettingRegistry | null,
  onChange: (settings: ISettings) => void
): Promise<void> {
  onChange({ ...DEFAULT_SETTINGS });
  if (!registry) {
    return;
  }
  try {
    const settings = await registry.load(PLUGIN_ID);
    const apply = (): void =>
      onChange({
        ...DEFAULT_SETTINGS,
        ...(settings.composite as Partial<ISettings>)
      });
    settings.changed.connect(apply);
    apply();
  } catch (error) {
    console.warn(`Settings of ${PLUGIN_ID} could not be loaded`, error);
  }
}

/**
 * Call `onChange` with the user's JupyterLab terminal options (font, theme,
 * scrollback...) now and whenever they change.
 */
export async function watchTerminalOptions(
  registry: ISettingRegistry | null,
  onChange: (options: Partial<ITerminal.IOptions>) => void
): Promise<void> {
  if (!registry) {
    return;
  }
  try {
    const settings = await registry.load(LAB_TERMINAL_SETTINGS);
    const apply = (): void => {
      const options = { ...settings.composite } as Partial<ITerminal.IOptions>;
      // Never type a local terminal's start-up command into a CI job's shell.
      delete options.initialCommand;
      onChange(options);
    };
    settings.changed.connect(apply);
    apply();
  } catch {
    // Notebook 7 or a Lab without the terminal plugin: use the defaults.
  }
}
