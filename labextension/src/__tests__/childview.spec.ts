/**
 * Trigger jobs in the panel: a trigger job's row shows the status of the
 * child pipeline it created, as the server gives it, and a button that
 * unfolds the child's jobs under the row.
 */
import { VirtualElement } from '@lumino/virtualdom';

import { CIApi } from '../api';
import { ChildPipelines, IBridge, isBridge } from '../childview';
import { groupJobsByStage } from '../jobs';
import { renderStages } from '../jobview';
import { CIStatus, IJob, IPipeline } from '../tokens';
import { byClass, elements, handlers, text, LOCAL_PROJECT } from './vdom';

jest.mock('../api', () => ({
  CIApi: { listJobs: jest.fn() },
  errorMessage: (error: unknown) => String(error)
}));

const api = CIApi as jest.Mocked<typeof CIApi>;

const PARENT: IPipeline = {
  id: 1,
  status: 'running',
  ref: 'main',
  sha: '0123456789abcdef',
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: null,
  duration: null
};

const job = (
  id: number,
  name: string,
  stage: string,
  status: CIStatus
): IJob => ({
  id,
  name,
  stage,
  status,
  started_at: null,
  finished_at: null,
  duration: null,
  allow_failure: false
});

const bridge = (
  status: CIStatus,
  downstream: { id: number; status: CIStatus } | null
): IBridge => ({
  ...job(2, 'child', 'test', status),
  downstream_pipeline: downstream && {
    ...downstream,
    ref: 'main',
    sha: PARENT.sha,
    source: 'parent_pipeline',
    created_at: PARENT.created_at,
    updated_at: null
  }
});

function render(jobs: IJob[], children?: ChildPipelines): VirtualElement {
  const on = { ...handlers(), children };
  return renderStages(LOCAL_PROJECT, PARENT, groupJobsByStage(jobs), on);
}

const toggle = (root: VirtualElement): VirtualElement =>
  byClass(root, 'jp-CIPanel-downstream')[0];

const click = (button: VirtualElement): void =>
  (button.attrs.onclick as () => void)();

/** Resolve once the pending loads have settled. */
const settle = () => new Promise(resolve => setTimeout(resolve, 0));

beforeEach(() => api.listJobs.mockReset());

describe('a trigger job row', () => {
  it('is told apart from jobs by its downstream_pipeline field', () => {
    expect(isBridge(bridge('success', null))).toBe(true);
    expect(isBridge(job(1, 'build', 'build', 'success'))).toBe(false);
  });

  it('shows its own and its child pipeline status as the server says them', () => {
    const root = render([bridge('running', { id: 7, status: 'failed' })]);
    const [row] = byClass(root, 'jp-CIPanel-bridge');
    expect(row.attrs.dataset).toMatchObject({
      status: 'running',
      downstream: '7'
    });
    const labels = elements(row)
      .filter(e => e.attrs.role === 'img')
      .map(e => e.attrs['aria-label']);
    expect(labels).toEqual(['running', 'failed']);
    expect(text(toggle(root))).toBe('#7');
    expect(toggle(root).attrs['aria-expanded']).toBe('false');
  });

  it('offers no log, terminal or job action: a trigger job runs no script', () => {
    const root = render(
      [bridge('running', { id: 7, status: 'running' })],
      new ChildPipelines()
    );
    for (const name of [
      'jp-CIPanel-debug',
      'jp-CIPanel-cancel',
      'jp-CIPanel-retry'
    ]) {
      expect(byClass(root, name)).toEqual([]);
    }
    expect(byClass(root, 'jp-CIPanel-jobName')[0].tag).toBe('span');
  });

  it('says when the child pipeline does not exist', () => {
    expect(text(render([bridge('pending', null)]))).toContain(
      'child pipeline not created yet'
    );
    expect(text(render([bridge('failed', null)]))).toContain(
      'no child pipeline'
    );
  });
});

describe('unfolding a child pipeline', () => {
  it('loads its jobs and draws them by stage under the trigger job', async () => {
    api.listJobs.mockResolvedValue([
      job(10, 'child_build', 'build', 'success'),
      job(11, 'child_test', 'test', 'failed')
    ]);
    const children = new ChildPipelines();
    const changed = jest.fn();
    children.changed.connect(changed);
    const jobs = [bridge('running', { id: 7, status: 'running' })];
    click(toggle(render(jobs, children)));
    expect(text(render(jobs, children))).toContain('Loading child pipeline #7');
    await settle();
    expect(api.listJobs).toHaveBeenCalledWith('local', 7, {
      includeRetried: true
    });
    const root = render(jobs, children);
    expect(toggle(root).attrs['aria-expanded']).toBe('true');
    const [child] = byClass(root, 'jp-CIPanel-child');
    expect(child.attrs['aria-label']).toBe('Child pipeline #7');
    const rows = byClass(child, 'jp-CIPanel-job');
    expect(rows.map(r => r.attrs.dataset!.job)).toEqual(['10', '11']);
    expect(byClass(child, 'jp-CIPanel-retryDebug')).toHaveLength(1);
    expect(changed).toHaveBeenCalledTimes(2);

    click(toggle(root));
    expect(byClass(render(jobs, children), 'jp-CIPanel-child')).toEqual([]);
  });

  it('reloads with the panel, and folds when another project is shown', async () => {
    api.listJobs.mockResolvedValue([job(10, 'a', 'test', 'running')]);
    const children = new ChildPipelines();
    children.toggle('local', 7);
    await settle();
    api.listJobs.mockResolvedValue([job(10, 'a', 'test', 'success')]);
    await children.refresh('local');
    expect(children.get(7)?.stages?.[0].jobs[0].status).toBe('success');
    await children.refresh('gitlab-42');
    expect(children.get(7)).toBeUndefined();
  });

  it('shows why its jobs could not be loaded', async () => {
    api.listJobs.mockRejectedValue(new Error('runner gone'));
    const children = new ChildPipelines();
    children.toggle('local', 7);
    await settle();
    const jobs = [bridge('running', { id: 7, status: 'running' })];
    expect(text(render(jobs, children))).toContain(
      'Could not load child pipeline #7: Error: runner gone'
    );
  });
});
