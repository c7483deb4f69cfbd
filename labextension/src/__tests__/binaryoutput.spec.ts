/**
 * A CI tab's socket asks for binary output and hands JupyterLab's
 * TerminalConnection the JSON `stdout` messages it parses.
 */
import {
  binaryOutputSocket,
  StdoutDecoder,
  withBinaryOutput
} from '../binaryoutput';

/** A socket that only records its URL and dispatches what a test gives it. */
class FakeSocket extends EventTarget {
  constructor(
    readonly url: string,
    readonly protocols?: string | string[]
  ) {
    super();
  }
  binaryType = 'blob';
  onmessage: ((event: MessageEvent) => void) | null = null;
  /** A frame from the server, as the browser delivers it. */
  receive(data: string | ArrayBuffer): void {
    const event = new MessageEvent('message', { data });
    this.dispatchEvent(event);
  }
}

function bytes(...values: number[]): ArrayBuffer {
  return new Uint8Array(values).buffer;
}

const utf8 = (text: string): ArrayBuffer =>
  new Uint8Array([...new TextEncoder().encode(text)]).buffer;

describe('withBinaryOutput', () => {
  it.each([
    ['ws://h/ci-terminal/terminals/websocket/s-1', '?output=binary'],
    ['ws://h/ci-terminal/terminals/websocket/s-1?token=t', '&output=binary']
  ])('%s', (url, added) => {
    expect(withBinaryOutput(url)).toBe(url + added);
  });
});

describe('StdoutDecoder', () => {
  it.each([
    ['ASCII', [utf8('ls\r\n')], ['ls\r\n']],
    [
      'a character across frames',
      [bytes(0x41, 0xe2, 0x82), bytes(0xac, 0x42)],
      ['A', '€B']
    ],
    [
      'a frame without a whole character',
      [bytes(0xf0, 0x9f), bytes(0x98, 0x80)],
      ['😀']
    ],
    ['invalid UTF-8', [bytes(0x41, 0xff, 0x42)], ['A\uFFFDB']]
  ])('%s', (_, frames, texts) => {
    const decoder = new StdoutDecoder();
    const messages = frames
      .map(frame => decoder.frame(frame))
      .filter(message => message !== null)
      .map(message => JSON.parse(message as string));
    expect(messages).toEqual(texts.map(text => ['stdout', text]));
  });
});

describe('binaryOutputSocket', () => {
  const Socket = binaryOutputSocket(FakeSocket as unknown as typeof WebSocket);

  function open(): { socket: FakeSocket; seen: unknown[] } {
    const socket = new Socket('ws://h/t/s-1?token=t') as unknown as FakeSocket;
    const seen: unknown[] = [];
    // What TerminalConnection does with its socket.
    socket.onmessage = (event: MessageEvent) => seen.push(event.data);
    socket.addEventListener('message', event =>
      socket.onmessage?.(event as MessageEvent)
    );
    return { socket, seen };
  }

  it('asks for binary output as array buffers', () => {
    const { socket } = open();
    expect(socket.url).toBe('ws://h/t/s-1?token=t&output=binary');
    expect(socket.binaryType).toBe('arraybuffer');
  });

  it('hands on JSON frames as they are, binary ones as stdout, in order', () => {
    const { socket, seen } = open();
    socket.receive('["setup", {}]');
    socket.receive(utf8('caf\u00e9 '));
    socket.receive(bytes(0xf0, 0x9f));
    socket.receive(bytes(0x98, 0x80));
    socket.receive('["disconnect", 1]');
    expect(seen.map(data => JSON.parse(data as string))).toEqual([
      ['setup', {}],
      ['stdout', 'caf\u00e9 '],
      ['stdout', '\u{1F600}'],
      ['disconnect', 1]
    ]);
  });
});
