import {
  gitlabInstances,
  groupByInstance,
  pipelinesQuery,
  projectLabel,
  spansInstances
} from '../projects';
import { IProject } from '../tokens';

const local: IProject = {
  id: 'local',
  name: 'notebooks',
  backend: 'local',
  instance: 'local',
  host: null
};
const app: IProject = {
  id: 'gitlab-42',
  name: 'acme/app',
  backend: 'gitlab',
  instance: 'gitlab',
  host: 'gitlab.example.com'
};
const docs: IProject = { ...app, id: 'gitlab-43', name: 'acme/docs' };
const workApp: IProject = {
  id: 'work-42',
  name: 'acme/app',
  backend: 'gitlab',
  instance: 'work',
  host: 'gitlab.work.example:8443'
};

describe('groupByInstance', () => {
  it('keeps the listing order, one group per backend', () => {
    expect(groupByInstance([local, app, docs, workApp])).toEqual([
      { instance: 'local', label: 'Local runner', projects: [local] },
      {
        instance: 'gitlab',
        label: 'gitlab.example.com',
        projects: [app, docs]
      },
      {
        instance: 'work',
        label: 'gitlab.work.example:8443',
        projects: [workApp]
      }
    ]);
  });

  it('titles a GitLab without host by its name', () => {
    expect(groupByInstance([{ ...app, host: null }])[0].label).toBe('gitlab');
  });

  it('tells whether several backends serve the projects', () => {
    expect(spansInstances([app, docs])).toBe(false);
    expect(spansInstances([app, workApp])).toBe(true);
    expect(spansInstances([])).toBe(false);
  });
});

describe('projectLabel', () => {
  it('says where a project lives only when another has its name', () => {
    const all = [local, app, docs, workApp];
    expect(projectLabel(app, all)).toBe('acme/app (gitlab.example.com)');
    expect(projectLabel(workApp, all)).toBe(
      'acme/app (gitlab.work.example:8443)'
    );
    expect(projectLabel(docs, all)).toBe('acme/docs');
    expect(projectLabel(app, [app, docs])).toBe('acme/app');
    expect(projectLabel(app)).toBe('acme/app');
  });
});

describe('gitlabInstances', () => {
  it('lists each GitLab once, never the local runner', () => {
    expect(gitlabInstances([local, app, docs, workApp])).toEqual([
      { name: 'gitlab', host: 'gitlab.example.com' },
      { name: 'work', host: 'gitlab.work.example:8443' }
    ]);
    expect(gitlabInstances([local])).toEqual([]);
  });
});

describe('pipelinesQuery', () => {
  it('asks for scope=mine only when filtering', () => {
    expect(pipelinesQuery(true)).toBe('?scope=mine');
    expect(pipelinesQuery(false)).toBe('');
  });
});
