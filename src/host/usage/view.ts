/**
 * The Usage view in the sidebar (`pixelwright.usage`): what Pixelwright spent today and this
 * month, in this workspace and in all of them, and this month by model, from the usage ledger.
 * A plain tree (no webview): every line is localized text from the host.
 */
import * as vscode from 'vscode';
import type { Totals, UsageSummary } from '../../core/ledger';
import { formatCost, PRICE_LIST_DATE } from '../../core/pricing';
import { Disposable } from '../platform/lifecycle';
import { readSettings } from '../platform/settings';
import type { UsageLedger } from '../run/usage';

interface Line {
  readonly label: string;
  readonly description?: string;
  readonly tooltip?: string;
  readonly icon?: string;
  readonly children?: readonly Line[];
  readonly command?: vscode.Command;
}

export class UsageViewProvider extends Disposable implements vscode.TreeDataProvider<Line> {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly ledger: UsageLedger) {
    super();
    this._register(ledger.onDidChange(() => this.changed.fire()));
    this._register(vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('pixelwright.budget') && this.changed.fire()));
  }

  getTreeItem(line: Line): vscode.TreeItem {
    const item = new vscode.TreeItem(line.label, line.children?.length ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    item.description = line.description;
    item.tooltip = line.tooltip;
    if (line.icon) item.iconPath = new vscode.ThemeIcon(line.icon);
    item.command = line.command;
    return item;
  }

  async getChildren(line?: Line): Promise<Line[]> {
    if (line) return [...(line.children ?? [])];
    return usageLines(await this.ledger.summary(), readSettings().budget);
  }
}

/** The view's lines for a summary (exported for the host tests through the view's own provider). */
export function usageLines(s: UsageSummary, budget: { readonly monthlyLimit: number; readonly askAbove: number }): Line[] {
  const t = vscode.l10n.t;
  const amount = (x: Totals) => {
    const images = x.images === 1 ? t('1 image') : t('{0} images', x.images);
    const unknown = x.unpricedImages ? ` ${t('(+{0} without a known price)', x.unpricedImages)}` : '';
    return `${formatCost(x.usd)} · ${images}${unknown}`;
  };
  const lines: Line[] = [
    { label: t('Today'), description: amount(s.today), icon: 'calendar', tooltip: t('All workspaces, today') },
    { label: t('This month'), description: amount(s.month), icon: 'graph', tooltip: t('All workspaces, this calendar month') },
    {
      label: t('This workspace'),
      description: t('today {0}, this month {1}', formatCost(s.workspaceToday.usd), formatCost(s.workspaceMonth.usd)),
      icon: 'folder',
      tooltip: t('Today: {0}. This month: {1}.', amount(s.workspaceToday), amount(s.workspaceMonth)),
    },
  ];
  if (s.byModel.length) {
    lines.push({
      label: t('By model, this month'),
      icon: 'symbol-class',
      children: s.byModel.map((m) => ({ label: m.model, description: amount(m), tooltip: m.tokens ? t('{0} tokens', m.tokens.toLocaleString('en-US')) : undefined })),
    });
  }
  const settings: vscode.Command = { command: 'workbench.action.openSettings', title: t('Open Settings'), arguments: ['pixelwright.budget'] };
  if (budget.monthlyLimit) {
    const left = Math.max(0, budget.monthlyLimit - s.month.usd);
    lines.push({ label: t('Monthly limit'), description: t('{0}, {1} left', formatCost(budget.monthlyLimit), formatCost(left)), icon: 'shield', command: settings });
  } else {
    lines.push({ label: t('Monthly limit'), description: t('none (set one in Settings)'), icon: 'shield', command: settings });
  }
  lines.push({ label: t('Costs come from the price list of {0}; your provider may charge differently.', PRICE_LIST_DATE), icon: 'info' });
  return lines;
}
