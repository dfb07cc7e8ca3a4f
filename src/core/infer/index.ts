export * from './classify';
export * from './evaluate';
export * from './explain';
export * from './timeline';
