/**
 * Why a job waits (the runner's `pending_reason`): a line under its row in
 * the CI panel, and "Waiting: <reason>" over its log.
 */
import { groupJobsByStage } from '../jobs';
import { renderStages } from '../jobview';
import { waitingText } from '../logstate';
import { CIStatus, IJob, IPipeline } from '../tokens';
import { byClass, handlers, LOCAL_PROJECT, text } from './vdom';

const PIPELINE: IPipeline = {
  id: 7,
  status: 'running',
  ref: 'main',
  sha: '0123456789abcdef',
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: null,
  duration: null
};

const job = (status: CIStatus, pending_reason: string | null): IJob => ({
  id: 12,
  name: 'train',
  stage: 'test',
  stage_status: 'running',
  status,
  started_at: null,
  finished_at: null,
  duration: null,
  allow_failure: false,
  pending_reason
});

const row = (j: IJob) =>
  byClass(
    renderStages(LOCAL_PROJECT, PIPELINE, groupJobsByStage([j]), handlers()),
    'jp-CIPanel-job'
  )[0];

describe('a waiting job row', () => {
  const reason = 'waiting for a free slot: 2 jobs run at a time (build, lint)';

  it('says why the job waits on a line of its own, whole in its tooltip', () => {
    const [line] = byClass(row(job('pending', reason)), 'jp-CIPanel-reason');
    expect(text(line)).toBe(reason);
    expect(line.attrs.title).toBe(reason);
  });

  it('puts the reason in the name button tooltip too', () => {
    const [name] = byClass(row(job('pending', reason)), 'jp-CIPanel-jobName');
    expect(name.attrs.title).toBe(
      `train #12: pending. ${reason}. Open its log`
    );
  });

  it('has no reason line when the job does not wait', () => {
    expect(byClass(row(job('running', null)), 'jp-CIPanel-reason')).toEqual([]);
    const [name] = byClass(row(job('running', null)), 'jp-CIPanel-jobName');
    expect(name.attrs.title).toBe('train #12: running. Open its log');
  });
});

describe('waitingText', () => {
  it.each<[string | null | undefined, string | null]>([
    ['waiting for needs: build', 'Waiting for needs: build'],
    [
      'waiting for resource group prod: held by deploy #3',
      'Waiting for resource group prod: held by deploy #3'
    ],
    ['delayed until 12:30:00', 'Waiting: delayed until 12:30:00'],
    ['', null],
    ['  ', null],
    [null, null],
    [undefined, null]
  ])('%j → %j', (pending_reason, expected) => {
    expect(waitingText({ pending_reason })).toBe(expected);
  });
});
