import * as z from '../../shared/zod';
import {
  ALLOWED_FILE_TYPES,
  MAX_DATA_BYTES,
  MAX_FILES,
  MAX_TOTAL_FILE_BYTES,
  REQUIREMENT_KEY_PATTERN,
} from '../../shared/domain/kyc/requirement-submission';
import { named, operationOf, userTokenProblems } from '../../shared/http/operation';
import { parseRequirementForm } from './requirement-form';
import type { SubmitKycRequirement } from './requirement-submission';
import type { KycServices } from './routes';
import { reviewParams, type Assignable, type Holds } from './schemas';

const requirementSubmittedSchema = z.object({
  reviewId: z.string(),
  requirementKey: z.string(),
  state: z.literal('IN_REVIEW'),
});

export type _SubmittedSchemaMatchesTheCode = Holds<
  Assignable<Awaited<ReturnType<SubmitKycRequirement['run']>>, z.infer<typeof requirementSubmittedSchema>>
>;

/**
 * Route 16. The body is multipart, not JSON, so it is bounded and parsed here rather than by the
 * stack, once the path (its `requirementKey` in the domain's pattern) has been checked.
 */
export const submitKycRequirement = operationOf<KycServices>()({
  route: 'submitKycRequirement',
  summary: 'Submit a KYC requirement over the API',
  description:
    "Not in the partner contract's original 15 routes: passes one API-collectable requirement of a review to Wise (Wise's closed " +
    "beta), instead of the hosted page. A `multipart/form-data` body with exactly one `data` part (a JSON object, Wise's " +
    `\`submissionData.data\`, at most ${MAX_DATA_BYTES / 1024} KiB) and up to ${MAX_FILES} \`files\` parts ` +
    `(${Object.keys(ALLOWED_FILE_TYPES).join(', ')}, with matching extensions and content, ${MAX_TOTAL_FILE_BYTES / 1024 / 1024} MiB in all). ` +
    'Accepted only while the review waits for the customer (or passed with requirements due) and the requirement is NOT_PROVIDED. ' +
    'No `Idempotency-Key` replay: a retry after success answers 409 `KYC_REQUIREMENT_ALREADY_PROVIDED`.',
  params: z.extend(reviewParams, {
    requirementKey: z
      .string()
      .check(
        z.regex(REQUIREMENT_KEY_PATTERN, 'must be an upper-case requirement key such as ACCOUNT_PURPOSE'),
      ),
  }),
  otherBody: {
    required: true,
    content: {
      'multipart/form-data': {
        schema: {
          type: 'object',
          properties: {
            data: {
              type: 'string',
              description: "A JSON object: Wise's `submissionData.data` for this requirement.",
            },
            files: {
              type: 'array',
              maxItems: MAX_FILES,
              items: { type: 'string', contentMediaType: 'application/octet-stream' },
            },
          },
          required: ['data'],
        },
        encoding: {
          data: { contentType: 'application/json' },
          files: { contentType: Object.keys(ALLOWED_FILE_TYPES).join(', ') },
        },
      },
    },
  },
  idempotencyKey: 'ignored',
  responses: {
    202: {
      description: 'Passed to Wise; the requirement is now in review.',
      body: named('RequirementSubmitted', requirementSubmittedSchema),
    },
  },
  problems: [
    'PAYLOAD_TOO_LARGE',
    'UNSUPPORTED_MEDIA_TYPE',
    'PROFILE_NOT_FOUND',
    'KYC_REVIEW_NOT_FOUND',
    'KYC_REQUIREMENT_NOT_FOUND',
    'KYC_REVIEW_NOT_AWAITING_INPUT',
    'KYC_REQUIREMENT_NOT_API_COLLECTABLE',
    'KYC_REQUIREMENT_ALREADY_PROVIDED',
    'KYC_SUBMISSION_REJECTED',
    ...userTokenProblems,
  ],
  handle: async ({ params, event, deadline }, { submitRequirement }) => {
    const { customerId, profileId, reviewId, requirementKey } = params;
    const submission = await parseRequirementForm(event);
    return {
      status: 202,
      body: await submitRequirement.run(customerId, profileId, reviewId, requirementKey, submission, {
        deadline,
      }),
    };
  },
});
