/**
 * The socket that tells the server this JupyterLab opens the tabs kernels
 * ask for: held open, opened again after it closed, closed for good on dispose.
 */
import { ServerConnection } from '@jupyterlab/services';

import {
  IPresenceSocket,
  keepPresent,
  PRESENCE_PATH,
  presenceUrl,
  RETRY_DELAYS
} from '../presence';

const OPENED = {} as Event;
const CLOSED = {} as CloseEvent;

class FakeSocket implements IPresenceSocket {
  onopen: ((event: Event) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  closed = false;
  close(): void {
    this.closed = true;
    this.onclose?.(CLOSED);
  }
}

function harness() {
  const sockets: FakeSocket[] = [];
  const timers: { run: () => void; ms: number }[] = [];
  const presence = keepPresent(
    () => {
      const socket = new FakeSocket();
      sockets.push(socket);
      return socket;
    },
    (run, ms) => timers.push({ run, ms })
  );
  return { sockets, timers, presence };
}

describe('keepPresent', () => {
  it('opens one socket at once', () => {
    const { sockets, timers } = harness();
    expect(sockets).toHaveLength(1);
    expect(timers).toHaveLength(0);
  });

  it('opens it again after longer and longer waits, until one opens', () => {
    const { sockets, timers } = harness();
    const waits: number[] = [];
    for (let i = 0; i < RETRY_DELAYS.length + 1; i++) {
      sockets[sockets.length - 1].onclose?.(CLOSED); // the server is unreachable
      const timer = timers.shift()!;
      waits.push(timer.ms);
      timer.run();
    }
    expect(waits).toEqual([
      ...RETRY_DELAYS,
      RETRY_DELAYS[RETRY_DELAYS.length - 1]
    ]);
    expect(sockets).toHaveLength(RETRY_DELAYS.length + 2);

    sockets[sockets.length - 1].onopen?.(OPENED); // connected: the next drop retries soon
    sockets[sockets.length - 1].onclose?.(CLOSED);
    expect(timers.shift()!.ms).toBe(RETRY_DELAYS[0]);
  });

  it('closes the socket on dispose and opens no other', () => {
    const { sockets, timers, presence } = harness();
    presence.dispose();
    expect(sockets[0].closed).toBe(true);
    expect(timers).toHaveLength(0);
  });
});

describe('presenceUrl', () => {
  const settings = (token: string, appendToken: boolean) =>
    ({
      wsUrl: 'ws://localhost:8888/lab-base/',
      token,
      appendToken
    }) as ServerConnection.ISettings;

  it('is below the server base URL', () => {
    expect(presenceUrl(settings('', false))).toBe(
      `ws://localhost:8888/lab-base/${PRESENCE_PATH}`
    );
  });

  it('carries the token only where Jupyter appends one', () => {
    expect(presenceUrl(settings('a b', true))).toBe(
      `ws://localhost:8888/lab-base/${PRESENCE_PATH}?token=a%20b`
    );
    expect(presenceUrl(settings('secret', false))).not.toContain('secret');
  });
});
