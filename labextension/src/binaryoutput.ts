/**
 * Binary output for CI terminal tabs.
 *
 * A tab's websocket asks for `?output=binary`: the server then sends each
 * `stdout` message as a binary frame holding the UTF-8 of its text, and
 * spares the JSON escaping of every byte of output, a large share of its
 * CPU per byte. Control messages (`setup`, `disconnect`) stay JSON text
 * frames, in order with the output. JupyterLab's `TerminalConnection`
 * parses every frame as JSON, so the socket it is given turns each binary
 * frame back into the `["stdout", text]` message it expects, before its
 * `onmessage` sees anything: the Terminal widget and the acks
 * (`flowcontrol.ts`, counting characters of that text) are unchanged. A
 * server that does not know the parameter sends JSON, which passes through.
 */
import { ServerConnection } from '@jupyterlab/services';

/** The query parameter by which a terminal websocket asks for binary output. */
export const BINARY_OUTPUT = 'output=binary';

/** `url` with `BINARY_OUTPUT` added to its query. */
export function withBinaryOutput(url: string): string {
  return url + (url.includes('?') ? '&' : '?') + BINARY_OUTPUT;
}

/**
 * The text of binary frames, in order. `stream: true` keeps the bytes of a
 * character cut at a frame's end for the next frame (the server cuts none);
 * invalid UTF-8 becomes U+FFFD, as the server's own decoding does.
 */
export class StdoutDecoder {
  /** The JSON text frame of a binary frame's output, or null if it holds no whole character. */
  frame(data: ArrayBuffer): string | null {
    const text = this._decoder.decode(data, { stream: true });
    return text === '' ? null : JSON.stringify(['stdout', text]);
  }

  private _decoder = new TextDecoder('utf-8');
}

/** A WebSocket class like `Base` whose sockets ask for binary output and turn it back. */
export function binaryOutputSocket(Base: typeof WebSocket): typeof WebSocket {
  return class BinaryOutputSocket extends Base {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(withBinaryOutput(String(url)), protocols);
      this.binaryType = 'arraybuffer';
      const decoder = new StdoutDecoder();
      // Registered before the connection sets `onmessage`, so it runs first:
      // a binary frame goes on as the JSON message it stands for.
      this.addEventListener('message', (event: MessageEvent) => {
        if (typeof event.data === 'string') {
          return;
        }
        event.stopImmediatePropagation();
        const data = decoder.frame(event.data as ArrayBuffer);
        if (data !== null) {
          this.dispatchEvent(new MessageEvent('message', { data }));
        }
      });
    }
  };
}

/** `settings` whose terminal websockets ask for binary output. */
export function binaryOutputSettings(
  settings: ServerConnection.ISettings
): ServerConnection.ISettings {
  return ServerConnection.makeSettings({
    ...settings,
    WebSocket: binaryOutputSocket(settings.WebSocket)
  });
}
