import * as z from '../../shared/zod';
import {
  identityDocumentSchema,
  identityDocumentTypes,
} from '../../shared/domain/onboarding/identity-document';
import { named, operationOf, userTokenProblems } from '../../shared/http/operation';
import type { OnboardingServices } from './routes';
import { profileParams, wiseProfileId } from './schemas';

const identityDocumentAcceptedSchema = z.object({
  profileId: wiseProfileId,
  type: z.enum(identityDocumentTypes),
  success: z.literal(true),
});

/** Route 6. */
export const submitIdentityDocument = operationOf<OnboardingServices>()({
  route: 'submitIdentityDocument',
  summary: 'Pass an identification document to Wise',
  description:
    'Personal profiles only (a business profile answers 400 on `profileId`). Per-type identifier rules: an SSN is 9 digits, a CPF 11 ' +
    'digits or a CNPJ 14 (punctuation allowed), FINANCIAL_CAPACITY_BR an amount such as `150000.00`.',
  params: profileParams,
  body: named('IdentityDocument', identityDocumentSchema),
  idempotencyKey: 'replayed',
  responses: {
    201: {
      description: 'Wise accepted the document.',
      body: named('IdentityDocumentAccepted', identityDocumentAcceptedSchema),
    },
  },
  problems: ['PROFILE_NOT_FOUND', 'DOCUMENT_REJECTED', ...userTokenProblems],
  handle: async ({ params, body, deadline }, { profiles }) => {
    await profiles.submitIdentityDocument(params.customerId, params.profileId, body, deadline);
    return { status: 201, body: { profileId: params.profileId, type: body.type, success: true as const } };
  },
});
