/**
 * Acknowledgements of a CI terminal's output: what is counted, when an ack
 * goes out and what it carries.
 */
import { Terminal as TerminalNS } from '@jupyterlab/services';
import { Signal } from '@lumino/signaling';

import {
  ackDelay,
  AckLedger,
  codePoints,
  IParsedProbe,
  TerminalAcks
} from '../flowcontrol';

describe('codePoints', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['\u00e9t\u00e9', 3],
    ['\u{1F600}', 1],
    ['a\u{1F600}b\u{1F680}', 4],
    // A lone surrogate (not from a JSON decoder) is one character.
    ['\uD800x', 2]
  ])('%j has %i', (text, count) => {
    expect(codePoints(text)).toBe(count);
  });
});

describe('ackDelay', () => {
  it.each([
    [1000, null, 50, 0],
    [1000, 900, 50, 0],
    [1000, 950, 50, 0],
    [1000, 980, 50, 30],
    [1000, 1000, 50, 50],
    [1000, 990, 0, 0]
  ])('at %i, last sent %s, every %i ms: wait %i', (now, last, every, wait) => {
    expect(ackDelay(now, last, every)).toBe(wait);
  });
});

describe('AckLedger', () => {
  type Step =
    | ['receive', number]
    | ['parsed', number]
    | ['parsedOld', number]
    | ['reset']
    | ['take'];
  it.each<[string, Step[], number[]]>([
    ['acks what was parsed', [['receive', 5], ['parsed', 5], ['take']], [5]],
    [
      'sums parses between takes',
      [
        ['receive', 5],
        ['receive', 7],
        ['parsed', 5],
        ['parsed', 12],
        ['take'],
        ['take']
      ],
      [12, 0]
    ],
    [
      'acks no more than was received',
      [['receive', 3], ['parsed', 10], ['take']],
      [3]
    ],
    [
      'ignores a parse position that went back',
      [['receive', 9], ['parsed', 9], ['parsed', 4], ['take']],
      [9]
    ],
    [
      'forgets the previous connection',
      [
        ['receive', 9],
        ['parsed', 9],
        ['reset'],
        ['receive', 2],
        ['parsedOld', 9],
        ['take'],
        ['parsed', 2],
        ['take']
      ],
      [0, 2]
    ]
  ])('%s', (_, steps, taken) => {
    const ledger = new AckLedger();
    const results: number[] = [];
    let oldEpoch = ledger.epoch;
    for (const step of steps) {
      switch (step[0]) {
        case 'receive':
          ledger.receive(step[1]);
          break;
        case 'parsed':
          ledger.parsed(step[1], ledger.epoch);
          break;
        case 'parsedOld':
          ledger.parsed(step[1], oldEpoch);
          break;
        case 'reset':
          oldEpoch = ledger.epoch;
          ledger.reset();
          break;
        case 'take':
          results.push(ledger.take());
          break;
      }
    }
    expect(results).toEqual(taken);
  });
});

/** A terminal connection that records what is sent. */
class FakeConnection {
  messageReceived = new Signal<this, TerminalNS.IMessage>(this);
  connectionStatusChanged = new Signal<this, string>(this);
  disposed = new Signal<this, void>(this);
  connectionStatus = 'connected';
  sent: TerminalNS.IMessage[] = [];
  send(message: TerminalNS.IMessage): void {
    this.sent.push(message);
  }
  stdout(text: string): void {
    this.messageReceived.emit({ type: 'stdout', content: [text] });
  }
  setStatus(status: string): void {
    this.connectionStatus = status;
    this.connectionStatusChanged.emit(status);
  }
}

/** An xterm.js stand-in whose writes are parsed when the test says so. */
class FakeXterm implements IParsedProbe {
  written: string[] = [];
  callbacks: (() => void)[] = [];
  write(data: string, callback: () => void): void {
    this.written.push(data);
    this.callbacks.push(callback);
  }
  parseAll(): void {
    const callbacks = this.callbacks.splice(0);
    callbacks.forEach(callback => callback());
  }
}

function setup(interval = 50) {
  const connection = new FakeConnection();
  const xterm = new FakeXterm();
  const acks = new TerminalAcks(
    connection as unknown as TerminalNS.ITerminalConnection,
    { ready: Promise.resolve(), probe: () => xterm },
    interval
  );
  // The Terminal widget writes each message in a slot connected after ours.
  connection.messageReceived.connect((_, msg) => {
    if (msg.type === 'stdout') {
      xterm.write(msg.content?.[0] as string, () => undefined);
    }
  });
  const acked = () => connection.sent.map(m => [m.type, ...(m.content ?? [])]);
  return { connection, xterm, acks, acked };
}

/** Let the probes scheduled after the messages run. */
const settle = () => new Promise<void>(resolve => setTimeout(resolve, 0));

describe('TerminalAcks', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  const flush = async () => {
    await Promise.resolve();
    await Promise.resolve();
  };

  it('probes after the widget wrote the message, and acks once parsed', async () => {
    const { connection, xterm, acked } = setup();
    connection.stdout('hello');
    connection.stdout('\u{1F600}!');
    await flush();
    // Both messages, then one probe for the two.
    expect(xterm.written).toEqual(['hello', '\u{1F600}!', '']);
    expect(acked()).toEqual([]);
    xterm.parseAll();
    expect(acked()).toEqual([['ack', 7]]);
  });

  it('sends at most one ack per interval, with the sum', async () => {
    const { connection, xterm, acked, acks } = setup(50);
    connection.stdout('a'.repeat(10));
    await flush();
    xterm.parseAll();
    connection.stdout('b'.repeat(20));
    await flush();
    xterm.parseAll();
    connection.stdout('c'.repeat(30));
    await flush();
    xterm.parseAll();
    expect(acked()).toEqual([['ack', 10]]);
    jest.advanceTimersByTime(50);
    expect(acked()).toEqual([
      ['ack', 10],
      ['ack', 50]
    ]);
    expect(acks.sent).toEqual({ acks: 2, chars: 60 });
  });

  it('acks nothing of a previous connection, and nothing while reconnecting', async () => {
    const { connection, xterm, acked } = setup(0);
    connection.stdout('lost');
    await flush();
    connection.setStatus('connecting');
    xterm.parseAll();
    expect(acked()).toEqual([]);
    connection.setStatus('connected');
    connection.stdout('new');
    await flush();
    xterm.parseAll();
    expect(acked()).toEqual([['ack', 3]]);
  });

  it('ignores other messages and stops when disposed', async () => {
    const { connection, xterm, acked, acks } = setup(0);
    connection.messageReceived.emit({ type: 'disconnect', content: [1] });
    connection.stdout('');
    await flush();
    expect(xterm.written).toEqual(['']);
    acks.dispose();
    connection.stdout('late');
    await flush();
    xterm.parseAll();
    expect(acked()).toEqual([]);
    expect(acks.isDisposed).toBe(true);
  });

  it('waits for the terminal to be ready', async () => {
    jest.useRealTimers();
    const connection = new FakeConnection();
    const xterm = new FakeXterm();
    let ready!: () => void;
    new TerminalAcks(
      connection as unknown as TerminalNS.ITerminalConnection,
      { ready: new Promise<void>(r => (ready = r)), probe: () => xterm },
      0
    );
    connection.stdout('early');
    await settle();
    expect(xterm.written).toEqual([]);
    ready();
    await settle();
    expect(xterm.written).toEqual(['']);
    xterm.parseAll();
    expect(connection.sent).toEqual([{ type: 'ack', content: [5] }]);
  });
});
