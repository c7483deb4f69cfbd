/**
 * Keeping the keyboard focus through a re-render of a virtual DOM view.
 *
 * Lumino's `VirtualDOM.render` updates nodes in place where it can, but it
 * moves keyed nodes (`insertBefore`) and recreates nodes whose tag or key
 * changed; a focused button inside a moved or recreated node loses the focus
 * (the browser drops it to `document.body`), and a node updated in place may
 * come to stand for another control. So every focusable control of such a
 * view carries a stable *focus key* (`data-focus`: its row's id and the
 * control's role in the row), and after each render the focus is put back
 * on the control with the same key, or on its row's main control when that
 * control is gone (a Cancel button that became Retry).
 */
import { VirtualDOM, VirtualElement } from '@lumino/virtualdom';

/** The role of a row's main control: where the focus goes when its own control is gone. */
export const MAIN_CONTROL = 'main';

/** The focus key of `control` in the row `row` (`data-focus`). */
export function focusKey(row: string, control: string = MAIN_CONTROL): string {
  return `${row}/${control}`;
}

/**
 * The focus keys to try, in order, to give the focus back to the control
 * keyed `key`: itself, then its row's main control.
 */
export function focusCandidates(key: string): string[] {
  const slash = key.lastIndexOf('/');
  if (slash < 0) {
    return [key];
  }
  const main = focusKey(key.slice(0, slash));
  return main === key ? [key] : [key, main];
}

/**
 * Render `content` into `host` (as `VirtualDOM.render` does) and, when a
 * control of `host` had the focus, give it back to the control with the
 * same focus key (see `focusCandidates`).
 */
export function renderKeepingFocus(
  content: VirtualElement,
  host: HTMLElement
): void {
  const key = focusedKey(host);
  VirtualDOM.render(content, host);
  if (key === null || focusedKey(host) === key) {
    return;
  }
  const active = host.ownerDocument.activeElement;
  // Rendering moves the focus nowhere but to the body (or leaves it on a
  // node of the host): anywhere else, someone else put it there.
  if (
    active !== null &&
    active !== host.ownerDocument.body &&
    !host.contains(active)
  ) {
    return;
  }
  for (const candidate of focusCandidates(key)) {
    const target = [...host.querySelectorAll<HTMLElement>('[data-focus]')].find(
      node => node.dataset.focus === candidate
    );
    if (target) {
      target.focus({ preventScroll: true });
      return;
    }
  }
}

/** The focus key of the focused control of `host`, or null. */
function focusedKey(host: HTMLElement): string | null {
  const active = host.ownerDocument.activeElement;
  if (!(active instanceof HTMLElement) || !host.contains(active)) {
    return null;
  }
  return active.dataset.focus ?? null;
}
