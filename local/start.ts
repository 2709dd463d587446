/**
 * `npm start`: the whole product on this machine — DynamoDB Local, the Wise sandbox simulator,
 * and the four functions behind the local gateway — with no AWS account and no Wise credentials.
 */
import { join } from 'node:path';
import { startDynamoDbLocal } from './dynamodb/launcher';
import { startWiseSandbox } from './wise-sandbox/index';
import { localDataDir, startLocalStack, subscribeWebhooks } from './stack';
import { quickstartRoutes } from './quickstart/serve';

const port = Number(process.env.PORT ?? 3000);
const simPort = Number(process.env.WISE_SANDBOX_PORT ?? 3001);
const dynamoPort = Number(process.env.DYNAMODB_PORT ?? 8000);
const dataDir = localDataDir();
const publicUrl = `http://localhost:${port}`;

const main = async () => {
  const started = Date.now();
  const dynamo = await startDynamoDbLocal({ port: dynamoPort, dataDir: join(dataDir, 'dynamodb') });
  const sim = await startWiseSandbox({
    port: simPort,
    snapshotDir: join(dataDir, 'wise-sandbox'),
    seedDemoUser: true,
    redirectUris: [`${publicUrl}/v1/oauth/callback`],
  });
  const quickstart = quickstartRoutes({
    wiseSandboxUrl: `http://localhost:${sim.port}`,
    demoUser: sim.demoUser,
  });
  const stack = await startLocalStack({
    dynamoEndpoint: dynamo.endpoint,
    tableName: 'wise-onboarding-local',
    wiseApiUrl: `http://localhost:${sim.port}`,
    webhookPublicKeyPem: sim.webhookPublicKeyPem,
    port,
    host: '127.0.0.1',
    publicUrl,
    allowedReturnUrls: (process.env.ALLOWED_RETURN_URLS ?? `${publicUrl}/`).split(','),
    cipherKeyFile: join(dataDir, 'local-cipher.key'),
    streams: { dataDir },
    issuerKeyFile: join(dataDir, 'dev-issuer.json'),
    extraRoutes: quickstart.routes,
    fallback: quickstart.fallback,
    health: async () => {
      const [db, wise] = await Promise.all([
        fetch(dynamo.endpoint, { signal: AbortSignal.timeout(1000) }).then(
          () => true,
          () => false,
        ),
        fetch(`${sim.url}/_sim/webhook-public-key`, { signal: AbortSignal.timeout(1000) }).then(
          (r) => r.ok,
          () => false,
        ),
      ]);
      return { dynamodb: db, wiseSandbox: wise };
    },
  });
  const subscriptions = await subscribeWebhooks(stack);
  const demoToken = await stack.token('demo-customer');
  const adminToken = await stack.token(undefined, 'wise-onboarding/admin');

  const lines = [
    '',
    'wise-onboarding — local stack ready in ' + (Date.now() - started) + ' ms',
    '',
    `  Quickstart page        ${publicUrl}/`,
    `  Partner API            ${publicUrl}   (health: ${publicUrl}/local/health)`,
    `  Wise sandbox simulator http://localhost:${sim.port}   (state: /_sim/state)`,
    `  DynamoDB Local         ${dynamo.endpoint}   (data in .local/dynamodb)`,
    `  Webhook subscriptions  ${subscriptions.filter((s) => s.created).length} created, ${subscriptions.filter((s) => !s.created).length} already there`,
    '',
    sim.demoUser
      ? `  Demo Wise user (for linking): ${sim.demoUser.email} / ${sim.demoUser.password}`
      : '  (no demo Wise user)',
    '',
    '  Demo token for customer "demo-customer" (1 hour):',
    `    ${demoToken}`,
    '  Back-office token (scope wise-onboarding/admin):',
    `    ${adminToken}`,
    '  More: curl -X POST ' + publicUrl + '/local/token -d \'{"customerId":"alice"}\'',
    '',
    '  Ctrl-C stops everything.',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nstopping…\n');
    await stack.close().catch(() => undefined);
    await sim.close().catch(() => undefined);
    await dynamo.stop().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
};

main().catch((err: unknown) => {
  process.stderr.write(`local stack failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
