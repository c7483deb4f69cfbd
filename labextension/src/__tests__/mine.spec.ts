/**
 * "Only my pipelines": the setting's default, the model's query, and the
 * panel's toggle button and per-instance project rows.
 */
import schema from '../../schema/plugin.json';
import { CIApi } from '../api';
import { CIModel, ICIState } from '../model';
import { DEFAULT_SETTINGS, IProject } from '../tokens';
import { renderPanel } from '../view';
import { byClass, handlers, text } from './vdom';

jest.mock('../api', () => ({
  CIApi: {
    listProjects: jest.fn(),
    listPipelines: jest.fn(),
    listJobs: jest.fn()
  },
  errorMessage: (error: unknown) => String(error)
}));

const api = CIApi as jest.Mocked<typeof CIApi>;

const project = (id: string, instance: string, host: string): IProject => ({
  id,
  name: 'acme/app',
  backend: 'gitlab',
  instance,
  host
});
const PROJECTS = [
  project('gitlab-42', 'gitlab', 'gitlab.example.com'),
  project('work-42', 'work', 'gitlab.work.example')
];

const state = (extra: Partial<ICIState> = {}): ICIState => ({
  projects: PROJECTS,
  project: PROJECTS[1],
  pipelines: [],
  pipeline: null,
  jobs: [],
  stages: [],
  onlyMine: false,
  error: null,
  loaded: true,
  ...extra
});

describe('the onlyMyPipelines setting', () => {
  it('is off by default, in the schema and in the code', () => {
    expect(schema.properties.onlyMyPipelines.default).toBe(false);
    expect(DEFAULT_SETTINGS.onlyMyPipelines).toBe(false);
  });
});

describe('CIModel.onlyMine', () => {
  beforeEach(() => {
    api.listProjects.mockResolvedValue(PROJECTS);
    api.listPipelines.mockResolvedValue([]);
    api.listJobs.mockResolvedValue([]);
  });

  it('asks the server for the user’s pipelines once turned on', async () => {
    const model = new CIModel({ interval: 3600 });
    try {
      model.active = true;
      await model.refresh();
      expect(api.listPipelines).toHaveBeenLastCalledWith('gitlab-42', {
        onlyMine: false
      });
      model.onlyMine = true;
      await model.refresh();
      expect(model.state.onlyMine).toBe(true);
      expect(api.listPipelines).toHaveBeenLastCalledWith('gitlab-42', {
        onlyMine: true
      });
      model.onlyMine = false;
      await model.refresh();
      expect(api.listPipelines).toHaveBeenLastCalledWith('gitlab-42', {
        onlyMine: false
      });
    } finally {
      model.dispose();
    }
  });
});

describe('the panel', () => {
  it('shows the toggle pressed or not, and flips it on click', () => {
    for (const onlyMine of [false, true]) {
      const on = handlers();
      const root = renderPanel(state({ onlyMine }), on);
      const [toggle] = byClass(root, 'jp-CIPanel-mine');
      expect(text(toggle)).toBe('Only my pipelines');
      expect(toggle.attrs['aria-pressed']).toBe(String(onlyMine));
      (toggle.attrs.onclick as () => void)();
      expect(on.toggleMine).toHaveBeenCalledTimes(1);
    }
  });

  it('says why the list is empty when only the user’s are shown', () => {
    const root = renderPanel(state({ onlyMine: true }), handlers());
    const messages = byClass(root, 'jp-CIPanel-message').map(text);
    expect(messages.join(' ')).toContain('turn off Only my pipelines');
  });

  it('titles the projects of each GitLab with its host', () => {
    const on = handlers();
    const root = renderPanel(state(), on);
    const groups = byClass(root, 'jp-CIPanel-instance');
    expect(groups.map(g => g.attrs.dataset?.instance)).toEqual([
      'gitlab',
      'work'
    ]);
    expect(groups.map(g => text(byClass(g, 'jp-CIPanel-section')[0]))).toEqual([
      'gitlab.example.com',
      'gitlab.work.example'
    ]);
    const tabs = byClass(root, 'jp-CIPanel-project');
    expect(tabs.map(t => t.attrs['aria-selected'])).toEqual(['false', 'true']);
    (tabs[0].attrs.onclick as () => void)();
    expect(on.selectProject).toHaveBeenCalledWith('gitlab-42');
  });
});
