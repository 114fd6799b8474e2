import 'reflect-metadata';
import { startHttpService } from '@switchboard/service';
import { DashboardGatewayModule } from './app.module';

void startHttpService({
  name: 'dashboard-gateway',
  module: DashboardGatewayModule,
  port: Number(process.env.DASHBOARD_GATEWAY_PORT ?? 3002),
});
