import { lambdaHandler } from '../../shared/runtime/function';
import { routes } from './routes';

export const handler = lambdaHandler('kyc-reviews', routes);
