/**
 * Small pieces every CI view draws alike: status badges, buttons that keep
 * their tooltip when disabled, and one-line messages.
 */
import { h, VirtualElement } from '@lumino/virtualdom';

import { statusLabel } from './jobs';
import { IJob } from './tokens';

/**
 * A row's virtual DOM key among its siblings, and the row id of its
 * controls' focus keys (see `focuskeep`).
 */
export interface IRowKeys {
  key: string;
  row: string;
}

/** A status icon with its label for tooltips and screen readers. */
export function statusBadge(className: string, text: string): VirtualElement {
  const label = statusLabel(text as IJob['status']);
  return h.span({
    className: `jp-CIStatus ${className}`,
    title: label,
    role: 'img',
    'aria-label': label
  });
}

/**
 * A button of the panel or a tab's strip.
 *
 * A disabled button stays focusable and keeps its tooltip (browsers show no
 * tooltip on `disabled` buttons): it is marked `aria-disabled` and ignores
 * clicks.
 */
export function actionButton(
  label: string,
  onclick: () => void,
  options: {
    title?: string;
    disabled?: boolean;
    className?: string;
    /** Its focus key (see `focuskeep`), in views re-rendered while in use. */
    focus?: string;
  } = {}
): VirtualElement {
  return h.button(
    {
      className: `jp-CIPanel-button ${options.className ?? ''}`.trim(),
      title: options.title ?? label,
      ...(options.focus ? { dataset: { focus: options.focus } } : {}),
      ...(options.disabled ? { 'aria-disabled': 'true' } : { onclick })
    },
    label
  );
}

/** A one-line message in the panel. */
export function message(text: string, className = ''): VirtualElement {
  return h.p({ className: `jp-CIPanel-message ${className}`.trim() }, text);
}
