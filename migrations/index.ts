import { TenantsAndApiKeys1764072000000 } from './1764072000000-tenants-and-api-keys';

/** Every migration, oldest first. Listed explicitly so any runtime (Jest, swc, compiled) loads the same set. */
export const migrations = [TenantsAndApiKeys1764072000000];
