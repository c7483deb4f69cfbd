import { JupyterFrontEnd } from '@jupyterlab/application';
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { Widget } from '@lumino/widgets';

/** A job tab to open: its terminal or its log. */
export interface ITabLink {
  kind: 'terminal' | 'log';
  project: string;
  job: number;
}

/** Query parameter of a JupyterLab URL that opens a job tab on load. */
const PARAM = 'ci-open';

type AddOptions = Parameters<JupyterFrontEnd.IShell['add']>[2];

/**
 * Add a tab to the main area.
 *
 * A shell with no room for another main-area widget (a Notebook 7 page
 * holds one document) refuses it: the tab then opens in JupyterLab, in a
 * new browser tab.
 *
 * @returns Whether the widget is in this page's shell (else it is disposed).
 */
export function addMainTab(
  shell: JupyterFrontEnd.IShell,
  widget: Widget,
  options: AddOptions,
  link: ITabLink
): boolean {
  shell.add(widget, 'main', options);
  if (widget.parent) {
    return true;
  }
  widget.dispose();
  const url = new URL(
    URLExt.join(PageConfig.getBaseUrl(), 'lab'),
    window.location.href
  );
  url.searchParams.set(PARAM, `${link.kind}:${link.job}:${link.project}`);
  window.open(url.href, '_blank', 'noopener');
  return false;
}

/**
 * The job tab the page URL asks for (`?ci-open=<kind>:<job>:<project>`), if
 * any; the parameter is removed so that a reload does not open it again.
 */
export function takeTabLink(): ITabLink | null {
  const url = new URL(window.location.href);
  const value = url.searchParams.get(PARAM);
  if (value === null) {
    return null;
  }
  url.searchParams.delete(PARAM);
  window.history.replaceState(window.history.state, '', url.href);
  const match = /^(terminal|log):(\d+):(.+)$/.exec(value);
  return match
    ? {
        kind: match[1] as ITabLink['kind'],
        job: Number(match[2]),
        project: match[3]
      }
    : null;
}
