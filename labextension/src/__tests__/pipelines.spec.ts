/**
 * The panel's list of recent pipelines: a list of rows, each with a button
 * that shows the pipeline's jobs and its action button beside it (not in a
 * listbox option, which may not contain buttons), and the keys that move
 * between the rows.
 */
import { VirtualElement } from '@lumino/virtualdom';

import { ICIState } from '../model';
import { CIStatus, IPipeline } from '../tokens';
import { IViewHandlers, renderPanel, rowKeyTarget } from '../view';
import { byClass, elements, handlers, text, LOCAL_PROJECT } from './vdom';

// Its formatting reads the page's language (`document`): not in these tests.
jest.mock('@jupyterlab/coreutils', () => ({
  ...jest.requireActual('@jupyterlab/coreutils'),
  Time: { formatHuman: () => 'a minute ago' }
}));

const PROJECT = LOCAL_PROJECT;

const pipeline = (id: number, status: CIStatus): IPipeline => ({
  id,
  status,
  ref: 'main',
  sha: '0123456789abcdef',
  created_at: new Date().toISOString(),
  updated_at: null,
  duration: null
});

const PIPELINES = [
  pipeline(3, 'running'),
  pipeline(2, 'failed'),
  pipeline(1, 'success')
];

function render(on: IViewHandlers, selected = PIPELINES[1]): VirtualElement {
  const state: ICIState = {
    projects: [PROJECT],
    project: PROJECT,
    pipelines: PIPELINES,
    pipeline: selected,
    jobs: [],
    stages: [],
    onlyMine: false,
    error: null,
    loaded: true
  };
  return renderPanel(state, on);
}

describe('the pipeline list', () => {
  it('is a list of rows, with no listbox or option roles', () => {
    const root = render(handlers());
    const [list] = byClass(root, 'jp-CIPanel-pipelines');
    expect(list.tag).toBe('ul');
    expect(list.attrs.role).toBe('list');
    expect(list.attrs['aria-label']).toBe('Recent pipelines');
    const rows = byClass(root, 'jp-CIPanel-pipeline');
    expect(rows.map(row => row.tag)).toEqual(['li', 'li', 'li']);
    expect(rows.map(row => row.attrs.dataset?.pipeline)).toEqual([
      '3',
      '2',
      '1'
    ]);
    const roles = elements(root).map(e => e.attrs.role);
    expect(roles).not.toContain('listbox');
    expect(roles).not.toContain('option');
    expect(rows.some(row => row.attrs.tabindex !== undefined)).toBe(false);
  });

  it('gives each row a button that shows its jobs, marked current when shown', () => {
    const on = handlers();
    const root = render(on);
    const rows = byClass(root, 'jp-CIPanel-pipeline');
    const selects = rows.map(row => row.children[0] as VirtualElement);
    expect(selects.map(s => s.tag)).toEqual(['button', 'button', 'button']);
    expect(selects.map(s => s.attrs.className)).toEqual(
      Array(3).fill('jp-CIPanel-pipelineSelect')
    );
    expect(selects.map(s => s.attrs['aria-current'])).toEqual([
      undefined,
      'true',
      undefined
    ]);
    expect(rows.map(row => row.attrs.className)).toEqual([
      'jp-CIPanel-pipeline',
      'jp-CIPanel-pipeline jp-mod-selected',
      'jp-CIPanel-pipeline'
    ]);
    expect(text(selects[0])).toContain('#3');
    (selects[2].attrs.onclick as () => void)();
    expect(on.selectPipeline).toHaveBeenCalledWith(1);
  });

  it('puts Retry and Cancel beside the row’s main button, not in it', () => {
    const on = handlers();
    const root = render(on);
    const rows = byClass(root, 'jp-CIPanel-pipeline');
    const actions = rows.map(row =>
      row.children
        .slice(1)
        .filter((c): c is VirtualElement => c.type === 'element')
    );
    expect(actions.map(a => a.map(text))).toEqual([['Cancel'], ['Retry'], []]);
    for (const row of rows) {
      const select = row.children[0] as VirtualElement;
      expect(
        elements(select)
          .slice(1)
          .map(e => e.tag)
      ).not.toContain('button');
    }
    const [cancel] = actions[0];
    expect(cancel.tag).toBe('button');
    expect(cancel.attrs.title).toBe('Cancel pipeline #3');
    (cancel.attrs.onclick as () => void)();
    expect(on.pipelineAction).toHaveBeenCalledWith(PIPELINES[0], 'cancel');
    expect(on.selectPipeline).not.toHaveBeenCalled();
    // The context menu's items select on the row's data-action.
    expect(rows.map(row => row.attrs.dataset?.action)).toEqual([
      'cancel',
      'retry',
      ''
    ]);
  });

  it('keys each row by its pipeline', () => {
    const rows = byClass(render(handlers()), 'jp-CIPanel-pipeline');
    expect(rows.map(row => row.attrs.key)).toEqual(['3', '2', '1']);
  });
});

describe('rowKeyTarget', () => {
  it.each([
    ['ArrowDown', 0, 1],
    ['ArrowDown', 2, 2],
    ['ArrowUp', 1, 0],
    ['ArrowUp', 0, 0],
    ['Home', 2, 0],
    ['End', 0, 2],
    ['Enter', 1, null],
    [' ', 1, null],
    ['ArrowLeft', 1, null]
  ] as [string, number, number | null][])(
    '%j from row %d of 3 → %p',
    (key, index, target) => {
      expect(rowKeyTarget(key, index, 3)).toBe(target);
    }
  );
});

describe('the list’s keys', () => {
  /** Press `key` in row `from` (on its main button or action button). */
  function press(key: string, from: number, modifiers = {}) {
    const list = byClass(render(handlers()), 'jp-CIPanel-pipelines')[0];
    const rows = [{}, {}, {}];
    const buttons = rows.map(row => ({ parentElement: row, focus: jest.fn() }));
    const node = { querySelectorAll: () => buttons };
    const event = {
      key,
      target: { closest: () => rows[from] },
      preventDefault: jest.fn(),
      altKey: false,
      ctrlKey: false,
      metaKey: false,
      shiftKey: false,
      ...modifiers
    };
    (list.attrs.onkeydown as (this: unknown, e: unknown) => void).call(
      node,
      event
    );
    const focused = buttons.findIndex(b => b.focus.mock.calls.length > 0);
    return {
      focused: focused < 0 ? null : focused,
      prevented: event.preventDefault.mock.calls.length > 0
    };
  }

  it('move the focus between the rows’ main buttons', () => {
    expect(press('ArrowDown', 0)).toEqual({ focused: 1, prevented: true });
    expect(press('ArrowUp', 2)).toEqual({ focused: 1, prevented: true });
    expect(press('End', 0)).toEqual({ focused: 2, prevented: true });
    expect(press('Home', 2)).toEqual({ focused: 0, prevented: true });
  });

  it('leave Enter, Space and modified keys to the buttons and the page', () => {
    expect(press('Enter', 1)).toEqual({ focused: null, prevented: false });
    expect(press(' ', 1)).toEqual({ focused: null, prevented: false });
    expect(press('End', 0, { shiftKey: true })).toEqual({
      focused: null,
      prevented: false
    });
  });
});
