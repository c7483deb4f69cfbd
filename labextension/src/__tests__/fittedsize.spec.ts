/**
 * A CI terminal tab tells the server only sizes of a fitted terminal.
 */
import { Terminal as TerminalNS } from '@jupyterlab/services';

import { holdUnfittedSizes, isFittedSize } from '../fittedsize';

describe('isFittedSize', () => {
  it.each([
    [[44, 131, 600, 1080], true, true],
    // Connected before xterm.js was opened: its default size.
    [[24, 80, -1, -1], false, false],
    [[24, 80, 600, 1080], false, false],
    // Opened, not laid out yet.
    [[24, 80, -1, -1], true, false],
    [[44, 131], true, false],
    [[44, '131', 600, 1080], true, false]
  ])('%j, opened %s: %s', (content, opened, fitted) => {
    expect(isFittedSize(content, opened)).toBe(fitted);
  });
});

describe('holdUnfittedSizes', () => {
  it('drops sizes until the terminal is opened, passes everything else', () => {
    const sent: TerminalNS.IMessage[] = [];
    const connection = {
      send: (message: TerminalNS.IMessage) => sent.push(message)
    } as unknown as TerminalNS.ITerminalConnection;
    let opened = false;
    holdUnfittedSizes(connection, () => opened);
    connection.send({ type: 'set_size', content: [24, 80, -1, -1] });
    connection.send({ type: 'stdin', content: ['ls\r'] });
    opened = true;
    connection.send({ type: 'set_size', content: [44, 131, 600, 1080] });
    expect(sent).toEqual([
      { type: 'stdin', content: ['ls\r'] },
      { type: 'set_size', content: [44, 131, 600, 1080] }
    ]);
  });
});
