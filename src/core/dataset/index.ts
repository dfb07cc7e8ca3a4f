export * from './emotions';
export * from './load';
export * from './manifest';
export * from './names';
export * from './split';
