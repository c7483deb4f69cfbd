import {
  debugState,
  formatDuration,
  groupJobsByStage,
  isFinished,
  jobAction,
  jobStatusClass,
  jobStatusText,
  pipelineAction,
  stageStatusClass
} from '../jobs';
import { CIStatus, IJob } from '../tokens';

let nextId = 1;
const job = (stage: string, status: CIStatus, extra: Partial<IJob> = {}) =>
  ({
    id: nextId++,
    name: `${stage}-${nextId}`,
    stage,
    status,
    started_at: null,
    finished_at: null,
    duration: null,
    allow_failure: false,
    ...extra
  }) as IJob;

describe('groupJobsByStage', () => {
  it('orders stages by their oldest job and jobs by id', () => {
    const build = job('build', 'success', { stage_status: 'success' });
    const test1 = job('test', 'running', { stage_status: 'running' });
    const test2 = job('test', 'pending', { stage_status: 'running' });
    const deploy = job('deploy', 'created', { stage_status: 'created' });
    const stages = groupJobsByStage([deploy, test2, build, test1]);
    expect(stages.map(s => s.name)).toEqual(['build', 'test', 'deploy']);
    expect(stages[1].jobs).toEqual([test1, test2]);
    expect(stages.map(s => s.status)).toEqual([
      'success',
      'running',
      'created'
    ]);
  });

  it('leaves out attempts replaced by a retry', () => {
    const old = job('test', 'failed', { retried: true, name: 'unit' });
    const retry = job('test', 'running', { name: 'unit' });
    expect(groupJobsByStage([old, retry])[0].jobs).toEqual([retry]);
  });

  it('orders stages by replaced attempts too', () => {
    const old = job('build', 'failed', { retried: true });
    const test = job('test', 'success');
    const retry = job('build', 'success');
    const stages = groupJobsByStage([test, retry, old]);
    expect(stages.map(s => s.name)).toEqual(['build', 'test']);
    expect(stages[0].jobs).toEqual([retry]);
  });

  it('keeps a known stage order when a retry reorders ids', () => {
    const test = job('test', 'success');
    const deploy = job('deploy', 'success');
    const retriedBuild = job('build', 'running');
    expect(
      groupJobsByStage([test, deploy, retriedBuild]).map(s => s.name)
    ).toEqual(['test', 'deploy', 'build']);
    expect(
      groupJobsByStage(
        [test, deploy, retriedBuild],
        ['build', 'test', 'deploy']
      ).map(s => s.name)
    ).toEqual(['build', 'test', 'deploy']);
  });

  it('drops known stages that have no job any more', () => {
    expect(groupJobsByStage([job('a', 'success')], ['gone', 'a'])).toEqual([
      expect.objectContaining({ name: 'a' })
    ]);
  });

  it('is empty without jobs', () => {
    expect(groupJobsByStage([])).toEqual([]);
  });
});

describe('stage statuses', () => {
  it("shows the server's stage status, never composing one", () => {
    // The server's rule (GitLab's) says manual where a failure sits beside it.
    const failed = job('s', 'failed', { stage_status: 'manual' });
    const manual = job('s', 'manual', { stage_status: 'manual' });
    expect(groupJobsByStage([failed, manual])[0].status).toBe('manual');
  });

  it('shows created when the listing carries no stage status', () => {
    expect(groupJobsByStage([job('s', 'failed')])[0].status).toBe('created');
  });

  it('shows a passed stage with an allowed failure as a warning', () => {
    const allowed = job('s', 'failed', {
      allow_failure: true,
      stage_status: 'success'
    });
    const [stage] = groupJobsByStage([
      allowed,
      job('s', 'success', { stage_status: 'success' })
    ]);
    expect(stageStatusClass(stage)).toBe('jp-CIStatus-warning');
    const [passed] = groupJobsByStage([
      job('t', 'success', { stage_status: 'success' })
    ]);
    expect(stageStatusClass(passed)).toBe('jp-CIStatus-success');
  });
});

describe('jobAction', () => {
  it.each([
    ['manual', 'play'],
    ['scheduled', 'play'],
    ['failed', 'retry'],
    ['canceled', 'retry'],
    ['success', 'retry'],
    ['running', 'cancel'],
    ['pending', 'cancel'],
    ['created', 'cancel'],
    ['canceling', null],
    ['skipped', null]
  ] as [CIStatus, string | null][])('%s → %s', (status, action) => {
    expect(jobAction(job('s', status))?.action ?? null).toBe(action);
  });

  it('offers nothing on a replaced attempt', () => {
    expect(jobAction(job('s', 'failed', { retried: true }))).toBeNull();
  });
});

describe('pipelineAction', () => {
  it('offers Cancel while the pipeline is queued or running', () => {
    for (const status of [
      'created',
      'waiting_for_resource',
      'preparing',
      'pending',
      'running',
      'scheduled'
    ] as CIStatus[]) {
      expect(pipelineAction({ status })).toEqual({
        action: 'cancel',
        label: 'Cancel'
      });
    }
  });

  it('offers Retry once the pipeline failed or was canceled', () => {
    for (const status of ['failed', 'canceled'] as CIStatus[]) {
      expect(pipelineAction({ status })).toEqual({
        action: 'retry',
        label: 'Retry'
      });
    }
  });

  it('offers nothing for a passed, skipped, manual or canceling pipeline', () => {
    for (const status of [
      'success',
      'skipped',
      'manual',
      'canceling'
    ] as CIStatus[]) {
      expect(pipelineAction({ status })).toBeNull();
    }
  });
});

describe('debugState', () => {
  it('offers Debug on running and held jobs only', () => {
    expect(debugState(job('s', 'running'))?.enabled).toBe(true);
    expect(debugState(job('s', 'failed', { hold: true }))?.enabled).toBe(true);
    expect(debugState(job('s', 'success'))).toBeNull();
    expect(debugState(job('s', 'pending'))).toBeNull();
  });

  it("disables Debug with the backend's reason", () => {
    const state = debugState(
      job('s', 'running', {
        terminal: {
          available: false,
          reason: 'The runner has no session server.'
        }
      })
    );
    expect(state).toEqual({
      enabled: false,
      title: 'The runner has no session server.'
    });
  });

  it('disables Debug everywhere when terminals are switched off', () => {
    expect(
      debugState(job('s', 'running'), 'CI terminals are disabled.')
    ).toEqual({
      enabled: false,
      title: 'CI terminals are disabled.'
    });
  });
});

describe('status words', () => {
  it('qualifies allowed failures and holds', () => {
    const allowed = job('s', 'failed', { allow_failure: true });
    expect(jobStatusText(allowed)).toBe('failed (allowed to fail)');
    expect(jobStatusClass(allowed)).toBe('jp-CIStatus-warning');
    const held = job('s', 'running', { hold: true });
    expect(jobStatusText(held)).toBe('running, held for debugging');
    expect(jobStatusText(job('s', 'waiting_for_resource'))).toBe(
      'waiting for resource'
    );
  });

  it('knows finished statuses', () => {
    expect(isFinished('failed')).toBe(true);
    expect(isFinished('running')).toBe(false);
  });

  it('formats durations', () => {
    expect(formatDuration(null)).toBe('');
    expect(formatDuration(5.4)).toBe('5s');
    expect(formatDuration(65)).toBe('1m 05s');
  });
});
