import type { Dependencies } from '../../shared/runtime/dependencies';
import { functionRoutes } from '../../shared/runtime/function';
import { KycReviewStore } from '../../shared/store/kyc-review-store';
import { createKycReview } from './create-kyc-review';
import { getKycReview } from './get-kyc-review';
import { KycReviewService } from './kyc-review-service';
import { listKycReviews } from './list-kyc-reviews';
import { refreshKycLink } from './refresh-kyc-link';
import { SubmitKycRequirement } from './requirement-submission';
import { submitKycRequirement } from './submit-kyc-requirement';

/** What the kyc-reviews operations run with: the hosted-KYC use cases (12–15) and requirement submission (16). */
export interface KycServices {
  kycReviews: KycReviewService;
  submitRequirement: SubmitKycRequirement;
}

/** Built once per container from the function's dependencies. */
export const kycServices = (deps: Dependencies): KycServices => {
  const reviews = new KycReviewStore(deps.table, deps.clock);
  return {
    kycReviews: new KycReviewService({
      allowedReturnUrls: deps.config.allowedReturnUrls,
      clock: deps.clock,
      cipher: deps.cipher,
      wiseAs: deps.wiseAs,
      accounts: deps.accounts,
      reviews,
      lease: deps.lease,
      logger: deps.logger,
      audit: deps.audit,
    }),
    submitRequirement: new SubmitKycRequirement({
      clock: deps.clock,
      wiseAs: deps.wiseAs,
      accounts: deps.accounts,
      reviews,
    }),
  };
};

/** The kyc-reviews function's operations (routes 12–16), also walked by scripts/openapi-document.ts. */
export const operations = {
  createKycReview,
  listKycReviews,
  getKycReview,
  refreshKycLink,
  submitKycRequirement,
};

/** The kyc-reviews function's routes (see shared/routes.ts). */
export const routes = functionRoutes<'kyc-reviews', Dependencies, KycServices>(kycServices, operations);
