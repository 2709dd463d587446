/**
 * CLI: `tsx local/wise-sandbox/main.ts` — the Wise sandbox simulator on WISE_SANDBOX_PORT
 * (default 3001), state kept under .local/wise-sandbox, with the demo user seeded.
 */
import { startWiseSandbox } from './index';

const port = Number(process.env.WISE_SANDBOX_PORT ?? 3001);
const started = Date.now();
const sandbox = await startWiseSandbox({
  port,
  snapshotDir: '.local/wise-sandbox',
  seedDemoUser: true,
  log: process.env.WISE_SANDBOX_LOG ? (line) => console.log(line) : undefined,
});

console.log(`Wise sandbox simulator ready in ${Date.now() - started} ms`);
console.log(`  API + pages     ${sandbox.url}   (stands in for api.wise-sandbox.com and wise-sandbox.com)`);
console.log(`  OAuth page      ${sandbox.url}/oauth/authorize/?client_id=local-partner&redirect_uri=...`);
console.log(`  Controls        ${sandbox.url}/_sim/state   (see local/wise-sandbox/README.md)`);
console.log(`  Webhook key     ${sandbox.url}/_sim/webhook-public-key`);
console.log(`  Client          id local-partner / secret local-secret / key local-partner`);
if (sandbox.demoUser) {
  console.log(
    `  Demo Wise user  ${sandbox.demoUser.email} / ${sandbox.demoUser.password} (user ${sandbox.demoUser.userId}, profile ${sandbox.demoUser.profileId})`,
  );
}

let stopping = false;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the Wise sandbox simulator`);
  void sandbox.close().then(() => process.exit(0));
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
