export * from './classify';
export * from './evaluate';
