export * from './entry';
export * from './keys';
export * from './preprocess';
