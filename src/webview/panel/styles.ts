/** The panel's style sheet: layout only, every colour from VS Code's theme variables (light, dark, high contrast). */
export const CSS = `
:root { color-scheme: light dark; }
body {
  color: var(--vscode-foreground);
  font-family: var(--vscode-font-family);
  font-size: var(--vscode-font-size);
  padding: 0 20px 24px;
  line-height: 1.4;
}
h1 { font-size: 1.5em; font-weight: 600; margin: 16px 0 4px; }
h2 { font-size: 1.15em; font-weight: 600; margin: 24px 0 8px; }
h3 { font-size: 1em; font-weight: 600; margin: 16px 0 6px; }
.title { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
.meta, .note { color: var(--vscode-descriptionForeground); margin: 4px 0; }
.message { margin: 6px 0 12px; }
.empty { color: var(--vscode-descriptionForeground); margin: 32px 0; font-size: 1.1em; }
.alert:empty { display: none; }
.alert, .error {
  color: var(--vscode-errorForeground);
  background: var(--vscode-inputValidation-errorBackground);
  border: 1px solid var(--vscode-inputValidation-errorBorder, var(--vscode-contrastBorder, transparent));
  padding: 6px 10px;
  margin: 10px 0;
  white-space: pre-wrap;
}
.progress { display: grid; grid-template-columns: auto 1fr auto; align-items: center; gap: 6px 16px; margin: 8px 0 4px; max-width: 960px; }
.progress vscode-progress-bar { min-width: 160px; }
.progress-facts { display: flex; gap: 18px; flex-wrap: wrap; color: var(--vscode-descriptionForeground); margin-bottom: 8px; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr)); gap: 12px 20px; }
.chart { width: 100%; min-width: 0; }
figure { margin: 0; }
figcaption { font-weight: 600; margin: 8px 0 2px; }
.summary { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0 12px; padding: 0; }
.summary div {
  border: 1px solid var(--vscode-editorWidget-border, var(--vscode-panel-border, transparent));
  border-radius: 4px;
  padding: 6px 14px;
  min-width: 90px;
}
.summary dt { color: var(--vscode-descriptionForeground); font-size: 0.9em; }
.summary dd { margin: 0; font-size: 1.35em; font-variant-numeric: tabular-nums; }
.metrics { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 12px 24px; align-items: start; }
table { border-collapse: collapse; margin: 6px 0 12px; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 4px 0 6px; }
th, td {
  text-align: left;
  padding: 4px 12px 4px 0;
  border-bottom: 1px solid var(--vscode-editorWidget-border, var(--vscode-panel-border, transparent));
  vertical-align: top;
}
thead th { color: var(--vscode-descriptionForeground); font-weight: 600; }
tbody th { font-weight: normal; }
.num { text-align: right; padding-left: 12px; }
tr.failed td { color: var(--vscode-errorForeground); }
button.link {
  background: none;
  border: none;
  padding: 0;
  font: inherit;
  color: var(--vscode-textLink-foreground);
  cursor: pointer;
  text-align: left;
}
button.link:hover { color: var(--vscode-textLink-activeForeground); text-decoration: underline; }
button.link:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 2px; }
vscode-badge.status-running {
  --vscode-badge-background: var(--vscode-activityBarBadge-background);
  --vscode-badge-foreground: var(--vscode-activityBarBadge-foreground);
}
vscode-badge.status-failed {
  --vscode-badge-background: var(--vscode-statusBarItem-errorBackground);
  --vscode-badge-foreground: var(--vscode-statusBarItem-errorForeground);
}
vscode-badge.status-cancelled {
  --vscode-badge-background: var(--vscode-statusBarItem-warningBackground);
  --vscode-badge-foreground: var(--vscode-statusBarItem-warningForeground);
}
.kind-switch { margin: 8px 0; }
.skipped ul { margin: 6px 0; padding-left: 20px; }
.table-scroll { overflow-x: auto; }
tr.differs th, tr.differs td, tr.summary-row th, tr.summary-row td { font-weight: 600; }
.compare-pick { display: flex; flex-wrap: wrap; gap: 8px 20px; align-items: center; margin: 6px 0; }
.compare-pick select {
  background: var(--vscode-dropdown-background);
  color: var(--vscode-dropdown-foreground);
  border: 1px solid var(--vscode-dropdown-border, var(--vscode-contrastBorder, transparent));
  font: inherit;
  padding: 2px 4px;
  max-width: 40ch;
}
.compare-pick select:focus-visible { outline: 1px solid var(--vscode-focusBorder); outline-offset: 1px; }
.skipped li { margin: 2px 0; }
.skipped .reason { color: var(--vscode-descriptionForeground); }
[hidden] { display: none !important; }
`;

/** Adds the panel's style sheet to the document (a constructable sheet, which the CSP allows). */
export function installStyles(document: Document): void {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
}
