import { lambdaHandler } from '../../shared/runtime/function';
import { buildStoreDependencies } from '../../shared/runtime/store-dependencies';
import { routes } from './routes';

export const handler = lambdaHandler('webhooks', buildStoreDependencies, routes);
