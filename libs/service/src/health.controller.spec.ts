import { INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { LivenessController } from './health.controller';

@Module({ controllers: [LivenessController] })
class TestModule {}

describe('LivenessController over HTTP', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const ref = await Test.createTestingModule({ imports: [TestModule] }).compile();
    app = ref.createNestApplication();
    await app.listen(0, '127.0.0.1');
  });
  afterAll(() => app.close());

  it('answers /health/live with ok', async () => {
    const res = await fetch(`${await app.getUrl()}/health/live`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });
});
