/**
 * A held job's row in the CI panel: the failed icon with "held for
 * debugging, N min left", and End debugging beside Debug.
 */
import { VirtualElement } from '@lumino/virtualdom';

import { groupJobsByStage } from '../jobs';
import { ICIState } from '../model';
import { sameSessions, viewersDetail } from '../runningitems';
import { CIStatus, IJob, IPipeline, ITerminalSession } from '../tokens';
import { IViewHandlers, renderPanel } from '../view';
import { byClass, handlers, LOCAL_PROJECT, text } from './vdom';

jest.mock('@jupyterlab/coreutils', () => ({
  ...jest.requireActual('@jupyterlab/coreutils'),
  Time: { formatHuman: () => 'a minute ago' }
}));

const PIPELINE: IPipeline = {
  id: 7,
  status: 'running',
  ref: 'main',
  sha: '0123456789abcdef',
  created_at: new Date().toISOString(),
  updated_at: null,
  duration: null
};

const job = (status: CIStatus, extra: Partial<IJob> = {}): IJob => ({
  id: 12,
  name: 'train',
  stage: 'test',
  status,
  started_at: null,
  finished_at: null,
  duration: 3,
  allow_failure: false,
  ...extra
});

function row(value: IJob, on: IViewHandlers): VirtualElement {
  const state: ICIState = {
    projects: [LOCAL_PROJECT],
    project: LOCAL_PROJECT,
    pipelines: [PIPELINE],
    pipeline: PIPELINE,
    jobs: [value],
    stages: groupJobsByStage([value]),
    onlyMine: false,
    error: null,
    loaded: true
  };
  return byClass(renderPanel(state, on), 'jp-CIPanel-job')[0];
}

const HELD = job('running', {
  hold: true,
  hold_reason: 'on_failure',
  hold_until: new Date(Date.now() + 28 * 60 * 1000 - 500).toISOString(),
  hold_status: 'failed'
});

describe('a held job in the panel', () => {
  it('shows the failed icon and how long the hold lasts', () => {
    const held = row(HELD, { ...handlers(), endHold: jest.fn() });
    const icon = byClass(held, 'jp-CIStatus')[0];
    expect(icon.attrs.className).toContain('jp-CIStatus-failed');
    expect(icon.attrs.title).toBe('failed, held for debugging, 28 min left');
    expect(text(byClass(held, 'jp-CIPanel-held')[0])).toBe(
      'held for debugging, 28 min left'
    );
    expect(held.attrs.dataset?.held).toBe('true');
  });

  it('offers End debugging beside Debug, which ends the hold', () => {
    const on = { ...handlers(), endHold: jest.fn() };
    const held = row(HELD, on);
    const labels = byClass(held, 'jp-CIPanel-button').map(text);
    expect(labels).toEqual(['Cancel', 'Debug', 'End debugging']);
    const end = byClass(held, 'jp-CIPanel-endHold')[0];
    (end.attrs.onclick as () => void)();
    expect(on.endHold).toHaveBeenCalledWith(HELD);
  });

  it('offers no End debugging on a job that is not held', () => {
    const running = row(job('running'), { ...handlers(), endHold: jest.fn() });
    expect(byClass(running, 'jp-CIPanel-endHold')).toEqual([]);
    expect(running.attrs.dataset?.held).toBe('false');
  });
});

describe('the Running panel items', () => {
  const session = (viewers: number): ITerminalSession => ({
    name: 'local-12',
    project: 'local',
    job: 12,
    job_name: 'train',
    title: 'CI: train #12',
    viewers
  });

  it.each([
    [0, '0 viewers'],
    [1, '1 viewer'],
    [3, '3 viewers']
  ])('details %s viewers as %s', (viewers, detail) => {
    expect(viewersDetail(session(viewers))).toBe(detail);
  });

  it('changes when a session comes, goes or gains a viewer', () => {
    expect(sameSessions([session(1)], [session(1)])).toBe(true);
    expect(sameSessions([session(1)], [session(2)])).toBe(false);
    expect(sameSessions([], [session(1)])).toBe(false);
  });
});
