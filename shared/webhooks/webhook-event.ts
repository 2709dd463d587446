import { createHash } from 'node:crypto';
import * as z from '../zod';

/**
 * What a verified Wise delivery means for the product: the envelope (API-NOTES §6.3) and the
 * five event types the product keeps state from (§6.2), each parsed and bounded. Pure: no I/O.
 */

/** Wise's timestamps: `2020-01-01T12:34:56Z`, with milliseconds in schema 4.0.0; a missing zone means UTC. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?$/;

/** Epoch ms of one of Wise's timestamps, or undefined when it is not one. */
export const instantOf = (value: string): number | undefined => {
  if (!ISO_INSTANT.test(value)) return undefined;
  // Date.parse reads at most milliseconds and needs a zone to mean UTC.
  const normalised = value.replace(/(\.\d{3})\d+/, '$1');
  const ms = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/.test(normalised) ? normalised : `${normalised}Z`);
  return Number.isNaN(ms) ? undefined : ms;
};

// The parts and the data schemas below are built on first use (z.lazy), not at import: a container
// builds only the ones the events it receives need, and its cold start builds none of them.
const instant = () =>
  z.string().check(
    z.maxLength(40),
    z.refine((v) => instantOf(v) !== undefined, 'must be an ISO 8601 date-time'),
  );

/** Wise's numeric ids arrive as numbers, sometimes as strings (the AsyncAPI `Resource.id` is either). */
const numericId = () =>
  z.union([
    z.number().check(z.int(), z.positive(), z.maximum(Number.MAX_SAFE_INTEGER)),
    z.pipe(z.string().check(z.regex(/^[1-9]\d{0,15}$/)), z.transform(Number)),
  ]);
const token = () => z.string().check(z.minLength(1), z.maxLength(64));

/** The event types the product applies (each one parsed by {@link interpret}); any other is recorded only. */
export const APPLIED_EVENT_TYPES: ReadonlySet<string> = new Set([
  'profiles#verification-state-change',
  'kyc-reviews#state-change',
  'users#state-change',
  'profiles#cdd-check-state-change',
  'transfers#state-change',
]);

export const envelopeSchema = z.object({
  data: z.record(z.string(), z.unknown()),
  event_type: z.string().check(z.minLength(1), z.maxLength(128)),
  schema_version: z.optional(z.string().check(z.maxLength(32))),
  subscription_id: z.optional(z.string().check(z.maxLength(64))),
  sent_at: z.optional(z.string().check(z.maxLength(40))),
});
export type WebhookEnvelope = z.infer<typeof envelopeSchema>;

const verificationData = z.lazy(() =>
  z.object({
    resource: z.object({ id: numericId() }),
    current_state: z.enum(['verified', 'not_verified']),
    occurred_at: instant(),
  }),
);

/** One requirement's move in schema 5.0.0 (`requirementChanges[]`); unknown fields are ignored. */
const requirementChange = () =>
  z.object({ key: token(), state: z.nullish(token()), prevState: z.nullish(token()) });

/**
 * All versions Wise may send for this event: 2.0.0, 4.0.0 (millisecond timestamps) and 5.0.0,
 * which adds `prevState` and `requirementChanges` and fires on every requirement change
 * (api-reference/webhook-event/eventkycreviewsstatechange).
 */
const kycReviewData = z.lazy(() =>
  z.object({
    resource: z.object({
      id: token(),
      state: token(),
      prevState: z.nullish(token()),
      profileId: numericId(),
      requiredBy: z.nullish(z.string().check(z.maxLength(40))),
      updatedAt: z.nullish(z.string().check(z.maxLength(40))),
      requirementChanges: z.nullish(z.array(requirementChange()).check(z.maxLength(100))),
    }),
    // Wise's hosted-KYC guide (and 5.0.0's example) shows no occurred_at; the review's updatedAt orders it then.
    occurred_at: z.optional(instant()),
  }),
);

const userData = z.lazy(() =>
  z.object({
    resource: z.object({ id: numericId() }),
    current_state: token(),
    occurred_at: instant(),
  }),
);

const cddData = z.lazy(() =>
  z.object({
    // The AsyncAPI file marks `resource` optional for this event; without it no profile can be found.
    resource: z.optional(z.object({ id: numericId() })),
    current_state: token(),
    required_evidences: z.optional(z.array(token()).check(z.maxLength(50))),
    occurred_at: instant(),
  }),
);

const transferData = z.lazy(() =>
  z.object({
    resource: z.object({ id: numericId(), profile_id: numericId() }),
    current_state: token(),
    occurred_at: instant(),
  }),
);

export type WiseEvent =
  | {
      type: 'profiles#verification-state-change';
      profileId: number;
      verification: 'verified' | 'not_verified';
      occurredAt: number;
    }
  | {
      type: 'kyc-reviews#state-change';
      reviewId: string;
      profileId: number;
      status: string;
      requiredBy: string | null;
      occurredAt: number;
      /** 5.0.0 only: the status before this event (the same when only requirements changed). */
      previousStatus?: string;
      /** 5.0.0 only: the requirements that changed, each with its new and previous state. */
      requirementChanges?: { key: string; state: string | null; previousState: string | null }[];
    }
  | { type: 'users#state-change'; userId: number; state: string; occurredAt: number }
  | {
      type: 'profiles#cdd-check-state-change';
      profileId?: number;
      state: string;
      requiredEvidences: string[];
      occurredAt: number;
    }
  | {
      type: 'transfers#state-change';
      transferId: number;
      profileId: number;
      status: string;
      occurredAt: number;
    };

/** A delivery the product reads, or one it only records: an event type it does not use, or data it does not recognise. */
export type Interpretation =
  | { kind: 'event'; event: WiseEvent }
  | { kind: 'record-only'; reason: 'UNKNOWN_TYPE' | 'UNRECOGNISED_DATA' | 'NO_DATA' };

/** What the event record keeps to describe an event (small: the record must stay under 1 KB). */
export interface EventSummary {
  resourceType?: string;
  resourceId?: string;
  state?: string;
  occurredAt?: number;
}

/** JSON with sorted keys, so that the same data always hashes the same. */
const canonical = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
};

const hash = (parts: unknown): string => createHash('sha256').update(canonical(parts)).digest('base64url');

const str = (v: unknown): string | undefined =>
  typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;

/**
 * The de-duplication key of an event, from the signed body only — never from X-Delivery-Id,
 * which is new on every attempt. Event type, resource, state and occurred_at identify one change
 * at Wise, so the same change delivered twice (a retry, a second subscription, schema-version
 * copies aside) is recorded once. Data of unknown shape is identified by all of it.
 */
export const dedupKeyOf = (envelope: WebhookEnvelope): string => {
  const d = envelope.data;
  const resource = (d.resource ?? {}) as Record<string, unknown>;
  const state = str(d.current_state) ?? str(resource.state);
  const occurred = str(d.occurred_at) ?? str(resource.updatedAt);
  if (resource.id !== undefined && state !== undefined && occurred !== undefined) {
    // 5.0.0 KYC events also fire for a requirement alone (same state): its changes tell them apart.
    const changes = Array.isArray(resource.requirementChanges) ? [resource.requirementChanges] : [];
    return hash([
      envelope.event_type,
      str(resource.type) ?? '',
      str(resource.id),
      state,
      occurred,
      ...changes,
    ]);
  }
  return hash([envelope.event_type, d]);
};

/**
 * A test notification's key: X-Test-Notification is not covered by the signature, so a captured
 * real delivery replayed with that header must not take the real event's key (and make the real
 * one a "duplicate" that is never applied). Test notifications are de-duplicated among themselves.
 */
export const testDedupKeyOf = (envelope: WebhookEnvelope): string => `TEST#${dedupKeyOf(envelope)}`;

export const summaryOf = (envelope: WebhookEnvelope): EventSummary => {
  const d = envelope.data;
  const resource = (d.resource ?? {}) as Record<string, unknown>;
  const clip = (v: string | undefined) => v?.slice(0, 64);
  const occurred = str(d.occurred_at) ?? str(resource.updatedAt);
  return {
    resourceType: clip(str(resource.type)),
    resourceId: clip(str(resource.id)),
    state: clip(str(d.current_state) ?? str(resource.state)),
    occurredAt: occurred === undefined ? undefined : instantOf(occurred),
  };
};

/** Reads the event types the product applies; everything else is recorded only. */
export const interpret = (envelope: WebhookEnvelope): Interpretation => {
  const data = envelope.data;
  const unrecognised = { kind: 'record-only', reason: 'UNRECOGNISED_DATA' } as const;
  switch (envelope.event_type) {
    case 'profiles#verification-state-change': {
      const p = verificationData.safeParse(data);
      if (!p.success) return unrecognised;
      return {
        kind: 'event',
        event: {
          type: envelope.event_type,
          profileId: p.data.resource.id,
          verification: p.data.current_state,
          occurredAt: instantOf(p.data.occurred_at)!,
        },
      };
    }
    case 'kyc-reviews#state-change': {
      const p = kycReviewData.safeParse(data);
      const occurred = p.success ? (p.data.occurred_at ?? p.data.resource.updatedAt ?? undefined) : undefined;
      const occurredAt = occurred === undefined ? undefined : instantOf(occurred);
      if (!p.success || occurredAt === undefined) return unrecognised;
      const r = p.data.resource;
      return {
        kind: 'event',
        event: {
          type: envelope.event_type,
          reviewId: r.id,
          profileId: r.profileId,
          status: r.state,
          requiredBy: r.requiredBy ?? null,
          occurredAt,
          ...(r.prevState ? { previousStatus: r.prevState } : {}),
          ...(r.requirementChanges
            ? {
                requirementChanges: r.requirementChanges.map((c) => ({
                  key: c.key,
                  state: c.state ?? null,
                  previousState: c.prevState ?? null,
                })),
              }
            : {}),
        },
      };
    }
    case 'users#state-change': {
      const p = userData.safeParse(data);
      if (!p.success) return unrecognised;
      return {
        kind: 'event',
        event: {
          type: envelope.event_type,
          userId: p.data.resource.id,
          state: p.data.current_state,
          occurredAt: instantOf(p.data.occurred_at)!,
        },
      };
    }
    case 'profiles#cdd-check-state-change': {
      const p = cddData.safeParse(data);
      if (!p.success) return unrecognised;
      return {
        kind: 'event',
        event: {
          type: envelope.event_type,
          profileId: p.data.resource?.id,
          state: p.data.current_state,
          requiredEvidences: p.data.required_evidences ?? [],
          occurredAt: instantOf(p.data.occurred_at)!,
        },
      };
    }
    case 'transfers#state-change': {
      const p = transferData.safeParse(data);
      if (!p.success) return unrecognised;
      const r = p.data.resource;
      return {
        kind: 'event',
        event: {
          type: envelope.event_type,
          transferId: r.id,
          profileId: r.profile_id,
          status: p.data.current_state,
          occurredAt: instantOf(p.data.occurred_at)!,
        },
      };
    }
    default:
      return { kind: 'record-only', reason: 'UNKNOWN_TYPE' };
  }
};

/**
 * Reads a recorded event again from what its record kept (`eventType` and the `data` as JSON):
 * what the projection and replay apply. A record without its data (written by a version that kept
 * none for applied events) can only be recorded as such.
 */
export const interpretRecorded = (eventType: string, payload: string | undefined): Interpretation => {
  if (payload === undefined) return { kind: 'record-only', reason: 'NO_DATA' };
  let data: unknown;
  try {
    data = JSON.parse(payload);
  } catch {
    return { kind: 'record-only', reason: 'UNRECOGNISED_DATA' };
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    return { kind: 'record-only', reason: 'UNRECOGNISED_DATA' };
  return interpret({ event_type: eventType, data: data as Record<string, unknown> });
};
