/**
 * ISO 3166-1 alpha-3 codes (plus XKX, Kosovo's user-assigned code, which Wise accepts), lower
 * case as Wise's v2 profile API wants them. Partners send any case; we send lower case.
 */
const ISO3 =
  'abw afg ago aia ala alb and are arg arm asm ata atf atg aus aut aze bdi bel ben bes bfa bgd bgr bhr bhs bih blm ' +
  'blr blz bmu bol bra brb brn btn bvt bwa caf can cck che chl chn civ cmr cod cog cok col com cpv cri cub cuw cxr ' +
  'cym cyp cze deu dji dma dnk dom dza ecu egy eri esh esp est eth fin fji flk fra fro fsm gab gbr geo ggy gha gib ' +
  'gin glp gmb gnb gnq grc grd grl gtm guf gum guy hkg hmd hnd hrv hti hun idn imn ind iot irl irn irq isl isr ita ' +
  'jam jey jor jpn kaz ken kgz khm kir kna kor kwt lao lbn lbr lby lca lie lka lso ltu lux lva mac maf mar mco mda ' +
  'mdg mdv mex mhl mkd mli mlt mmr mne mng mnp moz mrt msr mtq mus mwi mys myt nam ncl ner nfk nga nic niu nld nor ' +
  'npl nru nzl omn pak pan pcn per phl plw png pol pri prk prt pry pse pyf qat reu rou rus rwa sau sdn sen sgp sgs ' +
  'shn sjm slb sle slv smr som spm srb ssd stp sur svk svn swe swz sxm syc syr tca tcd tgo tha tjk tkl tkm tls ton ' +
  'tto tun tur tuv twn tza uga ukr umi ury usa uzb vat vct ven vgb vir vnm vut wlf wsm xkx yem zaf zmb zwe';

const iso3Codes: ReadonlySet<string> = new Set(ISO3.split(' '));

export const isIso3Country = (code: string): boolean => iso3Codes.has(code.toLowerCase());

/** Wise requires `address.stateCode` for these countries (personal-profile rules). */
export const STATE_CODE_COUNTRIES: ReadonlySet<string> = new Set(['usa', 'can', 'bra', 'aus']);

/**
 * Where Wise requires occupations. Its documents disagree — the personal-profile guide names CA,
 * IN, JP and the US states AZ and NM; the OpenAPI names CA, IN, JP, ID, IL, MX and NM — so the
 * product requires the union: a profile Wise would refuse is refused here first.
 */
export const OCCUPATION_COUNTRIES: ReadonlySet<string> = new Set(['can', 'ind', 'jpn', 'idn', 'isr', 'mex']);
export const OCCUPATION_US_STATES: ReadonlySet<string> = new Set(['AZ', 'NM']);

export const needsStateCode = (country: string): boolean => STATE_CODE_COUNTRIES.has(country);

export const needsOccupation = (country: string, stateCode?: string): boolean =>
  OCCUPATION_COUNTRIES.has(country) ||
  (country === 'usa' && stateCode !== undefined && OCCUPATION_US_STATES.has(stateCode.toUpperCase()));
