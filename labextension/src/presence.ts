/**
 * Tells the server this JupyterLab opens the CI terminal tabs kernels ask
 * for (`%ci_attach`): a websocket held open while the page runs, opened again
 * after a server restart or a dropped connection. With no such socket the
 * server refuses a kernel's request for a tab rather than open a session no
 * tab would show (`jupyter_ci_terminal/server/frontends.py`).
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** The socket's route, below the server's base URL. */
export const PRESENCE_PATH = 'ci-terminal/frontends/websocket';

/** Milliseconds before opening a closed socket again, by failures in a row. */
export const RETRY_DELAYS = [1000, 2000, 5000, 10000, 30000];

/** What the presence needs of a WebSocket. */
export interface IPresenceSocket {
  onopen: ((event: Event) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  close(): void;
}

/** The socket's URL, with the token where Jupyter's own sockets carry one. */
export function presenceUrl(settings: ServerConnection.ISettings): string {
  const url = URLExt.join(settings.wsUrl, PRESENCE_PATH);
  return settings.appendToken && settings.token !== ''
    ? `${url}?token=${encodeURIComponent(settings.token)}`
    : url;
}

/**
 * Keep a presence socket open until `dispose()`.
 *
 * @param open - Opens a new socket.
 * @param schedule - Runs a function after a delay (setTimeout).
 */
export function keepPresent(
  open: () => IPresenceSocket,
  schedule: (run: () => void, ms: number) => unknown = setTimeout
): { dispose(): void } {
  let failures = 0;
  let disposed = false;
  let socket: IPresenceSocket | null = null;
  const connect = (): void => {
    if (disposed) {
      return;
    }
    socket = open();
    socket.onopen = () => {
      failures = 0;
    };
    socket.onclose = () => {
      socket = null;
      if (disposed) {
        return;
      }
      const delay = RETRY_DELAYS[Math.min(failures, RETRY_DELAYS.length - 1)];
      failures += 1;
      schedule(connect, delay);
    };
  };
  connect();
  return {
    dispose: () => {
      disposed = true;
      socket?.close();
    }
  };
}
