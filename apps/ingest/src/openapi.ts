import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { eventSchemas, meterPropertiesSchema, queuePropertiesSchema } from '@switchboard/domain';
import { z } from 'zod';

// The OpenAPI schemas come from the same zod schemas that validate requests, so the docs cannot drift.
function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Switchboard ingest')
    .setDescription(
      'Send call, agent and meter events. The API key decides the tenant. A 202 means every accepted event is ' +
        'acknowledged by Kafka; a 503 means nothing of the request was accepted: retry after Retry-After seconds.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  const doc = SwaggerModule.createDocument(app, config);
  const events = Object.entries(eventSchemas).map(([type, schema]) => [type, jsonSchema(schema)] as const);
  doc.components = {
    ...doc.components,
    schemas: {
      ...doc.components?.schemas,
      ...Object.fromEntries(events),
      Event: {
        oneOf: events.map(([type]) => ({ $ref: `#/components/schemas/${type}` })),
        discriminator: { propertyName: 'type' },
      },
      MeterProperties: jsonSchema(meterPropertiesSchema),
      QueueProperties: jsonSchema(queuePropertiesSchema),
      IngestResult: {
        type: 'object',
        required: ['accepted', 'rejected'],
        properties: {
          accepted: { type: 'integer' },
          rejected: {
            type: 'array',
            items: { type: 'object', properties: { index: { type: 'integer' }, error: { type: 'string' } } },
          },
        },
      },
      Error: {
        type: 'object',
        required: ['error', 'message'],
        properties: { error: { type: 'string' }, message: { type: 'string' } },
      },
    },
  } as typeof doc.components;
  SwaggerModule.setup('docs', app, doc);
}
