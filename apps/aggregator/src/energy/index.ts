export * from './energy-errors';
export * from './energy-window';
export * from './energy-window-aggregator';
export * from './meter-energy';
export * from './milliwatt-hours';
export * from './reading-buckets';
