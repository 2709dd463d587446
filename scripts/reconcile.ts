/**
 * `npm run reconcile`: one reconciliation run on the local stack (`npm start`), now rather than at
 * the next hourly schedule: `POST /local/reconcile` on the local gateway, which runs the reconcile
 * function with the stack's own dependencies. Prints the run's report. In AWS the schedule starts
 * it (CDK context `reconcileEvery`); invoke the function to run it at once.
 */
const base = process.env.LOCAL_STACK_URL ?? `http://localhost:${process.env.PORT ?? '3000'}`;

const main = async () => {
  let res: Response;
  try {
    res = await fetch(`${base}/local/reconcile`, { method: 'POST' });
  } catch {
    console.error(
      `The local stack does not answer at ${base}: start it with \`npm start\` (or set LOCAL_STACK_URL).`,
    );
    process.exit(1);
  }
  const report = (await res.json()) as Record<string, unknown>;
  console.log(JSON.stringify(report, null, 2));
  if (!res.ok) process.exit(1);
};

void main();
