import { randomUUID } from 'node:crypto';
import type { Sim } from './context';
import type { WiseAddress, WiseProfile } from './state';
import type { FieldError } from './errors';
import { STATE_CODE_COUNTRIES, iso2For, isKnownIso3, needsOccupation } from './countries';
import { isRecord } from './http';
import { isoSecondsAt, localIsoAt } from './clock';

/** Profile rules shared by the v1 and v2 families (API-NOTES §3). */

export const NAME_MAX = 30;

export const COMPANY_TYPES = [
  'LIMITED',
  'PARTNERSHIP',
  'SOLE_TRADER',
  'LIMITED_BY_GUARANTEE',
  'LIMITED_LIABILITY_COMPANY',
  'FOR_PROFIT_CORPORATION',
  'NON_PROFIT_CORPORATION',
  'LIMITED_PARTNERSHIP',
  'LIMITED_LIABILITY_PARTNERSHIP',
  'GENERAL_PARTNERSHIP',
  'SOLE_PROPRIETORSHIP',
  'PRIVATE_LIMITED_COMPANY',
  'PUBLIC_LIMITED_COMPANY',
  'TRUST',
  'OTHER',
] as const;
export const COMPANY_ROLES = ['OWNER', 'DIRECTOR', 'OTHER'] as const;

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE_RE = /^\+[1-9]\d{6,14}$/;

export function isValidDate(v: unknown): v is string {
  if (typeof v !== 'string' || !DATE_RE.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(v);
}

export function isValidEmail(v: unknown): v is string {
  return typeof v === 'string' && v.length <= 254 && EMAIL_RE.test(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}

function missing(path: string, message: string): FieldError {
  return { code: `api.${path}.missing`, message, path, arguments: null };
}

function invalid(path: string, message: string): FieldError {
  return { code: `api.${path}.invalid`, message, path, arguments: null };
}

function checkName(
  body: Record<string, unknown>,
  field: string,
  label: string,
  required: boolean,
  errors: FieldError[],
): void {
  const v = body[field];
  if (v === undefined || v === null || v === '') {
    if (required) errors.push(missing(field, `Please specify ${label}`));
    return;
  }
  if (typeof v !== 'string') errors.push(invalid(field, `${label} must be a string`));
  else if (v.length > NAME_MAX) {
    errors.push({
      code: `api.${field}.size.too.long`,
      message: `${label} must be at most ${NAME_MAX} characters`,
      path: field,
      arguments: [NAME_MAX],
    });
  }
}

/** v2 address object with lower-case alpha-3 country codes. */
export function checkAddress(
  address: unknown,
  path: string,
  errors: FieldError[],
  occupations?: unknown,
): void {
  if (!isRecord(address)) {
    errors.push(missing(path, 'Please specify the address'));
    return;
  }
  if (!str(address.addressFirstLine))
    errors.push(missing(`${path}.addressFirstLine`, 'Please specify the first line of the address'));
  if (!str(address.city)) errors.push(missing(`${path}.city`, 'Please specify the city'));
  const country = address.countryIso3Code;
  if (!str(country)) errors.push(missing(`${path}.countryIso3Code`, 'Please specify the country'));
  else if (!/^[a-z]{3}$/.test(country as string) || !isKnownIso3(country as string)) {
    errors.push(invalid(`${path}.countryIso3Code`, 'Country must be a lower-case ISO 3166-1 alpha-3 code'));
  }
  const stateCode = address.stateCode;
  if (typeof country === 'string' && STATE_CODE_COUNTRIES.has(country) && !str(stateCode)) {
    errors.push(missing(`${path}.stateCode`, 'Please specify the state'));
  }
  if (
    stateCode !== undefined &&
    stateCode !== null &&
    (typeof stateCode !== 'string' || stateCode.length > 5)
  ) {
    errors.push(invalid(`${path}.stateCode`, 'State code must be at most 5 characters'));
  }
  if (occupations !== undefined && typeof country === 'string') {
    const list = Array.isArray(occupations) ? occupations : [];
    if (needsOccupation(country, stateCode) && list.length === 0)
      errors.push(missing('occupations', 'Please specify your occupation'));
  }
}

function checkOccupations(v: unknown, errors: FieldError[]): void {
  if (v === undefined || v === null) return;
  if (!Array.isArray(v) || v.some((o) => !isRecord(o) || !str(o.code) || o.format !== 'FREE_FORM')) {
    errors.push(invalid('occupations', 'Occupations must be a list of { code, format: "FREE_FORM" }'));
  }
}

export function validatePersonalV2(body: unknown): FieldError[] {
  if (!isRecord(body))
    return [
      { code: 'BAD_REQUEST', message: 'Request body must be a JSON object', path: null, arguments: [] },
    ];
  const errors: FieldError[] = [];
  checkName(body, 'firstName', 'your first name', true, errors);
  checkName(body, 'lastName', 'your last name', true, errors);
  checkName(body, 'preferredName', 'your preferred name', false, errors);
  checkAddress(body.address, 'address', errors, body.occupations ?? []);
  checkOccupations(body.occupations, errors);
  if (body.dateOfBirth === undefined || body.dateOfBirth === null)
    errors.push(missing('dateOfBirth', 'Please specify your date of birth'));
  else if (!isValidDate(body.dateOfBirth))
    errors.push(invalid('dateOfBirth', 'Date of birth must be yyyy-mm-dd'));
  if (body.nationality !== undefined && body.nationality !== null) {
    if (
      typeof body.nationality !== 'string' ||
      !/^[a-z]{3}$/.test(body.nationality) ||
      !isKnownIso3(body.nationality)
    ) {
      errors.push(invalid('nationality', 'Nationality must be a lower-case ISO 3166-1 alpha-3 code'));
    }
  }
  const contact = body.contactDetails;
  if (!isRecord(contact)) errors.push(missing('contactDetails', 'Please specify contact details'));
  else {
    if (!str(contact.email)) errors.push(missing('contactDetails.email', 'Please specify an email'));
    else if (!isValidEmail(contact.email))
      errors.push(invalid('contactDetails.email', 'Please provide a valid email'));
    if (!str(contact.phoneNumber))
      errors.push(missing('contactDetails.phoneNumber', 'Please specify a phone number'));
    else if (!PHONE_RE.test(contact.phoneNumber as string)) {
      errors.push(
        invalid(
          'contactDetails.phoneNumber',
          'Phone number must be in international format, e.g. +14085551234',
        ),
      );
    }
  }
  return errors;
}

export function validateBusinessV2(body: unknown): FieldError[] {
  if (!isRecord(body))
    return [
      { code: 'BAD_REQUEST', message: 'Request body must be a JSON object', path: null, arguments: [] },
    ];
  const errors: FieldError[] = [];
  const name = body.businessName;
  if (!str(name)) errors.push(missing('businessName', 'Please specify the name of your business'));
  else if ((name as string).trim().length < 2) {
    errors.push({
      code: 'api.businessName.size.too.short',
      message: 'Business name is too short',
      path: 'businessName',
      arguments: null,
    });
  } else if ((name as string).length > 100) errors.push(invalid('businessName', 'Business name is too long'));
  if (!str(body.registrationNumber))
    errors.push(missing('registrationNumber', 'Please specify the registration number'));
  const type = body.companyType;
  if (!str(type)) errors.push(missing('companyType', 'Please specify the company type'));
  else if (!(COMPANY_TYPES as readonly string[]).includes(type as string))
    errors.push(invalid('companyType', 'Company type is not valid'));
  if (
    body.companyRole !== undefined &&
    body.companyRole !== null &&
    !(COMPANY_ROLES as readonly string[]).includes(String(body.companyRole))
  ) {
    errors.push(invalid('companyRole', 'Company role is not valid'));
  }
  if (type === 'OTHER') {
    if (!str(body.businessFreeFormDescription)) {
      errors.push(missing('businessFreeFormDescription', 'Please describe your business'));
    }
    if (!str(body.webpage)) errors.push(missing('webpage', 'Please specify the webpage of your business'));
  }
  if (!str(body.firstLevelCategory))
    errors.push(missing('firstLevelCategory', 'Please specify the business category'));
  if (
    body.secondLevelCategory !== undefined &&
    body.secondLevelCategory !== null &&
    !str(body.secondLevelCategory)
  ) {
    errors.push(invalid('secondLevelCategory', 'Business sub-category is not valid'));
  }
  checkAddress(body.address, 'address', errors);
  if (Array.isArray(body.operationalAddresses)) {
    body.operationalAddresses.forEach((a, i) => checkAddress(a, `operationalAddresses[${i}]`, errors));
  }
  return errors;
}

export function newAddress(sim: Sim, input: Record<string, unknown>): WiseAddress {
  const iso3 = String(input.countryIso3Code ?? '');
  return {
    id: sim.state.nextIds.address++,
    addressFirstLine: String(input.addressFirstLine ?? ''),
    city: String(input.city ?? ''),
    countryIso2Code: iso2For(iso3),
    countryIso3Code: iso3,
    postCode: typeof input.postCode === 'string' ? input.postCode : null,
    stateCode: typeof input.stateCode === 'string' ? input.stateCode : null,
  };
}

function optionalString(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** Applies a validated v2 personal body onto a profile (create and update share this). */
export function applyPersonalV2(sim: Sim, profile: WiseProfile, body: Record<string, unknown>): void {
  const contact = body.contactDetails as Record<string, unknown>;
  profile.firstName = String(body.firstName);
  profile.lastName = String(body.lastName);
  profile.preferredName = optionalString(body.preferredName);
  profile.firstNameInKana = optionalString(body.firstNameInKana);
  profile.lastNameInKana = optionalString(body.lastNameInKana);
  profile.dateOfBirth = String(body.dateOfBirth);
  profile.nationality = optionalString(body.nationality);
  profile.externalCustomerId = optionalString(body.externalCustomerId);
  profile.contactDetails = { email: String(contact.email), phoneNumber: String(contact.phoneNumber) };
  profile.phoneNumber = String(contact.phoneNumber);
  profile.occupations = Array.isArray(body.occupations)
    ? (body.occupations as { code: string; format: string }[])
    : [];
  profile.address = newAddress(sim, body.address as Record<string, unknown>);
  profile.updatedAt = sim.clock.now();
}

export function applyBusinessV2(sim: Sim, profile: WiseProfile, body: Record<string, unknown>): void {
  profile.businessName = String(body.businessName);
  profile.businessNameInKatakana = optionalString(body.businessNameInKatakana);
  profile.registrationNumber = optionalString(body.registrationNumber);
  profile.businessFreeFormDescription = optionalString(body.businessFreeFormDescription);
  profile.descriptionOfBusiness =
    optionalString(body.descriptionOfBusiness) ?? profile.businessFreeFormDescription;
  profile.webpage = optionalString(body.webpage);
  profile.companyType = optionalString(body.companyType);
  profile.companyRole = optionalString(body.companyRole);
  profile.firstLevelCategory = optionalString(body.firstLevelCategory);
  profile.secondLevelCategory = optionalString(body.secondLevelCategory);
  profile.externalCustomerId = optionalString(body.externalCustomerId);
  profile.actorEmail = optionalString(body.actorEmail);
  profile.acn = optionalString(body.acn);
  profile.abn = optionalString(body.abn);
  profile.arbn = optionalString(body.arbn);
  profile.address = newAddress(sim, body.address as Record<string, unknown>);
  profile.operationalAddresses = Array.isArray(body.operationalAddresses)
    ? body.operationalAddresses.map((a) => newAddress(sim, a as Record<string, unknown>))
    : [];
  profile.updatedAt = sim.clock.now();
}

export function newProfile(sim: Sim, userId: number, type: WiseProfile['type']): WiseProfile {
  const now = sim.clock.now();
  return {
    id: sim.state.nextIds.profile++,
    publicId: randomUUID(),
    userId,
    type,
    verification: 'not_verified',
    currentState: 'VISIBLE',
    createdAt: now,
    updatedAt: now,
    address: null,
    contactDetails: { email: null, phoneNumber: null },
    externalCustomerId: null,
    directors: [],
    ubos: [],
    updateWindowOpen: false,
  };
}

function addressView(a: WiseAddress | null): Record<string, unknown> | null {
  if (!a) return null;
  return {
    id: a.id,
    addressFirstLine: a.addressFirstLine,
    city: a.city,
    countryIso2Code: a.countryIso2Code,
    countryIso3Code: a.countryIso3Code,
    postCode: a.postCode,
    stateCode: a.stateCode,
  };
}

/** The v2 profile object (upper-case type), as `GET /v2/profiles` documents it. */
export function profileV2View(sim: Sim, p: WiseProfile): Record<string, unknown> {
  const user = sim.state.users.find((u) => u.id === p.userId);
  const common = {
    type: p.type,
    id: p.id,
    publicId: p.publicId,
    userId: p.userId,
    address: addressView(p.address),
    email: user?.email ?? null,
    createdAt: localIsoAt(p.createdAt),
    updatedAt: localIsoAt(p.updatedAt),
    obfuscated: false,
    avatar: null,
    currentState: p.currentState,
    contactDetails: p.contactDetails,
    externalCustomerId: p.externalCustomerId,
  };
  if (p.type === 'PERSONAL') {
    return {
      ...common,
      firstName: p.firstName ?? null,
      lastName: p.lastName ?? null,
      preferredName: p.preferredName ?? null,
      dateOfBirth: p.dateOfBirth ?? null,
      phoneNumber: p.phoneNumber ?? null,
      nationality: p.nationality ?? null,
      occupations: p.occupations ?? [],
      secondaryAddresses: [],
      fullName: [p.firstName, p.lastName].filter(Boolean).join(' '),
    };
  }
  return {
    ...common,
    businessName: p.businessName ?? null,
    registrationNumber: p.registrationNumber ?? null,
    descriptionOfBusiness: p.descriptionOfBusiness ?? null,
    webpage: p.webpage ?? null,
    companyType: p.companyType ?? null,
    companyRole: p.companyRole ?? null,
    businessFreeFormDescription: p.businessFreeFormDescription ?? null,
    firstLevelCategory: p.firstLevelCategory ?? null,
    secondLevelCategory: p.secondLevelCategory ?? null,
    operationalAddresses: (p.operationalAddresses ?? []).map(addressView),
    fullName: p.businessName ?? '',
  };
}

/** The deprecated v1 profile object (lower-case type, fields under `details`). */
export function profileV1View(p: WiseProfile): Record<string, unknown> {
  if (p.type === 'PERSONAL') {
    return {
      id: p.id,
      type: 'personal',
      details: {
        firstName: p.firstName ?? null,
        lastName: p.lastName ?? null,
        preferredName: p.preferredName ?? null,
        dateOfBirth: p.dateOfBirth ?? null,
        phoneNumber: p.phoneNumber ?? null,
        avatar: null,
        occupation: p.occupations?.[0]?.code ?? null,
        occupations: p.occupations ?? [],
        primaryAddress: p.address?.id ?? null,
        firstNameInKana: p.firstNameInKana ?? null,
        lastNameInKana: p.lastNameInKana ?? null,
      },
    };
  }
  return {
    id: p.id,
    type: 'business',
    details: {
      name: p.businessName ?? null,
      registrationNumber: p.registrationNumber ?? null,
      acn: p.acn ?? null,
      abn: p.abn ?? null,
      arbn: p.arbn ?? null,
      companyType: p.companyType ?? null,
      companyRole: p.companyRole ?? null,
      descriptionOfBusiness: p.descriptionOfBusiness ?? null,
      webpage: p.webpage ?? null,
      primaryAddress: p.address?.id ?? null,
      businessCategory: p.firstLevelCategory ?? null,
      businessSubCategory: p.secondLevelCategory ?? null,
    },
  };
}

/**
 * Verified profiles may change only inside an open update window (Wise's "updating profiles"
 * guide); unverified profiles may change at any time.
 */
export function mayChange(p: WiseProfile): boolean {
  return p.verification !== 'verified' || p.updateWindowOpen;
}

export function markVerified(sim: Sim, p: WiseProfile): void {
  const changed = p.verification !== 'verified';
  p.verification = 'verified';
  p.updatedAt = sim.clock.now();
  sim.changed();
  if (changed) {
    void sim.events.publish(
      'profiles#verification-state-change',
      {
        resource: { type: 'profile', id: p.id },
        current_state: 'verified',
        occurred_at: isoSecondsAt(sim.clock.now()),
      },
      p.id,
    );
  }
}
