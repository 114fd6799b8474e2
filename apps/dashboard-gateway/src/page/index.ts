export { PAGE_CSP } from './page.controller';
export { PageModule } from './page.module';
