import { JupyterFrontEnd } from '@jupyterlab/application';
import {
  Dialog,
  InputDialog,
  Notification,
  showErrorMessage
} from '@jupyterlab/apputils';
import { ISignal, Signal } from '@lumino/signaling';
import { h, VirtualDOM } from '@lumino/virtualdom';
import { Widget } from '@lumino/widgets';

import { CIApi, errorMessage } from './api';
import { gitlabInstances, IGitLabInstance } from './projects';
import { CommandIDs, IProject } from './tokens';
import {
  emptyValueMessage,
  IWebSessionPrompt,
  IWebSessionTarget,
  refusalMessage,
  WEB_SESSION_COOKIE,
  webSessionPrompt,
  webSessionTarget
} from './websession';

/** The dialog's body: why, where to find the cookie, and one password input. */
class WebSessionBody extends Widget {
  constructor({ message, expired }: IWebSessionPrompt, host: string | null) {
    super();
    this.addClass('jp-CIWebSession');
    const inputId = `jp-CIWebSession-input-${Private.ids.next++}`;
    // When none was given yet, the server's sentence says why and where
    // (naming the GitLab host); after a refusal, this dialog says it.
    const help = expired
      ? [
          h.li(
            h.strong('Why: '),
            'GitLab opens job terminals only for a signed-in browser session, not for API tokens.'
          ),
          h.li(
            h.strong('Where: '),
            `in a browser signed in to ${host ?? 'GitLab'}, open your browser's developer tools → Application (or Storage) → Cookies → ${host ?? 'your GitLab site'} → `,
            h.code(WEB_SESSION_COOKIE),
            ', and copy its value.'
          )
        ]
      : [];
    VirtualDOM.render(
      [
        h.p({ className: 'jp-CIWebSession-message' }, message),
        h.ul(
          { className: 'jp-CIWebSession-help' },
          ...help,
          h.li(
            h.strong('Kept: '),
            "in the Jupyter server's memory only, never in this browser; " +
              '"CI: Forget GitLab web session" drops it.'
          )
        ),
        h.label(
          { className: 'jp-CIWebSession-label', htmlFor: inputId },
          `${WEB_SESSION_COOKIE} value`
        ),
        h.input({
          id: inputId,
          className: 'jp-mod-styled jp-CIWebSession-input',
          type: 'password',
          autocomplete: 'off',
          spellcheck: 'false'
        }),
        h.p({
          className: 'jp-CIWebSession-error',
          role: 'alert',
          hidden: ''
        })
      ],
      this.node
    );
    this.input = this.node.querySelector('input')!;
    this._error = this.node.querySelector('.jp-CIWebSession-error')!;
  }

  /** The password input; its value is read once per attempt, then cleared. */
  readonly input: HTMLInputElement;

  /** Show a sentence under the input, or hide it (null). */
  showError(text: string | null): void {
    this._error.textContent = text ?? '';
    this._error.hidden = text === null;
    this.input.setAttribute('aria-invalid', String(text !== null));
  }

  private _error: HTMLElement;
}

/** Index of the accept button (`buttons` below). */
const ACCEPT = 1;

/**
 * The web-session dialog. Accepting sends the value to the server
 * (`PUT gitlab/session`) and closes only once GitLab accepted it; a refusal
 * is shown under the input and the dialog stays open.
 */
class WebSessionDialog extends Dialog<null> {
  constructor(
    private _form: WebSessionBody,
    private _backend: string | null,
    host: string | null
  ) {
    super({
      title: host
        ? `GitLab web session needed for ${host}`
        : 'GitLab web session needed',
      body: _form,
      buttons: [
        Dialog.cancelButton(),
        Dialog.okButton({ label: 'Use Web Session' })
      ],
      defaultButton: ACCEPT,
      focusNodeSelector: 'input'
    });
    this.addClass('jp-CIWebSessionDialog');
  }

  /** Accepting checks the value with the server first (see the class). */
  resolve(index: number = ACCEPT): void {
    if (index !== ACCEPT || this._accepted) {
      super.resolve(index);
    } else if (!this._busy) {
      void this._submit();
    }
  }

  private async _submit(): Promise<void> {
    const form = this._form;
    const empty = emptyValueMessage(form.input.value);
    if (empty !== null) {
      form.showError(empty);
      form.input.focus();
      return;
    }
    this._setBusy(true);
    form.showError(null);
    try {
      // Read at the last moment; no reference outlives this request.
      await CIApi.giveWebSession(this._backend, form.input.value);
      form.input.value = '';
      this._accepted = true;
      super.resolve(ACCEPT);
    } catch (error) {
      form.input.value = '';
      form.showError(refusalMessage(error) ?? errorMessage(error));
      if (!this.isDisposed) {
        form.input.focus();
      }
    } finally {
      this._setBusy(false);
    }
  }

  private _setBusy(busy: boolean): void {
    this._busy = busy;
    this.toggleClass('jp-mod-busy', busy);
    const accept = this.node.querySelector<HTMLButtonElement>(
      '.jp-Dialog-button.jp-mod-accept'
    );
    if (accept) {
      accept.disabled = busy;
    }
  }

  private _accepted = false;
  private _busy = false;
}

/**
 * Ask for the user's GitLab web session and give it to the server.
 *
 * One dialog at a time: a second request for the same GitLab while one is
 * open waits for it; one for another GitLab waits, then asks.
 *
 * @param prompt - Why the server asks (see `webSessionPrompt`).
 * @param target - Which GitLab (backend null: the only one).
 * @returns Whether the server now holds a session GitLab accepted.
 */
export async function askForWebSession(
  prompt: IWebSessionPrompt,
  target: IWebSessionTarget
): Promise<boolean> {
  for (;;) {
    const pending = Private.dialog.pending;
    if (pending === null) {
      break;
    }
    if (pending.backend === target.backend) {
      return pending.answer;
    }
    await pending.answer;
  }
  const { backend, host } = target;
  const dialog = new WebSessionDialog(
    new WebSessionBody(prompt, host),
    backend,
    host
  );
  const answer = dialog
    .launch()
    .then(
      result => result.button.accept,
      () => false // disposed before it was answered
    )
    .finally(() => {
      Private.dialog.pending = null;
      dialog.dispose();
    });
  Private.dialog.pending = { backend, answer };
  return answer;
}

/**
 * Run `open` (which creates a job's terminal session), asking for the
 * user's GitLab web session whenever the server says it needs one, then
 * trying again.
 *
 * @param project - The job's project id (tells which GitLab backend).
 * @returns What `open` returned, or undefined when the user cancelled.
 * @throws Whatever else `open` throws.
 */
export async function withWebSession<T>(
  open: () => Promise<T>,
  project: string,
  status?: WebSessionStatus
): Promise<T | undefined> {
  for (;;) {
    try {
      return await open();
    } catch (error) {
      const prompt = webSessionPrompt(error);
      if (prompt === null) {
        throw error;
      }
      status?.setConfigured(true);
      const target = webSessionTarget(project, status?.projects);
      if (!(await askForWebSession(prompt, target))) {
        return undefined;
      }
    }
  }
}

/**
 * Whether the server has GitLab projects (whose terminals may ask for a web
 * session), for the commands that manage the session. Learnt from the
 * projects the page lists and from the server asking for a web session; no
 * request of its own (a 404 from a server without GitLab would be logged as
 * an error by the browser).
 */
export class WebSessionStatus {
  /** True once a GitLab project or a web-session request was seen. */
  get configured(): boolean {
    return this._configured;
  }

  /** Emitted when `configured` changes. */
  get changed(): ISignal<this, boolean> {
    return this._changed;
  }

  /** The projects of the last listing learnt from. */
  get projects(): readonly IProject[] {
    return this._projects;
  }

  /** The GitLab instances of the last listing learnt from. */
  get instances(): IGitLabInstance[] {
    return gitlabInstances(this._projects);
  }

  /** Learn from a project listing of the server. */
  learn(projects: readonly IProject[]): void {
    this._projects = projects;
    this.setConfigured(projects.some(project => project.backend === 'gitlab'));
  }

  /** Record what is known. */
  setConfigured(configured: boolean): void {
    if (configured !== this._configured) {
      this._configured = configured;
      this._changed.emit(configured);
    }
  }

  private _configured = false;
  private _changed = new Signal<this, boolean>(this);
  private _projects: readonly IProject[] = [];
}

namespace Private {
  /** The open dialog's GitLab and what it resolves to, while one is open. */
  export const dialog: {
    pending: { backend: string | null; answer: Promise<boolean> } | null;
  } = { pending: null };

  /** Suffixes of the input ids. */
  export const ids = { next: 0 };
}

/**
 * Register `ci-terminal:forget-gitlab-session`, enabled once the page has
 * seen a GitLab project (see `WebSessionStatus`).
 */
export function addWebSessionCommands(
  app: JupyterFrontEnd,
  status: WebSessionStatus
): void {
  app.commands.addCommand(CommandIDs.forgetWebSession, {
    label: args =>
      args.isPalette
        ? 'CI: Forget GitLab web session'
        : 'Forget GitLab web session',
    caption: () =>
      status.configured
        ? 'Make the Jupyter server drop the GitLab web session it holds for you; job terminals ask for it again'
        : 'The CI Pipelines panel lists no GitLab project',
    isEnabled: () => status.configured,
    describedBy: {
      args: {
        type: 'object',
        properties: {
          backend: {
            type: 'string',
            description:
              'Name of the GitLab backend; when several are configured and none is given, the command asks'
          }
        }
      }
    },
    execute: async args => {
      let backend = typeof args.backend === 'string' ? args.backend : null;
      if (backend === null) {
        const chosen = await chooseInstance(status.instances);
        if (chosen === undefined) {
          return false;
        }
        backend = chosen;
      }
      try {
        await CIApi.forgetWebSession(backend);
        Notification.success(
          'The Jupyter server no longer holds your GitLab web session.',
          { autoClose: 5000 }
        );
        return true;
      } catch (error) {
        await showErrorMessage(
          'Cannot forget the GitLab web session',
          errorMessage(error)
        );
        return false;
      }
    }
  });
  status.changed.connect(() =>
    app.commands.notifyCommandChanged(CommandIDs.forgetWebSession)
  );
}

/**
 * Ask which GitLab when several are known; the only one without asking.
 *
 * @returns Its name, null when none is known (the server picks its only
 *   one), or undefined when the user cancelled.
 */
async function chooseInstance(
  instances: readonly IGitLabInstance[]
): Promise<string | null | undefined> {
  if (instances.length <= 1) {
    return instances[0]?.name ?? null;
  }
  const items = instances.map(({ name, host }) =>
    host ? `${name} (${host})` : name
  );
  const answer = await InputDialog.getItem({
    title: 'Forget GitLab web session',
    label: 'GitLab',
    items
  });
  const index = answer.value === null ? -1 : items.indexOf(answer.value);
  return answer.button.accept && index >= 0 ? instances[index].name : undefined;
}
