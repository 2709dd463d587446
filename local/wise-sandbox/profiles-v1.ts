import type { RequestContext, Router } from './http';
import { parseJson, sendEmpty, sendJson, isRecord } from './http';
import type { Sim } from './context';
import type { Director, Ubo, WiseProfile } from './state';
import { accessibleProfile, authenticate, coveredProfiles } from './auth';
import { extendGrant } from './tokens';
import { fieldErrors, type FieldError } from './errors';
import { COMPANY_TYPES, NAME_MAX, isValidDate, mayChange, newProfile, profileV1View } from './profile-model';
import { updateWindowClosed } from './profiles-v2';
import { iso2For, iso3For, STATE_CODE_COUNTRIES } from './countries';

/**
 * The deprecated v1 family that partners' older scripts (Wise's Postman bank flow) still call:
 * profiles, addresses, update window, directors, UBOs (API-NOTES §3.4, §3.7).
 */
export function registerProfileV1Routes(router: Router, sim: Sim): void {
  router.on('GET', '/v1/profiles', (ctx) => {
    const token = authenticate(sim, ctx, ['user']);
    sendJson(ctx, 200, coveredProfiles(sim, token).map(profileV1View));
  });

  router.on('GET', '/v1/profiles/:profileId', (ctx) => {
    const token = authenticate(sim, ctx, ['user']);
    sendJson(ctx, 200, profileV1View(accessibleProfile(sim, ctx, token, ctx.params.profileId)));
  });

  router.on('POST', '/v1/profiles', (ctx) => {
    const token = authenticate(sim, ctx, ['user']);
    const userId = token.userId as number;
    const { type, details } = v1Envelope(parseJson(ctx));
    const errors = validateV1Details(type, details, true);
    if (errors.length > 0) throw fieldErrors(422, errors);
    const own = sim.state.profiles.filter((p) => p.userId === userId);
    if (type === 'PERSONAL' && own.some((p) => p.type === 'PERSONAL')) {
      throw fieldErrors(409, [
        {
          code: 'PROFILE_ALREADY_EXISTS',
          message: 'You may already have a Wise account. Try linking it instead',
          path: null,
          arguments: [],
        },
      ]);
    }
    if (type === 'BUSINESS' && !own.some((p) => p.type === 'PERSONAL')) {
      throw fieldErrors(422, [
        {
          code: 'MISSING',
          message: 'A personal profile is required before creating a business profile',
          path: 'type',
          arguments: [],
        },
      ]);
    }
    const profile = newProfile(sim, userId, type);
    profile.createdByClientId = token.clientId;
    applyV1Details(profile, details);
    sim.state.profiles.push(profile);
    extendGrant(sim, token, profile.id);
    sim.changed();
    sendJson(ctx, 200, profileV1View(profile));
  });

  router.on('PUT', '/v1/profiles', (ctx) => {
    const token = authenticate(sim, ctx, ['user']);
    const body = parseJson(ctx);
    const { type, details } = v1Envelope(body);
    const id = isRecord(body) ? body.id : undefined;
    if (id === undefined || id === null)
      throw fieldErrors(422, [
        { code: 'MISSING', message: 'Please specify the profile id', path: 'id', arguments: [] },
      ]);
    const profile = accessibleProfile(sim, ctx, token, String(id));
    if (profile.type !== type)
      throw fieldErrors(422, [
        { code: 'ERROR', message: 'Profile type cannot be changed', path: 'type', arguments: [] },
      ]);
    const errors = validateV1Details(type, details, false);
    if (errors.length > 0) throw fieldErrors(422, errors);
    if (!mayChange(profile)) throw updateWindowClosed(sim, ctx);
    applyV1Details(profile, details);
    profile.updatedAt = sim.clock.now();
    sim.changed();
    sendJson(ctx, 200, profileV1View(profile));
  });

  router.on('POST', '/v1/addresses', (ctx) => {
    const token = authenticate(sim, ctx, ['user']);
    const body = parseJson(ctx);
    const b = isRecord(body) ? body : {};
    if (b.profile === undefined || b.profile === null)
      throw fieldErrors(422, [
        { code: 'MISSING', message: 'Please specify the profile', path: 'profile', arguments: [] },
      ]);
    const profile = accessibleProfile(sim, ctx, token, String(b.profile));
    const d = isRecord(b.details) ? b.details : undefined;
    const errors: FieldError[] = [];
    if (!d)
      errors.push({ code: 'MISSING', message: 'Missing details property', path: 'details', arguments: [] });
    else {
      for (const k of ['country', 'firstLine', 'city']) {
        if (typeof d[k] !== 'string' || d[k] === '')
          errors.push({
            code: 'MISSING',
            message: `Please specify ${k}`,
            path: `details.${k}`,
            arguments: [],
          });
      }
      const iso3 = typeof d.country === 'string' ? iso3For(d.country) : null;
      if (typeof d.country === 'string' && d.country !== '' && !iso3) {
        errors.push({
          code: 'ERROR',
          message: 'Country must be an ISO 3166-1 alpha-2 code',
          path: 'details.country',
          arguments: [],
        });
      }
      if (iso3 && STATE_CODE_COUNTRIES.has(iso3) && (typeof d.state !== 'string' || d.state === '')) {
        errors.push({
          code: 'MISSING',
          message: 'Please specify state',
          path: 'details.state',
          arguments: [],
        });
      }
    }
    if (errors.length > 0 || !d) throw fieldErrors(422, errors);
    if (!mayChange(profile)) throw updateWindowClosed(sim, ctx);
    const iso3 = iso3For(String(d.country)) as string;
    const occupations = Array.isArray(d.occupations)
      ? (d.occupations as { code: string; format: string }[])
      : undefined;
    profile.address = {
      id: sim.state.nextIds.address++,
      addressFirstLine: String(d.firstLine),
      city: String(d.city),
      countryIso2Code: iso2For(iso3),
      countryIso3Code: iso3,
      postCode: typeof d.postCode === 'string' ? d.postCode : null,
      stateCode: typeof d.state === 'string' ? d.state : null,
    };
    if (occupations) profile.occupations = occupations;
    profile.updatedAt = sim.clock.now();
    sim.changed();
    sendJson(ctx, 200, addressV1View(profile));
  });

  router.on('GET', '/v1/addresses', (ctx) => {
    const token = authenticate(sim, ctx, ['user']);
    const wanted = ctx.query.get('profile');
    const profiles = coveredProfiles(sim, token).filter((p) => wanted === null || String(p.id) === wanted);
    sendJson(ctx, 200, profiles.filter((p) => p.address).map(addressV1View));
  });

  router.on('POST', '/v1/profiles/:profileId/update-window', (ctx) => {
    const profile = ownProfile(sim, ctx);
    profile.updateWindowOpen = true;
    sim.changed();
    sendEmpty(ctx, 200);
  });

  router.on('DELETE', '/v1/profiles/:profileId/update-window', (ctx) => {
    const profile = ownProfile(sim, ctx);
    profile.updateWindowOpen = false;
    sim.changed();
    sendEmpty(ctx, 200);
  });

  for (const method of ['POST', 'PUT'] as const) {
    router.on(method, '/v1/profiles/:profileId/directors', (ctx) => {
      const profile = businessProfile(sim, ctx);
      const items = listBody(ctx);
      const errors = items.flatMap((d, i) => validateDirector(d, i));
      if (errors.length > 0) throw fieldErrors(422, errors);
      if (!mayChange(profile)) throw updateWindowClosed(sim, ctx);
      const directors: Director[] = items.map((d) => ({
        id: sim.state.nextIds.director++,
        firstName: String(d.firstName),
        lastName: String(d.lastName),
        dateOfBirth: String(d.dateOfBirth),
        countryOfResidenceIso3Code: String(d.countryOfResidenceIso3Code),
      }));
      profile.directors = method === 'POST' ? [...profile.directors, ...directors] : directors;
      sim.changed();
      sendJson(ctx, 200, profile.directors);
    });
    router.on(method, '/v1/profiles/:profileId/ubos', (ctx) => {
      const profile = businessProfile(sim, ctx);
      const items = listBody(ctx);
      const errors = items.flatMap((u, i) => validateUbo(u, i));
      if (errors.length > 0) throw fieldErrors(422, errors);
      if (!mayChange(profile)) throw updateWindowClosed(sim, ctx);
      const ubos: Ubo[] = items.map((u) => ({
        id: sim.state.nextIds.ubo++,
        name: String(u.name),
        dateOfBirth: String(u.dateOfBirth),
        countryOfResidenceIso3Code: String(u.countryOfResidenceIso3Code),
        addressFirstLine: String(u.addressFirstLine),
        postCode: String(u.postCode),
        ownershipPercentage: typeof u.ownershipPercentage === 'number' ? u.ownershipPercentage : null,
      }));
      profile.ubos = method === 'POST' ? [...profile.ubos, ...ubos] : ubos;
      sim.changed();
      sendJson(ctx, 200, profile.ubos);
    });
  }
  router.on('GET', '/v1/profiles/:profileId/directors', (ctx) =>
    sendJson(ctx, 200, businessProfile(sim, ctx).directors),
  );
  router.on('GET', '/v1/profiles/:profileId/ubos', (ctx) =>
    sendJson(ctx, 200, businessProfile(sim, ctx).ubos),
  );
}

function ownProfile(sim: Sim, ctx: RequestContext): WiseProfile {
  const token = authenticate(sim, ctx, ['user']);
  return accessibleProfile(sim, ctx, token, ctx.params.profileId);
}

function businessProfile(sim: Sim, ctx: RequestContext): WiseProfile {
  const profile = ownProfile(sim, ctx);
  if (profile.type !== 'BUSINESS') {
    throw fieldErrors(400, [
      {
        code: 'BAD_REQUEST',
        message: 'Directors and owners exist only on business profiles',
        path: 'profileId',
        arguments: [],
      },
    ]);
  }
  return profile;
}

function listBody(ctx: RequestContext): Record<string, unknown>[] {
  const body = parseJson(ctx);
  if (!Array.isArray(body) || body.some((x) => !isRecord(x))) {
    throw fieldErrors(400, [
      {
        code: 'BAD_REQUEST',
        message: 'Request body must be a JSON array of objects',
        path: null,
        arguments: [],
      },
    ]);
  }
  return body as Record<string, unknown>[];
}

function requireStrings(item: Record<string, unknown>, index: number, keys: string[]): FieldError[] {
  return keys
    .filter((k) => typeof item[k] !== 'string' || item[k] === '')
    .map((k) => ({
      code: 'MISSING',
      message: `Please specify ${k}`,
      path: `[${index}].${k}`,
      arguments: [],
    }));
}

function validateDirector(d: Record<string, unknown>, i: number): FieldError[] {
  const errors = requireStrings(d, i, ['firstName', 'lastName', 'dateOfBirth', 'countryOfResidenceIso3Code']);
  if (typeof d.dateOfBirth === 'string' && d.dateOfBirth !== '' && !isValidDate(d.dateOfBirth)) {
    errors.push({
      code: 'ERROR',
      message: 'Date of birth must be yyyy-mm-dd',
      path: `[${i}].dateOfBirth`,
      arguments: [],
    });
  }
  if (
    typeof d.countryOfResidenceIso3Code === 'string' &&
    d.countryOfResidenceIso3Code !== '' &&
    !/^[a-z]{3}$/.test(d.countryOfResidenceIso3Code)
  ) {
    errors.push({
      code: 'ERROR',
      message: 'Country must be a lower-case ISO 3166-1 alpha-3 code',
      path: `[${i}].countryOfResidenceIso3Code`,
      arguments: [],
    });
  }
  return errors;
}

function validateUbo(u: Record<string, unknown>, i: number): FieldError[] {
  const errors = requireStrings(u, i, [
    'name',
    'dateOfBirth',
    'countryOfResidenceIso3Code',
    'addressFirstLine',
    'postCode',
  ]);
  if (typeof u.dateOfBirth === 'string' && u.dateOfBirth !== '' && !isValidDate(u.dateOfBirth)) {
    errors.push({
      code: 'ERROR',
      message: 'Date of birth must be yyyy-mm-dd',
      path: `[${i}].dateOfBirth`,
      arguments: [],
    });
  }
  const pct = u.ownershipPercentage;
  if (
    pct !== undefined &&
    pct !== null &&
    (typeof pct !== 'number' || !Number.isInteger(pct) || pct < 0 || pct > 100)
  ) {
    errors.push({
      code: 'ERROR',
      message: 'Ownership percentage must be an integer between 0 and 100, or null',
      path: `[${i}].ownershipPercentage`,
      arguments: [],
    });
  }
  return errors;
}

function v1Envelope(body: unknown): { type: WiseProfile['type']; details: Record<string, unknown> } {
  const b = isRecord(body) ? body : {};
  const type = b.type;
  if (type !== 'personal' && type !== 'business' && type !== 'PERSONAL' && type !== 'BUSINESS') {
    throw fieldErrors(400, [{ code: 'BAD_REQUEST', message: 'Could not resolve type id', arguments: [] }]);
  }
  if (!isRecord(b.details))
    throw fieldErrors(400, [{ code: 'BAD_REQUEST', message: 'Missing details property', arguments: [] }]);
  return { type: String(type).toUpperCase() as WiseProfile['type'], details: b.details };
}

function validateV1Details(
  type: WiseProfile['type'],
  d: Record<string, unknown>,
  creating: boolean,
): FieldError[] {
  const errors: FieldError[] = [];
  const required =
    type === 'PERSONAL'
      ? ['firstName', 'lastName', 'dateOfBirth']
      : ['name', 'registrationNumber', 'companyType'];
  if (creating) {
    for (const k of required) {
      if (typeof d[k] !== 'string' || d[k] === '')
        errors.push({ code: 'MISSING', message: `Please specify ${k}`, path: k, arguments: [] });
    }
  }
  for (const k of ['firstName', 'lastName', 'preferredName']) {
    const v = d[k];
    if (typeof v === 'string' && v.length > NAME_MAX) {
      errors.push({
        code: 'ERROR',
        message: `${k} must be at most ${NAME_MAX} characters`,
        path: k,
        arguments: [k, NAME_MAX],
      });
    }
  }
  if (d.dateOfBirth !== undefined && !isValidDate(d.dateOfBirth)) {
    errors.push({
      code: 'ERROR',
      message: 'Date of birth must be yyyy-mm-dd',
      path: 'dateOfBirth',
      arguments: [],
    });
  }
  if (
    d.phoneNumber !== undefined &&
    d.phoneNumber !== null &&
    (typeof d.phoneNumber !== 'string' || !/^\+[1-9]\d{6,14}$/.test(d.phoneNumber))
  ) {
    errors.push({
      code: 'ERROR',
      message: 'Phone number must be in international format',
      path: 'phoneNumber',
      arguments: [],
    });
  }
  if (
    type === 'BUSINESS' &&
    d.companyType !== undefined &&
    !(COMPANY_TYPES as readonly string[]).includes(String(d.companyType))
  ) {
    errors.push({ code: 'ERROR', message: 'Company type is not valid', path: 'companyType', arguments: [] });
  }
  return errors;
}

function applyV1Details(p: WiseProfile, d: Record<string, unknown>): void {
  const set = <K extends keyof WiseProfile>(key: K, source: string) => {
    if (typeof d[source] === 'string') (p as unknown as Record<string, unknown>)[key] = d[source];
  };
  if (p.type === 'PERSONAL') {
    set('firstName', 'firstName');
    set('lastName', 'lastName');
    set('preferredName', 'preferredName');
    set('dateOfBirth', 'dateOfBirth');
    set('firstNameInKana', 'firstNameInKana');
    set('lastNameInKana', 'lastNameInKana');
    if (typeof d.phoneNumber === 'string') {
      p.phoneNumber = d.phoneNumber;
      p.contactDetails = { ...p.contactDetails, phoneNumber: d.phoneNumber };
    }
    return;
  }
  set('businessName', 'name');
  set('registrationNumber', 'registrationNumber');
  set('acn', 'acn');
  set('abn', 'abn');
  set('arbn', 'arbn');
  set('companyType', 'companyType');
  set('companyRole', 'companyRole');
  set('descriptionOfBusiness', 'descriptionOfBusiness');
  set('webpage', 'webpage');
  set('firstLevelCategory', 'businessCategory');
  set('secondLevelCategory', 'businessSubCategory');
}

function addressV1View(p: WiseProfile): Record<string, unknown> {
  const a = p.address;
  return {
    id: a?.id ?? null,
    profile: p.id,
    details: {
      country: a?.countryIso2Code ?? null,
      state: a?.stateCode ?? null,
      city: a?.city ?? null,
      postCode: a?.postCode ?? null,
      firstLine: a?.addressFirstLine ?? null,
      occupations: p.occupations ?? [],
    },
  };
}
