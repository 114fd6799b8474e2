export * from './energy-errors';
export * from './energy-window';
export * from './meter-energy';
export * from './milliwatt-hours';
