import { z } from 'zod';

/** Environment fields every Switchboard service reads the same way (each app composes its own schema). */
export const sharedEnv = {
  DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/switchboard'),
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((s) =>
      s
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'each broker must be host:port')).min(1)),
  SWITCHBOARD_TOPIC_NAMESPACE: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/)
    .optional(),
  /** This instance's name on `service.status` (default `<host>-<pid>`). */
  INSTANCE_ID: z.string().min(1).max(200).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};
