import { JupyterFrontEnd } from '@jupyterlab/application';
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { Widget } from '@lumino/widgets';

import { notebookPage } from './notebook';

/** A job tab to open: its terminal or its log. */
export interface ITabLink {
  kind: 'terminal' | 'log';
  project: string;
  job: number;
}

/** Query parameter of a page URL that opens a job tab on load. */
const PARAM = 'ci-open';

type AddOptions = Parameters<JupyterFrontEnd.IShell['add']>[2];

/**
 * Add a tab to the main area.
 *
 * A shell with no room for another main-area widget (a Notebook 7 page
 * holds one document or the file browser) refuses it: the tab then opens in
 * a new browser tab (see `tabLinkUrl`).
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
  window.open(tabLinkUrl(link), '_blank', 'noopener');
  return false;
}

/**
 * The page that opens a job tab (`?ci-open=…`).
 *
 * From a Notebook 7 page, a terminal opens on Notebook's terminal page, as
 * Notebook opens its own terminals (`terminals/<name>` in a new browser
 * tab); here `terminals/` with no name, whose main area is free for the
 * job's terminal. Anything else opens in JupyterLab.
 */
export function tabLinkUrl(
  link: ITabLink,
  page: string | null = notebookPage()
): string {
  const path = link.kind === 'terminal' && page !== null ? 'terminals/' : 'lab';
  const url = new URL(
    URLExt.join(PageConfig.getBaseUrl(), path),
    window.location.href
  );
  url.searchParams.set(PARAM, `${link.kind}:${link.job}:${link.project}`);
  return url.href;
}

/**
 * The job tab the page URL asks for (`?ci-open=<kind>:<job>:<project>`), if
 * any.
 *
 * In JupyterLab the parameter is removed, since its layout restorer brings
 * the tab back on reload; a Notebook 7 page keeps it, so that a reload opens
 * the tab again, as Notebook's `terminals/<name>` does.
 */
export function takeTabLink(
  keep: boolean = notebookPage() !== null
): ITabLink | null {
  const url = new URL(window.location.href);
  const value = url.searchParams.get(PARAM);
  if (value === null) {
    return null;
  }
  if (!keep) {
    url.searchParams.delete(PARAM);
    window.history.replaceState(window.history.state, '', url.href);
  }
  const match = /^(terminal|log):(\d+):(.+)$/.exec(value);
  return match
    ? {
        kind: match[1] as ITabLink['kind'],
        job: Number(match[2]),
        project: match[3]
      }
    : null;
}
