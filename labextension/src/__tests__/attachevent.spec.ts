/**
 * A kernel's `%ci_attach`: the open-terminal event names the session the
 * kernel's request created, and JupyterLab opens that one by name.
 */
import { onOpenTerminalEvent, openTerminalEvent } from '../attachevent';
import { OPEN_TERMINAL_EVENT } from '../tokens';

const event = {
  schema_id: OPEN_TERMINAL_EVENT,
  project: 'local',
  job: 42,
  name: 'local-42',
  title: 'CI: train #42',
  notebook: 'demo.ipynb'
};

describe('openTerminalEvent', () => {
  it('reads the session the event names', () => {
    expect(openTerminalEvent(event)).toEqual({
      project: 'local',
      job: 42,
      name: 'local-42',
      title: 'CI: train #42'
    });
  });

  it.each([
    ['another schema', { ...event, schema_id: 'https://example.org/other' }],
    ['no session name', { ...event, name: undefined }],
    ['an empty session name', { ...event, name: '' }],
    ['a job id that is no number', { ...event, job: '42' }]
  ])('ignores an event with %s', (_, other) => {
    expect(openTerminalEvent(other)).toBeNull();
  });
});

describe('onOpenTerminalEvent', () => {
  it('opens the named session, once, and asks for no other', async () => {
    const open = jest.fn().mockResolvedValue(null);
    const report = jest.fn();
    await onOpenTerminalEvent(event, open, report);
    expect(open.mock.calls).toEqual([['local-42']]);
    expect(report).not.toHaveBeenCalled();
  });

  it('leaves other events alone', async () => {
    const open = jest.fn();
    await onOpenTerminalEvent({ schema_id: 'other' }, open, jest.fn());
    expect(open).not.toHaveBeenCalled();
  });

  it('reports why the tab could not open', async () => {
    const gone = new Error('There is no CI terminal session');
    const report = jest.fn();
    await onOpenTerminalEvent(event, () => Promise.reject(gone), report);
    expect(report).toHaveBeenCalledWith(gone);
  });
});
