/**
 * Jupyter Notebook 7's pages: which one this is, and the tabs of its tree
 * (file browser) page, where the CI panel goes beside Files and Running.
 */

import type { INotebookTree } from '@jupyter-notebook/tree';
import { JupyterFrontEnd } from '@jupyterlab/application';
import { PageConfig } from '@jupyterlab/coreutils';

/** The Notebook 7 page this is (`tree`, `notebooks`, `terminals`…), or null. */
export function notebookPage(): string | null {
  return PageConfig.getOption('notebookPage') || null;
}

/**
 * The tabs of Notebook 7's tree page, or null on any other page.
 *
 * `@jupyter-notebook/tree` is Notebook's own singleton, never a bundled copy
 * (see `sharedPackages` in package.json), and JupyterLab's pages have none:
 * it is imported here, on the tree page only, rather than listed as an
 * optional token, whose import would keep the extension from loading in
 * JupyterLab.
 */
export async function notebookTree(
  app: JupyterFrontEnd
): Promise<INotebookTree | null> {
  if (notebookPage() !== 'tree') {
    return null;
  }
  try {
    const { INotebookTree } = await import('@jupyter-notebook/tree');
    return await app.resolveOptionalService(INotebookTree);
  } catch (error) {
    console.warn(
      'The tabs of the Notebook file browser are unavailable',
      error
    );
    return null;
  }
}
