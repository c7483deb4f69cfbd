/**
 * The size a CI terminal tab tells the server.
 *
 * JupyterLab's terminal widget sends its size as soon as its connection is
 * up, which may be before xterm.js was opened in the tab and fitted to it:
 * the size sent is then xterm.js's default, 24 rows of 80 columns. The job's
 * shell starts at the first size its session learns, and would draw its
 * first prompt at 80 columns. So a tab's `set_size` goes out only once its
 * terminal is in the page and the tab has been laid out; the widget sends
 * its size again after every fit.
 */
import { Terminal as TerminalNS } from '@jupyterlab/services';

/**
 * Whether a `set_size` message (`[rows, cols, height px, width px]`) comes
 * from a fitted terminal: the widget sends -1 pixels before its first layout.
 */
export function isFittedSize(content: unknown[], opened: boolean): boolean {
  const [rows, cols, height, width] = content;
  return (
    opened &&
    [rows, cols, height, width].every(
      value => typeof value === 'number' && value > 0
    )
  );
}

/**
 * Drop the `set_size` messages `connection` would send before `opened()`
 * says the terminal is in the page (see `isFittedSize`).
 */
export function holdUnfittedSizes(
  connection: TerminalNS.ITerminalConnection,
  opened: () => boolean
): void {
  const send = connection.send.bind(connection);
  connection.send = (message: TerminalNS.IMessage): void => {
    if (
      message.type === 'set_size' &&
      !isFittedSize(message.content ?? [], opened())
    ) {
      return;
    }
    send(message);
  };
}
