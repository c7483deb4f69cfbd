/**
 * What the panel's view tests share: walking a rendered virtual DOM, and
 * handlers that record what the view asks for.
 */
import { VirtualElement, VirtualNode } from '@lumino/virtualdom';

import { IProject } from '../tokens';
import { IViewHandlers } from '../view';

/** Every element of a rendered tree, depth first. */
export function elements(node: VirtualNode): VirtualElement[] {
  if (node.type !== 'element') {
    return [];
  }
  return [node, ...node.children.flatMap(elements)];
}

/** The text of a rendered tree. */
export function text(node: VirtualNode): string {
  return node.type === 'text' ? node.content : node.children.map(text).join('');
}

/** The elements of `root` that have the class `name`. */
export const byClass = (root: VirtualNode, name: string): VirtualElement[] =>
  elements(root).filter(e =>
    (e.attrs.className ?? '').split(' ').includes(name)
  );

/** View handlers that only record their calls. */
export function handlers(): jest.Mocked<IViewHandlers> {
  return {
    selectProject: jest.fn(),
    selectPipeline: jest.fn(),
    runPipeline: jest.fn(),
    refresh: jest.fn(),
    toggleMine: jest.fn(),
    debug: jest.fn(),
    retryDebug: jest.fn(),
    openLog: jest.fn(),
    jobAction: jest.fn(),
    pipelineAction: jest.fn(),
    terminalsDisabled: jest.fn(() => null)
  };
}

/** The local runner's project, as the server lists it. */
export const LOCAL_PROJECT: IProject = {
  id: 'local',
  name: 'notebooks',
  backend: 'local',
  instance: 'local',
  host: null
};
