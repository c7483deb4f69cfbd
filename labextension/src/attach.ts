import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { CommandRegistry } from '@lumino/commands';
import { h, VirtualDOM } from '@lumino/virtualdom';
import { Widget } from '@lumino/widgets';

import { ATTACH_MIME_TYPE, CommandIDs, IAttachment } from './tokens';

/** Rank of the renderer: ahead of the HTML fallback the kernel also sends. */
const RANK = 10;

/** Read an `IAttachment` from output data, or null when it is malformed. */
function readAttachment(data: unknown): IAttachment | null {
  const value = data as Partial<IAttachment> | null;
  if (
    !value ||
    typeof value.project !== 'string' ||
    typeof value.job !== 'number' ||
    !Number.isInteger(value.job)
  ) {
    return null;
  }
  return {
    project: value.project,
    job: value.job,
    name: String(value.name ?? ''),
    title: String(value.title ?? `CI job #${value.job}`),
    status: value.status ?? 'running'
  };
}

/** Renders a `%ci_attach` output as an "Open terminal" button. */
export class AttachRenderer extends Widget implements IRenderMime.IRenderer {
  constructor(private _commands: CommandRegistry) {
    super();
    this.addClass('jp-CIAttach');
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const attachment = readAttachment(model.data[ATTACH_MIME_TYPE]);
    if (!attachment) {
      VirtualDOM.render(
        h.p(
          { className: 'jp-CIPanel-message jp-CIPanel-error' },
          'This CI terminal output is malformed: it needs a "project" and an integer "job".'
        ),
        this.node
      );
      return;
    }
    const { project, job, title, status } = attachment;
    VirtualDOM.render(
      h.div(
        { className: 'jp-CIAttach-body' },
        h.span({
          className: `jp-CIStatus jp-CIStatus-${status}`,
          title: status
        }),
        h.span({ className: 'jp-CIAttach-title' }, title),
        h.button(
          {
            className: 'jp-CIPanel-button jp-CIPanel-debug',
            title: `Open the terminal of ${title} in a JupyterLab tab`,
            onclick: () =>
              void this._commands.execute(CommandIDs.openTerminal, {
                project,
                job
              })
          },
          'Open terminal'
        )
      ),
      this.node
    );
  }
}

/** The renderer factory to add to the rendermime registry. */
export function attachRendererFactory(
  commands: CommandRegistry
): IRenderMime.IRendererFactory {
  return {
    safe: true,
    mimeTypes: [ATTACH_MIME_TYPE],
    defaultRank: RANK,
    createRenderer: () => new AttachRenderer(commands)
  };
}
