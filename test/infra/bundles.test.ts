import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { BUNDLING, FUNCTION_PROFILES } from '../../infra/constructs/functions.js';
import { functionNames, type FunctionName } from '../../shared/routes.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The project files and packages esbuild puts in a function's bundle, bundled as the CDK stack bundles it. */
const bundleInputs = async (fn: FunctionName): Promise<string[]> => {
  const result = await build({
    entryPoints: [join(ROOT, `functions/${fn}/handler.ts`)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLING.target,
    mainFields: BUNDLING.mainFields,
    minify: true,
    write: false,
    outfile: join(ROOT, `cdk.out/bundle-check/${fn}/index.mjs`),
    metafile: true,
    absWorkingDir: ROOT,
    logLevel: 'silent',
  });
  const output = Object.values(result.metafile.outputs)[0]!;
  return Object.entries(output.inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .map(([path]) => path);
};

/** Each function is bundled once for all the tests below. */
const built = new Map<FunctionName, Promise<string[]>>();
const inputsOf = (fn: FunctionName): Promise<string[]> => {
  if (!built.has(fn)) built.set(fn, bundleInputs(fn));
  return built.get(fn)!;
};

const carries = (inputs: string[], fragment: string) => inputs.some((path) => path.includes(fragment));

describe('function bundles carry only the clients their role may use', () => {
  it.each(functionNames)('%s: KMS and Secrets Manager code only where the stack grants them', async (fn) => {
    // Prepare
    const profile = FUNCTION_PROFILES[fn];

    // Act
    const inputs = await inputsOf(fn);

    // Assess
    expect(carries(inputs, 'node_modules/@aws-sdk/client-dynamodb/')).toBe(true);
    expect(carries(inputs, 'node_modules/@aws-sdk/client-kms/')).toBe(profile.appSecrets);
    expect(carries(inputs, 'shared/adapters/kms-cipher.ts')).toBe(profile.appSecrets);
    expect(carries(inputs, 'node_modules/@aws-sdk/client-secrets-manager/')).toBe(profile.wiseCredentials);
    // A function without the Wise credentials cannot call Wise, so it carries no Wise client either.
    expect(carries(inputs, 'shared/wise/client.ts')).toBe(profile.wiseCredentials);
  });
});

describe('function bundles carry zod/mini, never classic zod', () => {
  it.each(functionNames)('%s: zod/mini only', async (fn) => {
    // Act
    const inputs = await inputsOf(fn);

    // Assess
    // One classic `zod` import anywhere in the bundle's graph brings back all of classic zod (about 60 KiB).
    expect(carries(inputs, 'node_modules/zod/v4/mini/')).toBe(true);
    expect(carries(inputs, 'node_modules/zod/v4/classic/')).toBe(false);
  });
});
