/**
 * A cost estimate in the user's words (core/pricing's estimate), for every place that shows one
 * before a run: the pipeline's ask-first dialog and the agent tools' confirmation. Where the price
 * list gives no number it says why (billed by tokens, no published price, unknown model).
 */
import * as vscode from 'vscode';
import { formatUsd, type CostEstimate } from '../../core/pricing';

/** "$0.04", "$0.005 to $0.036", or why there is no estimate. */
export function estimateText(e: CostEstimate, model: string): string {
  const t = vscode.l10n.t;
  switch (e.kind) {
    case 'per-image':
      return e.min === e.max ? formatUsd(e.min) : t('{0} to {1}', formatUsd(e.min), formatUsd(e.max));
    case 'tokens':
      return e.imageOutputPerMillion !== undefined
        ? t('none before the run: {0} is billed by tokens (image output {1} per 1M tokens), and the tokens per image are not published', model, formatUsd(e.imageOutputPerMillion))
        : t('none before the run: {0} is billed by tokens', model);
    case 'unpublished':
      return t('none: the price list of {0} has no published price for {1}', e.priceListDate, model);
    default:
      return t('none: no price is known for {0}', model);
  }
}
