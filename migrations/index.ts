import { TenantsAndApiKeys1764072000000 } from './1764072000000-tenants-and-api-keys';
import { AggregatesContract1764158400000 } from './1764158400000-aggregates-contract';
import { StreamsCheckpoint1764244800000 } from './1764244800000-streams-checkpoint';
import { AlertRules1764331200000 } from './1764331200000-alert-rules';
import { EnergyRollupRanges1764417600000 } from './1764417600000-energy-rollup-ranges';
import { WindowRestatement1764504000000 } from './1764504000000-window-restatement';

/** Every migration, oldest first. Listed explicitly so any runtime (Jest, swc, compiled) loads the same set. */
export const migrations = [
  TenantsAndApiKeys1764072000000,
  AggregatesContract1764158400000,
  StreamsCheckpoint1764244800000,
  AlertRules1764331200000,
  EnergyRollupRanges1764417600000,
  WindowRestatement1764504000000,
];
