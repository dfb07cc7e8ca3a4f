/** The core API: pure TypeScript, no VS Code import; shared by the CLI, the worker, the notebook kernel and tests. */
export * from './audio';
export * from './errors';
