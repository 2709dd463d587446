import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { startWiseSandbox, type WiseSandbox, type WiseSandboxOptions } from '../../../local/wise-sandbox';
import { simState, type SimStateView } from './schemas/wise';

/** Shared plumbing for the simulator's tests: start it, speak Wise's protocol, receive webhooks. */

export const CLIENT_ID = 'local-partner';
export const CLIENT_SECRET = 'local-secret';
export const REDIRECT_URI = 'http://localhost:3000/v1/oauth/callback';
export const BASIC = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;

export function start(options: WiseSandboxOptions = {}): Promise<WiseSandbox> {
  return startWiseSandbox({ port: 0, ...options });
}

export async function tokenRequest(
  wise: WiseSandbox,
  fields: Record<string, string>,
  auth = BASIC,
): Promise<Response> {
  return fetch(`${wise.url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

export async function clientToken(wise: WiseSandbox): Promise<string> {
  const res = await tokenRequest(wise, { grant_type: 'client_credentials' });
  return ((await res.json()) as { access_token: string }).access_token;
}

export function bearer(token: string, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...extra };
}

export async function call(
  wise: WiseSandbox,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${wise.url}${path}`, {
    method,
    headers: token ? bearer(token, headers) : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export interface SignedUpUser {
  email: string;
  registrationCode: string;
  userId: number;
  accessToken: string;
  refreshToken: string;
}

/** A partner-created user: signup with a registration code, then the registration_code grant. */
export async function signUpUser(
  wise: WiseSandbox,
  email = `user-${randomUUID()}@example.com`,
): Promise<SignedUpUser> {
  const cc = await clientToken(wise);
  const registrationCode = randomUUID();
  const signup = await call(wise, 'POST', '/v1/user/signup/registration_code', cc, {
    email,
    registrationCode,
  });
  if (signup.status !== 200) throw new Error(`signup failed: ${signup.status} ${await signup.text()}`);
  const userId = ((await signup.json()) as { id: number }).id;
  const tokens = await tokenRequest(wise, {
    grant_type: 'registration_code',
    client_id: CLIENT_ID,
    email,
    registration_code: registrationCode,
  });
  const t = (await tokens.json()) as { access_token: string; refresh_token: string };
  return { email, registrationCode, userId, accessToken: t.access_token, refreshToken: t.refresh_token };
}

export function personalBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    firstName: 'Oliver',
    lastName: 'Wilson',
    preferredName: 'Olly',
    address: {
      addressFirstLine: '50 Sunflower Ave',
      city: 'Phoenix',
      countryIso3Code: 'usa',
      postCode: '10025',
      stateCode: 'AZ',
    },
    nationality: 'usa',
    dateOfBirth: '1977-07-01',
    externalCustomerId: 'customer-1',
    contactDetails: { email: 'o.wilson@example.com', phoneNumber: '+14085551234' },
    // Wise's own example (an Arizona address) carries an occupation; Arizona requires one.
    occupations: [{ code: 'Software Engineer', format: 'FREE_FORM' }],
    ...overrides,
  };
}

export function businessBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    businessName: 'Oliver Widgets Ltd',
    registrationNumber: '07209813',
    companyType: 'LIMITED',
    companyRole: 'OWNER',
    firstLevelCategory: 'CONSULTING_IT_BUSINESS_SERVICES',
    secondLevelCategory: 'DESIGN',
    address: {
      addressFirstLine: '1 Silicon Way',
      city: 'London',
      countryIso3Code: 'gbr',
      postCode: 'EC1A 1AA',
    },
    ...overrides,
  };
}

export async function createPersonalProfile(
  wise: WiseSandbox,
  token: string,
  overrides: Record<string, unknown> = {},
): Promise<number> {
  const res = await call(wise, 'POST', '/v2/profiles/personal-profile', token, personalBody(overrides));
  if (res.status !== 200) throw new Error(`profile failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: number }).id;
}

export async function simStateOf(wise: WiseSandbox): Promise<SimStateView> {
  const res = await fetch(`${wise.url}/_sim/state`);
  return simState.parse(await res.json());
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
}

/**
 * A local webhook receiver. `answers` are the statuses it gives, in order (the last one repeats);
 * an answer of 'hang' never responds (to exercise the delivery timeout).
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private server!: Server;
  url = '';
  answers: (number | 'hang')[] = [200];
  extraHeaders: Record<string, string> = {};

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.received.push({ headers: req.headers, rawBody: Buffer.concat(chunks) });
        const answer = this.answers[Math.min(this.received.length - 1, this.answers.length - 1)] ?? 200;
        if (answer === 'hang') return;
        res.writeHead(answer, this.extraHeaders);
        res.end();
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1/webhooks/wise`;
    return this;
  }

  async waitFor(count: number, timeoutMs = 10_000): Promise<ReceivedWebhook[]> {
    const until = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > until) throw new Error(`expected ${count} webhooks, got ${this.received.length}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.received;
  }

  bodies(): { event_type: string; data: Record<string, unknown>; subscription_id: string }[] {
    return this.received.map((r) => JSON.parse(r.rawBody.toString('utf8')));
  }

  close(): Promise<void> {
    return new Promise((r) => {
      this.server.close(() => r());
      this.server.closeAllConnections();
    });
  }
}

export async function subscribeApplication(
  wise: WiseSandbox,
  url: string,
  triggerOn: string,
  cc?: string,
  version = '2.0.0',
): Promise<string> {
  const token = cc ?? (await clientToken(wise));
  const res = await call(wise, 'POST', `/v3/applications/${CLIENT_ID}/subscriptions`, token, {
    name: `sub ${triggerOn}`,
    trigger_on: triggerOn,
    delivery: { version, url },
  });
  if (res.status !== 200) throw new Error(`subscribe failed ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/** Fills and submits an HTML form the way a browser would (urlencoded), without following redirects. */
export async function submitForm(
  wise: WiseSandbox,
  action: string,
  fields: Record<string, string>,
): Promise<Response> {
  return fetch(`${wise.url}${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

export function hiddenValue(html: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!m?.[1]) throw new Error(`hidden field ${name} not found`);
  return m[1].replace(/&amp;/g, '&');
}
