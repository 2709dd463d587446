import type { RequestContext, Router } from './http';
import { parseJson, sendEmpty, sendJson, isRecord } from './http';
import type { Sim } from './context';
import type { TokenRecord, WiseProfile } from './state';
import { accessibleProfile, authenticate, coveredProfiles } from './auth';
import { extendGrant } from './tokens';
import { fieldErrors, forbidden } from './errors';
import {
  applyBusinessV2,
  applyPersonalV2,
  mayChange,
  newProfile,
  profileV2View,
  validateBusinessV2,
  validatePersonalV2,
} from './profile-model';

/** v2 profiles (API-NOTES §3.1–3.5): create with optional X-idempotence-uuid, read, update. */
export function registerProfileV2Routes(router: Router, sim: Sim): void {
  router.on('POST', '/v2/profiles/personal-profile', (ctx) => createProfile(sim, ctx, 'PERSONAL'));
  router.on('POST', '/v2/profiles/business-profile', (ctx) => createProfile(sim, ctx, 'BUSINESS'));

  router.on('GET', '/v2/profiles', (ctx) => {
    // Only what the grant covers: another profile of the user is not this token's to see.
    const token = authenticate(sim, ctx, ['user']);
    sendJson(
      ctx,
      200,
      coveredProfiles(sim, token).map((p) => profileV2View(sim, p)),
    );
  });

  router.on('GET', '/v2/profiles/:profileId', (ctx) => {
    const token = authenticate(sim, ctx, ['user']);
    sendJson(ctx, 200, profileV2View(sim, accessibleProfile(sim, ctx, token, ctx.params.profileId)));
  });

  router.on('PUT', '/v2/profiles/:profileId/personal-profile', (ctx) => updateProfile(sim, ctx, 'PERSONAL'));
  router.on('PUT', '/v2/profiles/:profileId/business-profile', (ctx) => updateProfile(sim, ctx, 'BUSINESS'));
}

function createProfile(sim: Sim, ctx: RequestContext, type: WiseProfile['type']): void {
  const token = authenticate(sim, ctx, ['user']);
  const userId = token.userId as number;
  const idempotenceKey = ctx.header('x-idempotence-uuid');
  const keyId = idempotenceKey ? `${userId}:${type}:${idempotenceKey}` : undefined;
  // The same key returns the profile it created, whatever the body now says (a retry).
  if (keyId !== undefined) {
    const existingId = sim.state.idempotenceKeys[keyId];
    const existing = sim.state.profiles.find((p) => p.id === existingId);
    if (existing) {
      extendGrant(sim, token, existing.id);
      sendJson(ctx, 200, profileV2View(sim, existing));
      return;
    }
  }
  const body = parseJson(ctx);
  const errors = type === 'PERSONAL' ? validatePersonalV2(body) : validateBusinessV2(body);
  if (errors.length > 0) throw fieldErrors(400, errors);
  const b = body as Record<string, unknown>;
  const own = sim.state.profiles.filter((p) => p.userId === userId);
  if (type === 'PERSONAL' && own.some((p) => p.type === 'PERSONAL')) throw duplicateProfile();
  if (type === 'BUSINESS') {
    if (!own.some((p) => p.type === 'PERSONAL')) {
      throw fieldErrors(400, [
        {
          code: 'api.personalProfile.missing',
          message: 'A personal profile is required before creating a business profile',
          path: null,
          arguments: null,
        },
      ]);
    }
    const sameBusiness = own.find(
      (p) =>
        p.type === 'BUSINESS' &&
        p.businessName === b.businessName &&
        p.registrationNumber === b.registrationNumber,
    );
    // A new key is a new request: Wise refuses a second business with the same name and number.
    if (sameBusiness) throw duplicateProfile();
  }
  const profile = newProfile(sim, userId, type);
  profile.createdByClientId = token.clientId;
  if (type === 'PERSONAL') applyPersonalV2(sim, profile, b);
  else applyBusinessV2(sim, profile, b);
  sim.state.profiles.push(profile);
  if (keyId !== undefined) sim.state.idempotenceKeys[keyId] = profile.id;
  extendGrant(sim, token, profile.id);
  sim.changed();
  sendJson(ctx, 200, profileV2View(sim, profile));
}

function duplicateProfile() {
  return fieldErrors(409, [
    {
      code: 'PROFILE_ALREADY_EXISTS',
      message: 'A profile with these details already exists. List profiles with GET /v2/profiles',
      path: null,
      arguments: [],
    },
  ]);
}

function updateProfile(sim: Sim, ctx: RequestContext, type: WiseProfile['type']): void {
  const token: TokenRecord = authenticate(sim, ctx, ['user']);
  const profile = accessibleProfile(sim, ctx, token, ctx.params.profileId);
  if (profile.type !== type) {
    throw fieldErrors(400, [
      {
        code: 'api.profile.type.invalid',
        message: `Profile ${profile.id} is not a ${type.toLowerCase()} profile`,
        path: 'type',
        arguments: null,
      },
    ]);
  }
  const body = parseJson(ctx);
  const errors = type === 'PERSONAL' ? validatePersonalV2(body) : validateBusinessV2(body);
  if (errors.length > 0) throw fieldErrors(400, errors);
  if (!mayChange(profile)) throw updateWindowClosed(sim, ctx);
  if (!isRecord(body)) return;
  if (type === 'PERSONAL') applyPersonalV2(sim, profile, body);
  else applyBusinessV2(sim, profile, body);
  sim.changed();
  // Wise's reference documents "200 Updated personal profile." with headers and no body.
  sendEmpty(ctx, 200);
}

export function updateWindowClosed(sim: Sim, ctx: RequestContext) {
  return forbidden(
    ctx.path,
    sim.clock.now(),
    'Verified profile can only be updated inside an open update window (POST /v1/profiles/{profileId}/update-window)',
  );
}
