import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Switchboard dashboard gateway')
    .setDescription(
      'Billing and reporting reads of one tenant: exact meter energy (JSON and CSV) and queue statistics. ' +
        'Authenticate with a dashboard token (`switchboard tokens create --tenant T --role analyst`) as ' +
        '"Authorization: Bearer sbt_…"; the token decides the tenant and its role which endpoints it may call. ' +
        'Errors are JSON {error, message}: 400 invalid query (codes invalid_id, invalid_time, invalid_interval, ' +
        'invalid_range, unaligned_range, range_too_long, unknown_parameter), 401 unauthorized or expired, ' +
        '403 forbidden (role), 413 response_too_large, 414 uri_too_long, 429 rate_limited.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  const doc = SwaggerModule.createDocument(app, config);
  doc.components = {
    ...doc.components,
    schemas: {
      ...doc.components?.schemas,
      Error: {
        type: 'object',
        required: ['error', 'message'],
        properties: { error: { type: 'string' }, message: { type: 'string' } },
      },
    },
  };
  SwaggerModule.setup('docs', app, doc);
}
