import { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification, WidgetTracker } from '@jupyterlab/apputils';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import { Widget } from '@lumino/widgets';

import { CIApi, CIResponseError } from './api';
import { CILogs, CILogWidget } from './log';
import {
  droppedNotice,
  identityOf,
  IRestoreKey,
  projectWithIdentity,
  readRestoreKey
} from './restorekeys';
import { CITerminals, CITerminalWidget } from './terminal';
import { IProject } from './tokens';

/** `ILayoutRestorer.restore` options of a tracker of `T`. */
export interface IRestoreOptions<T extends Widget> {
  command: string;
  args: (widget: T) => ReadonlyPartialJSONObject;
  name: (widget: T) => string;
}

/** The commands the layout restorer runs to bring CI tabs back. */
export const RestoreCommandIDs = {
  terminal: 'ci-terminal:restore-terminal',
  log: 'ci-terminal:restore-log'
} as const;

/** Milliseconds to gather the tabs a reload drops into one notice. */
const NOTICE_DELAY = 500;

/**
 * Restores CI tabs by project identity, and tells in one notice which it
 * dropped: those of a project this server does not serve (it may serve
 * another one under the same id) and those whose job or session is gone.
 */
class TabRestorer {
  constructor(restored: Promise<void>) {
    void restored.then(() => {
      this._restored = true;
      this._schedule();
    });
  }

  /** The served projects, fetched once per page. */
  get projects(): Promise<readonly IProject[]> {
    this._projects ??= CIApi.listProjects().then(
      projects => (this._known = projects),
      () => []
    );
    return this._projects;
  }

  /** The identity of a served project, once the projects are known. */
  identity(project: string): string | undefined {
    const found = this._known.find(known => known.id === project);
    return found ? identityOf(found) : undefined;
  }

  /**
   * Open the tab `args` saved with `open`, given the project's current id.
   *
   * @throws When the tab was dropped: the layout restorer then forgets it,
   *   so a dead tab is not retried on every reload.
   */
  async restore<T extends Widget>(
    args: ReadonlyPartialJSONObject,
    open: (project: string, key: IRestoreKey) => Promise<T | null>
  ): Promise<T> {
    const key = readRestoreKey(args);
    const project = key
      ? projectWithIdentity(await this.projects, key.identity)
      : null;
    const widget =
      key && project !== null
        ? await open(project, key).catch(() => null)
        : null;
    if (!widget) {
      this._dropped.push(key?.title ?? savedTitle(args));
      this._schedule();
      throw new Error('The CI tab was not restored.');
    }
    return widget;
  }

  /** Save the tabs again once their projects' identities are known. */
  resaveWhenKnown<T extends Widget>(tracker: WidgetTracker<T>): void {
    void this.projects.then(() =>
      tracker.forEach(widget => void tracker.save(widget))
    );
  }

  private _schedule(): void {
    if (!this._restored || this._dropped.length === 0) {
      return;
    }
    clearTimeout(this._timer);
    this._timer = setTimeout(() => {
      const titles = this._dropped.splice(0);
      Notification.info(droppedNotice(titles), { autoClose: 15000 });
    }, NOTICE_DELAY);
  }

  private _dropped: string[] = [];
  private _known: readonly IProject[] = [];
  private _projects: Promise<readonly IProject[]> | null = null;
  private _restored = false;
  private _timer: ReturnType<typeof setTimeout> | undefined = undefined;
}

/** A tab saved before tabs were keyed by project identity. */
function savedTitle(args: ReadonlyPartialJSONObject): string {
  return typeof args.job === 'number' ? `#${args.job}` : 'CI tab';
}

let shared: TabRestorer | null = null;

/** The page's one restorer: both tab plugins report into the same notice. */
function tabRestorer(app: JupyterFrontEnd): TabRestorer {
  shared ??= new TabRestorer(app.restored);
  void shared.projects; // known early: a tab opened now saves its identity
  return shared;
}

/** `ILayoutRestorer.restore` options of CI terminal tabs. */
export function terminalRestoreOptions(
  app: JupyterFrontEnd,
  terminals: CITerminals,
  tracker: WidgetTracker<CITerminalWidget>
): IRestoreOptions<CITerminalWidget> {
  const tabs = tabRestorer(app);
  app.commands.addCommand(RestoreCommandIDs.terminal, {
    label: 'Restore a CI job terminal tab',
    execute: args =>
      tabs.restore(args, (project, key) =>
        terminals.restore(project, key.job, key.name)
      )
  });
  tabs.resaveWhenKnown(tracker);
  return {
    command: RestoreCommandIDs.terminal,
    args: widget => ({
      identity: tabs.identity(widget.session.project) ?? '',
      job: widget.session.job,
      title: widget.session.title,
      name: widget.session.name
    }),
    name: widget => widget.session.name
  };
}

/** `ILayoutRestorer.restore` options of CI log tabs. */
export function logRestoreOptions(
  app: JupyterFrontEnd,
  logs: CILogs,
  tracker: WidgetTracker<CILogWidget>
): IRestoreOptions<CILogWidget> {
  const tabs = tabRestorer(app);
  app.commands.addCommand(RestoreCommandIDs.log, {
    label: 'Restore a CI job log tab',
    execute: args =>
      tabs.restore(args, async (project, key) => {
        await jobExists(project, key.job);
        return logs.open(project, key.job, {
          activate: false,
          title: key.title
        });
      })
  });
  tabs.resaveWhenKnown(tracker);
  return {
    command: RestoreCommandIDs.log,
    args: widget => ({
      identity: tabs.identity(widget.project) ?? '',
      job: widget.jobId,
      title: widget.title.label
    }),
    name: widget => `${widget.project}-${widget.jobId}`
  };
}

/**
 * Throw when the project has no such job any more; any other failure (the
 * CI service briefly unreachable) keeps the tab, which shows the error.
 */
async function jobExists(project: string, job: number): Promise<void> {
  try {
    await CIApi.getJob(project, job);
  } catch (error) {
    if (error instanceof CIResponseError && error.response.status === 404) {
      throw error;
    }
  }
}
