import type { ProbedPage } from './browser-probe';

/**
 * The supervisor's wallboard (`/`), fed a `wallboard` row set (gauges, windows, agents): each queue's tile shows its
 * gauge's `waiting` (= version), so every produced gauge version has a moment it, or a newer one, reached the DOM.
 */
export const wallboardPage: ProbedPage = {
  path: '/',
  watch: { list: '#tiles', item: 'article[data-queue]', key: 'data-queue', value: 'dd[data-field="waiting"]' },
  versionOf: (text) => Number(text) || 0,
};
