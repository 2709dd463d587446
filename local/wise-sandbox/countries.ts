/**
 * ISO 3166 alpha-3 → alpha-2, for the countries a sandbox customer is likely to use. Wise's v2
 * profile API takes lower-case alpha-3 codes and answers with both; v1 addresses take alpha-2.
 */
const PAIRS =
  'arg:AR aus:AU aut:AT bel:BE bgr:BG bra:BR can:CA che:CH chl:CL chn:CN col:CO cyp:CY cze:CZ deu:DE dnk:DK ' +
  'egy:EG esp:ES est:EE fin:FI fra:FR gbr:GB grc:GR hkg:HK hrv:HR hun:HU idn:ID ind:IN irl:IE isl:IS isr:IL ' +
  'ita:IT jpn:JP kor:KR ltu:LT lux:LU lva:LV mex:MX mlt:MT mys:MY nga:NG nld:NL nor:NO nzl:NZ per:PE phl:PH ' +
  'pol:PL prt:PT rou:RO sgp:SG svk:SK svn:SI swe:SE tha:TH tur:TR ukr:UA are:AE usa:US vnm:VN zaf:ZA';

const ISO3_TO_ISO2 = new Map(PAIRS.split(' ').map((p) => p.split(':') as [string, string]));
const ISO2_TO_ISO3 = new Map([...ISO3_TO_ISO2].map(([a3, a2]) => [a2, a3]));

export function iso2For(iso3: string): string | null {
  return ISO3_TO_ISO2.get(iso3) ?? null;
}

export function iso3For(iso2: string): string | null {
  return ISO2_TO_ISO3.get(iso2.toUpperCase()) ?? null;
}

export function isKnownIso3(code: string): boolean {
  return ISO3_TO_ISO2.has(code);
}

/** Wise requires a state code for these countries (API-NOTES §3.1). */
export const STATE_CODE_COUNTRIES = new Set(['usa', 'can', 'bra', 'aus']);

/** Occupations are required for these countries, and within the US for New Mexico (API-NOTES §3.1). */
export const OCCUPATION_COUNTRIES = new Set(['can', 'ind', 'jpn', 'idn', 'isr', 'mex']);
