import {
  droppedNotice,
  projectWithIdentity,
  readRestoreKey
} from '../restorekeys';
import { IProject } from '../tokens';

const project = (id: string, identity?: string): IProject => ({
  id,
  name: id,
  backend: id === 'local' ? 'local' : 'gitlab',
  instance: id === 'local' ? 'local' : 'gitlab',
  host: null,
  ...(identity === undefined ? {} : { identity })
});

describe('projectWithIdentity', () => {
  const served = [
    project('local', 'local:1f2e'),
    project('gitlab-42', 'gitlab:https://gitlab.example.com/acme/app'),
    project('gitlab-43')
  ];

  it.each([
    ['local:1f2e', 'local'],
    ['local:9999', null], // another folder's project, also served as "local"
    ['gitlab:https://gitlab.example.com/acme/app', 'gitlab-42'],
    ['gitlab:https://other.example.com/acme/app', null],
    ['gitlab:gitlab-43', 'gitlab-43'] // a server that sends no identity
  ])('%s is served as %j', (identity, id) => {
    expect(projectWithIdentity(served, identity)).toBe(id);
  });
});

describe('readRestoreKey', () => {
  it.each([
    [
      { identity: 'local:1f2e', job: 4, title: 'Log: train #4' },
      { identity: 'local:1f2e', job: 4, title: 'Log: train #4' }
    ],
    [
      { identity: 'local:1f2e', job: 4, name: 'ci-1' },
      { identity: 'local:1f2e', job: 4, title: '#4', name: 'ci-1' }
    ],
    // Saved before tabs were keyed by project identity: not trusted.
    [{ project: 'local', job: 4, restore: true }, null],
    [{ identity: '', job: 4 }, null],
    [{ identity: 'local:1f2e', job: 0 }, null],
    [{ identity: 'local:1f2e', job: '4' }, null]
  ])('%j reads as %j', (args, key) => {
    expect(readRestoreKey(args)).toEqual(key);
  });
});

describe('droppedNotice', () => {
  it.each([
    [
      ['Log: train #4'],
      'The tab "Log: train #4" was not restored: its CI project is not served by this Jupyter server, or its session has ended.'
    ],
    [
      ['Log: train #4', 'CI: build #3'],
      '2 tabs were not restored ("Log: train #4", "CI: build #3"): their CI project is not served by this Jupyter server, or their session has ended.'
    ]
  ])('%j: %s', (titles, text) => {
    expect(droppedNotice(titles)).toBe(text);
  });
});
