import { buildDependencies } from '../../shared/runtime/dependencies';
import { lambdaHandler } from '../../shared/runtime/function';
import { routes } from './routes';

export const handler = lambdaHandler('oauth', buildDependencies, routes);
