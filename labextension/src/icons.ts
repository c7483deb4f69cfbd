import { LabIcon } from '@jupyterlab/ui-components';

import ciSvgstr from '../style/icons/ci.svg';

/** The CI terminal icon: a shell above a pipeline. */
export const ciIcon = new LabIcon({
  name: 'jupyter-ci-terminal:ci',
  svgstr: ciSvgstr
});
