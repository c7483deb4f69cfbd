/**
 * What offers "Retry and Debug": every job that offers Retry, in its
 * context menu; a button beside Retry on failed jobs only.
 */
import { VirtualElement } from '@lumino/virtualdom';

import { groupJobsByStage, retryDebugState } from '../jobs';
import { ICIState } from '../model';
import { CIStatus, IJob, IPipeline } from '../tokens';
import { IViewHandlers, renderPanel } from '../view';
import { byClass, handlers, text, LOCAL_PROJECT } from './vdom';

// Its formatting reads the page's language (`document`): not in these tests.
jest.mock('@jupyterlab/coreutils', () => ({
  ...jest.requireActual('@jupyterlab/coreutils'),
  Time: { formatHuman: () => 'a minute ago' }
}));

const PROJECT = LOCAL_PROJECT;

const PIPELINE: IPipeline = {
  id: 7,
  status: 'failed',
  ref: 'main',
  sha: '0123456789abcdef',
  created_at: new Date().toISOString(),
  updated_at: null,
  duration: null
};

let nextId = 1;
const job = (status: CIStatus, extra: Partial<IJob> = {}): IJob => ({
  id: nextId++,
  name: status,
  stage: 'test',
  status,
  started_at: null,
  finished_at: null,
  duration: 3,
  allow_failure: false,
  ...extra
});

function render(jobs: IJob[], on: IViewHandlers): VirtualElement {
  const state: ICIState = {
    projects: [PROJECT],
    project: PROJECT,
    pipelines: [PIPELINE],
    pipeline: PIPELINE,
    jobs,
    stages: groupJobsByStage(jobs),
    onlyMine: false,
    error: null,
    loaded: true
  };
  return renderPanel(state, on);
}

/** The job rows' buttons, by job name: their labels. */
function buttons(root: VirtualElement): Record<string, string[]> {
  return Object.fromEntries(
    byClass(root, 'jp-CIPanel-job').map(row => [
      text(byClass(row, 'jp-CIPanel-jobName')[0]),
      byClass(row, 'jp-CIPanel-button').map(text)
    ])
  );
}

describe('retryDebugState', () => {
  it.each([
    ['failed', true],
    ['canceled', false],
    ['success', false]
  ] as [CIStatus, boolean][])(
    'offers it on a %s job (button: %s)',
    (status, button) => {
      const finished = job(status, { name: 'unit', id: 12 });
      expect(retryDebugState(finished)).toEqual({
        button,
        enabled: true,
        title:
          "Retry unit #12 and open the new job's terminal as soon as it runs"
      });
    }
  );

  it.each([
    'running',
    'pending',
    'created',
    'manual',
    'scheduled',
    'skipped',
    'canceling'
  ] as CIStatus[])('offers nothing on a %s job', status => {
    expect(retryDebugState(job(status))).toBeNull();
  });

  it('offers nothing on a replaced attempt or a held job', () => {
    expect(retryDebugState(job('failed', { retried: true }))).toBeNull();
    expect(retryDebugState(job('running', { hold: true }))).toBeNull();
  });

  it('shows it on failures that are allowed too', () => {
    expect(
      retryDebugState(job('failed', { allow_failure: true }))?.button
    ).toBe(true);
  });

  it('is disabled, with the reason, when terminals are switched off', () => {
    expect(
      retryDebugState(job('failed'), 'CI terminals are disabled.')
    ).toEqual({
      button: true,
      enabled: false,
      title: 'CI terminals are disabled.'
    });
  });
});

describe('the job rows', () => {
  const jobs = () => [
    job('failed'),
    job('success'),
    job('canceled'),
    job('running')
  ];

  it('show Retry and Debug beside Retry on failed jobs only', () => {
    expect(buttons(render(jobs(), handlers()))).toEqual({
      failed: ['Retry', 'Retry and Debug'],
      success: ['Retry'],
      canceled: ['Retry'],
      running: ['Cancel', 'Debug']
    });
  });

  it('retry and debug the job when it is pressed', () => {
    const on = handlers();
    const [failed] = jobs();
    const [button] = byClass(render([failed], on), 'jp-CIPanel-retryDebug');
    expect(button.attrs.title).toBe(
      `Retry failed #${failed.id} and open the new job's terminal as soon as it runs`
    );
    (button.attrs.onclick as () => void)();
    expect(on.retryDebug).toHaveBeenCalledWith(failed);
    expect(on.jobAction).not.toHaveBeenCalled();
  });

  it('mark the rows whose context menu offers it', () => {
    const rows = byClass(render(jobs(), handlers()), 'jp-CIPanel-job');
    // The menu item selects on data-action="retry", as Retry's does.
    expect(rows.map(row => row.attrs.dataset?.action)).toEqual([
      'retry',
      'retry',
      'retry',
      'cancel'
    ]);
  });

  it('disable it, keeping the reason as its tooltip, when terminals are off', () => {
    const on = handlers();
    on.terminalsDisabled.mockReturnValue('CI terminals are disabled.');
    const [button] = byClass(
      render([job('failed')], on),
      'jp-CIPanel-retryDebug'
    );
    expect(button.attrs['aria-disabled']).toBe('true');
    expect(button.attrs.onclick).toBeUndefined();
    expect(button.attrs.title).toBe('CI terminals are disabled.');
  });
});
