import { Module } from '@nestjs/common';
import { PageController } from './page.controller';

/** The supervisor's wallboard page at `/` and its assets under `/wallboard/` (README.md "Dashboard gateway"). */
@Module({ controllers: [PageController] })
export class PageModule {}
