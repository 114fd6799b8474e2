import { Module } from '@nestjs/common';
import { PageController } from './page.controller';

/**
 * The supervisor's wallboard page at `/` (assets under `/wallboard/`) and the operator's services panel at `/services`
 * (assets under `/services/`); README.md "Dashboard gateway".
 */
@Module({ controllers: [PageController] })
export class PageModule {}
