import { importViolations, PUBLIC_APP_ENTRIES, REPOSITORY_ROOT, RULES, repositoryFiles } from './import-rules';

// The layers' import rules (./import-rules.ts states each), over every file git knows. A failure lists
// `file: import — rule` for each offending import.
describe('import rules', () => {
  it('hold for every file of the repository', () => {
    const files = repositoryFiles(REPOSITORY_ROOT);
    expect(files.length).toBeGreaterThan(100);
    const lines = importViolations(files).map((v) => `${v.file}: '${v.import}' — ${v.rule}`);
    expect(lines).toEqual([]);
  });

  it('catch each kind of offence, and name the file and the import', () => {
    const files = [
      { path: 'apps/dashboard-gateway/src/live/feed.ts', text: "import { Kafka } from 'kafkajs';" },
      { path: 'libs/streams/src/client.ts', text: "import type { Kafka } from 'kafkajs';" },
      { path: 'libs/streams/src/core/processing/x.ts', text: "import { Injectable } from '@nestjs/common';" },
      { path: 'libs/streams/src/core/state/y.ts', text: "const { Pool } = require('pg');" },
      {
        path: 'apps/cli/src/replay/cmd.ts',
        text: "import { runReplay } from '../../../aggregator/src/replay/run-replay';",
      },
      { path: 'apps/cli/src/other.ts', text: "export { x } from '../../ingest/src/config';" },
      { path: 'libs/domain/src/z.ts', text: "import('../../../apps/ingest/src/main');" },
      { path: 'migrations/1-x.ts', text: "import { ALERT_RULE_NAMES } from '../libs/domain/src/alerts';" },
      { path: 'migrations/2-y.ts', text: "import { z } from '@switchboard/domain';" },
    ];
    expect(importViolations(files)).toEqual([
      { file: files[0].path, import: 'kafkajs', rule: RULES.kafkajs },
      { file: files[1].path, import: 'kafkajs', rule: RULES.kafkajs },
      { file: files[2].path, import: '@nestjs/common', rule: RULES.core },
      { file: files[3].path, import: 'pg', rule: RULES.core },
      { file: files[4].path, import: '../../../aggregator/src/replay/run-replay', rule: RULES.appToApp },
      { file: files[5].path, import: '../../ingest/src/config', rule: RULES.appToApp },
      { file: files[6].path, import: '../../../apps/ingest/src/main', rule: RULES.libToApp },
      { file: files[7].path, import: '../libs/domain/src/alerts', rule: RULES.migration },
      { file: files[8].path, import: '@switchboard/domain', rule: RULES.migration },
    ]);
  });

  it('allow what the rules allow', () => {
    const allowed = [
      { path: 'libs/streams/src/kafka/connection.ts', text: "import { Kafka } from 'kafkajs';" },
      { path: 'test/streams/a.spec.ts', text: "import { Kafka } from 'kafkajs';" },
      { path: 'bench/streams.bench.ts', text: "import { Kafka } from 'kafkajs';" },
      { path: 'apps/cli/src/replay/cmd.ts', text: "import { runReplay } from '../../../aggregator/src/replay';" },
      { path: 'apps/cli/src/replay/view.ts', text: "import type { P } from '../../../aggregator/src/replay/index';" },
      { path: 'apps/aggregator/src/main.ts', text: "import { x } from './pipelines/energy';" },
      {
        path: 'migrations/index.ts',
        text: "import { A } from './1-a';\nimport { MigrationInterface } from 'typeorm';",
      },
      { path: 'migrations/data-source.ts', text: "import 'reflect-metadata';" },
      { path: 'migrations/data-source.ts', text: "import { poolConfig } from '../libs/service/src/database-pool';" },
      {
        path: 'libs/streams/src/core/model/codec.ts',
        text: "// import { Kafka } from 'kafkajs'\nconst s = 'kafkajs';",
      },
    ];
    expect(importViolations(allowed)).toEqual([]);
    expect(PUBLIC_APP_ENTRIES).toEqual(['apps/aggregator/src/replay']);
  });
});
