import { Module } from '@nestjs/common';
import { LivenessController } from '@switchboard/service';

@Module({ controllers: [LivenessController] })
export class AggregatorModule {}
