export { csvField, ENERGY_CSV_COLUMNS, energyCsv, mwhToWh } from './energy-csv';
export { type EnergyRow, energyIntervals, exactMwh, type Queryable } from './energy-intervals';
export {
  ENERGY_INTERVALS,
  ENERGY_QUERY_LIMITS,
  type EnergyInterval,
  type EnergyQuery,
  type EnergyQueryInput,
  parseEnergyQuery,
} from './energy-query';
export { BillingError, EnergyQueryError, type EnergyQueryErrorCode, EnergyValueError } from './errors';
