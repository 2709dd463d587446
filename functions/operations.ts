/**
 * Every route's operation, by route id: what the OpenAPI document (scripts/openapi-document.ts)
 * walks. Each function's routes.ts exports its own `operations`; the type makes a route without
 * one, or an operation filed under another route's id, fail `tsc`.
 */
import type { Operation } from '../shared/http/operation';
import type { RouteId } from '../shared/routes';
import { operations as kycReviews } from './kyc-reviews/routes';
import { operations as oauth } from './oauth/routes';
import { operations as onboarding } from './onboarding/routes';
import { operations as webhooks } from './webhooks/routes';

export type OperationList = { readonly [K in RouteId]: Operation & { readonly route: K } };

export const operations: OperationList = { ...onboarding, ...oauth, ...webhooks, ...kycReviews };
