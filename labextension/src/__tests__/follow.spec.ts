/**
 * "Retry and Debug" follows the retried job until it runs: the state
 * machine, with a fake clock and scripted fetches, and what it tells.
 */
import {
  FOLLOW_TIMEOUT,
  followStep,
  followUntilRunning,
  IFollowOptions,
  outcomeMessage,
  pollDelay,
  sleep,
  waitingMessage
} from '../follow';
import { CIStatus, IJob } from '../tokens';

const job = (status: CIStatus, extra: Partial<IJob> = {}): IJob => ({
  id: 13,
  name: 'unit',
  stage: 'test',
  status,
  started_at: null,
  finished_at: null,
  duration: null,
  allow_failure: false,
  ...extra
});

/**
 * Options whose clock only moves when the follower sleeps, and whose
 * fetches answer `answers` in turn (an Error is thrown).
 */
function scripted(
  answers: (CIStatus | Error)[],
  extra: Partial<IFollowOptions> = {}
) {
  const clock = { now: 0 };
  const sleeps: number[] = [];
  const fetch = jest.fn(async () => {
    const answer = answers.shift();
    if (answer === undefined) {
      throw new Error('fetched once too often');
    }
    if (answer instanceof Error) {
      throw answer;
    }
    return job(answer);
  });
  const options: IFollowOptions = {
    fetch,
    now: () => clock.now,
    sleep: async ms => {
      sleeps.push(ms);
      clock.now += ms;
    },
    ...extra
  };
  return { options, fetch, sleeps, clock };
}

describe('followStep', () => {
  it.each([
    ['created', 'wait'],
    ['waiting_for_resource', 'wait'],
    ['preparing', 'wait'],
    ['pending', 'wait'],
    ['scheduled', 'wait'],
    ['canceling', 'wait'],
    ['running', 'running'],
    ['manual', 'manual'],
    ['success', 'ended'],
    ['failed', 'ended'],
    ['canceled', 'ended'],
    ['skipped', 'ended']
  ] as [CIStatus, string][])('%s → %s', (status, step) => {
    expect(followStep(job(status))).toBe(step);
  });
});

describe('followUntilRunning', () => {
  it('opens at once on a job that already runs, without fetching', async () => {
    const { options, fetch } = scripted([]);
    const outcome = await followUntilRunning(job('running'), options);
    expect(outcome).toEqual({
      kind: 'running',
      job: job('running'),
      waited: 0
    });
    expect(fetch).not.toHaveBeenCalled();
  });

  it('polls every second until the job runs, telling each new status waited on', async () => {
    const onStatus = jest.fn();
    const { options, fetch, sleeps } = scripted(
      ['created', 'pending', 'pending', 'running'],
      { onStatus }
    );
    const outcome = await followUntilRunning(job('created'), options);
    expect(outcome.kind).toBe('running');
    expect(outcome.waited).toBe(4000);
    expect(fetch).toHaveBeenCalledTimes(4);
    expect(sleeps).toEqual([1000, 1000, 1000, 1000]);
    expect(onStatus.mock.calls.map(([j]) => j.status)).toEqual(['pending']);
  });

  it('slows down after a minute', () => {
    expect(pollDelay(0)).toBe(1000);
    expect(pollDelay(59_999)).toBe(1000);
    expect(pollDelay(60_000)).toBe(5000);
  });

  it.each([
    ['failed', 'ended'],
    ['canceled', 'ended'],
    ['success', 'ended'],
    ['manual', 'manual']
  ] as [CIStatus, string][])(
    'gives up when the job turns %s before running',
    async (status, kind) => {
      const { options } = scripted(['pending', status]);
      const outcome = await followUntilRunning(job('pending'), options);
      expect(outcome).toEqual({ kind, job: job(status), waited: 2000 });
    }
  );

  it('stops when aborted, even in the middle of a wait', async () => {
    const controller = new AbortController();
    const { options, fetch } = scripted(['pending'], {
      signal: controller.signal,
      sleep: async () => controller.abort()
    });
    const outcome = await followUntilRunning(job('pending'), options);
    expect(outcome.kind).toBe('stopped');
    expect(fetch).not.toHaveBeenCalled();
  });

  it('does not start when already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const { options } = scripted([], { signal: controller.signal });
    expect((await followUntilRunning(job('running'), options)).kind).toBe(
      'stopped'
    );
  });

  it('times out, sleeping no further than the deadline', async () => {
    const { options, sleeps } = scripted(['pending', 'pending', 'pending'], {
      timeout: 2500
    });
    const outcome = await followUntilRunning(job('pending'), options);
    expect(outcome).toMatchObject({ kind: 'timeout', waited: 2500 });
    expect(sleeps).toEqual([1000, 1000, 500]);
  });

  it('waits 30 minutes by default', async () => {
    const { options } = scripted(Array(500).fill('pending'));
    const outcome = await followUntilRunning(job('pending'), options);
    expect(outcome).toMatchObject({ kind: 'timeout', waited: FOLLOW_TIMEOUT });
  });

  it('rides out a failed fetch, and gives up after three in a row', async () => {
    const down = new Error('down');
    const recovers = scripted([down, down, 'running']);
    expect(
      (await followUntilRunning(job('pending'), recovers.options)).kind
    ).toBe('running');
    const fails = scripted(['pending', down, down, down]);
    const outcome = await followUntilRunning(job('created'), fails.options);
    expect(outcome).toEqual({
      kind: 'error',
      job: job('pending'),
      waited: 4000,
      error: down
    });
  });
});

describe('sleep', () => {
  it('resolves early when aborted', async () => {
    jest.useFakeTimers();
    try {
      const controller = new AbortController();
      const done = jest.fn();
      const slept = sleep(60_000, controller.signal).then(done);
      await Promise.resolve();
      expect(done).not.toHaveBeenCalled();
      controller.abort();
      await slept;
      expect(done).toHaveBeenCalled();
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });

  it('resolves after the delay', async () => {
    jest.useFakeTimers();
    try {
      const slept = sleep(1000);
      jest.advanceTimersByTime(1000);
      await expect(slept).resolves.toBeUndefined();
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('messages', () => {
  it('says what is waited for, with the state', () => {
    expect(waitingMessage(job('waiting_for_resource'))).toBe(
      'Waiting for unit #13 to start… (waiting for resource)'
    );
  });

  it('says in one sentence why no terminal opened', () => {
    const outcome = (kind: string, status: CIStatus, extra = {}) =>
      outcomeMessage(
        { kind, job: job(status), waited: 30 * 60 * 1000, ...extra } as never,
        error => `[${(error as Error).message}]`
      );
    expect(outcome('ended', 'failed')).toBe(
      'unit #13 ended (failed) before its terminal could open.'
    );
    expect(outcome('manual', 'manual')).toBe(
      'unit #13 waits to be started by hand: press Play, then Debug once it runs.'
    );
    expect(outcome('timeout', 'pending')).toBe(
      'unit #13 has not started after 30m 00s; stopped waiting for it.'
    );
    expect(outcome('error', 'pending', { error: new Error('gone') })).toBe(
      'Stopped waiting for unit #13: [gone]'
    );
    expect(outcome('running', 'running')).toBeNull();
    expect(outcome('stopped', 'pending')).toBeNull();
  });
});
