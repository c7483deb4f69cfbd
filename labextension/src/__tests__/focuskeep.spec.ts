/**
 * The panel's re-renders keep the keyboard focus: every control has a focus
 * key that names it across renders, job rows are keyed by what a retry
 * keeps, and the pipeline list keeps its place among the panel's parts
 * whatever comes and goes above it.
 */
import { VirtualElement } from '@lumino/virtualdom';

import { focusCandidates, focusKey } from '../focuskeep';
import { groupJobsByStage } from '../jobs';
import { jobRowKey } from '../jobview';
import { ICIState } from '../model';
import { CIStatus, IJob, IPipeline, IProject } from '../tokens';
import { renderPanel } from '../view';
import { byClass, elements, handlers, LOCAL_PROJECT } from './vdom';

// Its formatting reads the page's language (`document`): not in these tests.
jest.mock('@jupyterlab/coreutils', () => ({
  ...jest.requireActual('@jupyterlab/coreutils'),
  Time: { formatHuman: () => 'a minute ago' }
}));

const pipeline = (id: number, status: CIStatus): IPipeline => ({
  id,
  status,
  ref: 'main',
  sha: '0123456789abcdef',
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: null,
  duration: null
});

const job = (id: number, name: string, status: CIStatus): IJob => ({
  id,
  name,
  stage: 'test',
  status,
  started_at: null,
  finished_at: null,
  duration: null,
  allow_failure: false
});

const OTHER_PROJECT: IProject = {
  ...LOCAL_PROJECT,
  id: 'gitlab-1',
  name: 'app',
  backend: 'gitlab',
  instance: 'gitlab.example.com',
  host: 'gitlab.example.com'
};

const PIPELINES = [pipeline(3, 'running'), pipeline(2, 'failed')];

function state(changes: Partial<ICIState> = {}): ICIState {
  const jobs = [job(10, 'build', 'success'), job(11, 'debug-me', 'running')];
  return {
    projects: [LOCAL_PROJECT],
    project: LOCAL_PROJECT,
    pipelines: PIPELINES,
    pipeline: PIPELINES[0],
    jobs,
    stages: groupJobsByStage(jobs),
    onlyMine: false,
    error: null,
    loaded: true,
    ...changes
  };
}

const focusKeys = (root: VirtualElement): string[] =>
  elements(root)
    .map(e => e.attrs.dataset?.focus)
    .filter((key): key is string => key !== undefined);

describe('focusCandidates', () => {
  it.each([
    ['pipeline:3/main', ['pipeline:3/main']],
    ['pipeline:3/action', ['pipeline:3/action', 'pipeline:3/main']],
    ['job:3:debug-me/debug', ['job:3:debug-me/debug', 'job:3:debug-me/main']],
    // A job name may hold a slash: the control is after the last one.
    [
      'job:3:deploy/eu/debug',
      ['job:3:deploy/eu/debug', 'job:3:deploy/eu/main']
    ],
    ['orphan', ['orphan']]
  ])('%s → %j', (key, candidates) => {
    expect(focusCandidates(key)).toEqual(candidates);
  });

  it('round-trips focusKey', () => {
    expect(focusCandidates(focusKey('row', 'x'))).toEqual([
      'row/x',
      focusKey('row')
    ]);
  });
});

describe('jobRowKey', () => {
  it.each([
    ['a b', 1, 'b'],
    ['a', 0, 'a'],
    // Two rows of one name (not from GitLab): the later one adds its id.
    ['a a', 0, 'a'],
    ['a a', 1, 'a#2']
  ])('rows %s, row %i → %s', (names, index, key) => {
    const jobs = names.split(' ').map((name, i) => job(i + 1, name, 'success'));
    expect(jobRowKey(jobs, index)).toBe(key);
  });
});

describe('the panel across re-renders', () => {
  it('gives every control a unique focus key', () => {
    const root = renderPanel(state(), handlers());
    const buttons = elements(root).filter(e => e.tag === 'button');
    const keys = focusKeys(root);
    expect(keys).toHaveLength(buttons.length);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual(
      expect.arrayContaining([
        'panel/run',
        'pipeline:3/main',
        'pipeline:3/action',
        'job:3:debug-me/main',
        'job:3:debug-me/debug'
      ])
    );
  });

  it('keeps a job row’s keys when the job is retried or changes status', () => {
    const before = renderPanel(state(), handlers());
    const retried = [
      job(10, 'build', 'success'),
      job(12, 'debug-me', 'failed')
    ];
    const after = renderPanel(
      state({ jobs: retried, stages: groupJobsByStage(retried) }),
      handlers()
    );
    const rows = (root: VirtualElement) =>
      byClass(root, 'jp-CIPanel-job').map(row => row.attrs.key);
    expect(rows(after)).toEqual(rows(before));
    expect(rows(after)).toEqual(['build', 'debug-me']);
    const [name] = byClass(after, 'jp-CIPanel-jobName').slice(1);
    expect(name.attrs.dataset?.focus).toBe('job:3:debug-me/main');
  });

  const layouts: [string, Partial<ICIState>][] = [
    ['as usual', {}],
    ['with an error', { error: 'The server did not answer.' }],
    [
      'with projects of two backends',
      { projects: [LOCAL_PROJECT, OTHER_PROJECT] }
    ],
    ['without jobs', { jobs: [], stages: [] }],
    ['with another pipeline shown', { pipeline: PIPELINES[1] }]
  ];

  it.each(layouts)('keeps the pipeline list in its place %s', (_, changes) => {
    const shape = (root: VirtualElement) => {
      const children = root.children as VirtualElement[];
      const list = children.findIndex(
        child => child.attrs.className === 'jp-CIPanel-pipelines'
      );
      // What precedes the list: lumino updates it in place when the tags match.
      return children.slice(0, list + 1).map(child => child.tag);
    };
    const usual = shape(renderPanel(state(), handlers()));
    expect(usual).toContain('ul');
    expect(shape(renderPanel(state(changes), handlers()))).toEqual(usual);
  });
});
