import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import type { FunctionName } from '../shared/routes';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The reference bundle (DynamoDB client + middy only) is measured beside the four functions, and
 * so are three diagnostics: `libraries` (the required libraries, no product code),
 * `libraries-with-secrets` (the same plus the KMS and Secrets Manager clients) and `webhook-calls`
 * (the reference making a cold webhook's DynamoDB calls).
 */
export type BundleName =
  FunctionName | 'reference' | 'libraries' | 'libraries-with-secrets' | 'webhook-calls';

export interface Bundle {
  name: BundleName;
  /** The ESM entry a fresh Node process imports. */
  file: string;
  bytes: number;
  /** The largest inputs, for the report (what the bundle pulls in). */
  topInputs: { path: string; bytes: number }[];
}

/**
 * The options NodejsFunction passes to esbuild for these functions (aws-lambda-nodejs bundling.js
 * buildEsbuildArgs: --bundle --platform=node --outfile=index.mjs, run from the project root) with the
 * construct's own `BUNDLING` props (infra/constructs/functions.ts) translated one by one, so the two
 * cannot drift: a prop this translation does not know stops the run instead of being ignored.
 */
export const cdkBundleOptions = async () => {
  const { BUNDLING: b } = (await import('../infra/constructs/functions')) as {
    BUNDLING?: Record<string, unknown>;
  };
  if (!b) throw new Error('infra/constructs/functions.ts no longer exports BUNDLING');
  const known = [
    'format',
    'target',
    'minify',
    'sourceMap',
    'sourcesContent',
    'externalModules',
    'mainFields',
    'banner',
  ];
  const unknown = Object.keys(b).filter((k) => !known.includes(k));
  if (unknown.length > 0)
    throw new Error(
      `bench/bundles.ts does not translate the construct's bundling props: ${unknown.join(', ')}`,
    );
  if (b.format !== 'esm' || typeof b.target !== 'string')
    throw new Error('the construct no longer bundles ESM for a node target');
  return {
    bundle: true,
    target: b.target,
    platform: 'node' as const,
    format: 'esm' as const,
    minify: b.minify === true,
    sourcemap: b.sourceMap === true,
    // NodejsFunction passes --sources-content=false only when the prop is false; esbuild's default is true.
    sourcesContent: b.sourcesContent !== false,
    external: (b.externalModules as string[] | undefined) ?? [],
    mainFields: b.mainFields as string[],
    ...(typeof b.banner === 'string' && { banner: { js: b.banner } }),
    absWorkingDir: PROJECT_ROOT,
    logLevel: 'warning' as const,
  };
};

const entryOf = (name: BundleName): string => {
  if (name === 'reference') return join(PROJECT_ROOT, 'bench/reference/handler.ts');
  if (name === 'libraries') return join(PROJECT_ROOT, 'bench/reference/libraries-handler.ts');
  if (name === 'libraries-with-secrets')
    return join(PROJECT_ROOT, 'bench/reference/libraries-with-secrets-handler.ts');
  if (name === 'webhook-calls') return join(PROJECT_ROOT, 'bench/reference/webhook-calls-handler.ts');
  return join(PROJECT_ROOT, `functions/${name}/handler.ts`);
};

const topInputs = (meta: Metafile, outfile: string, count = 8) => {
  const output = Object.entries(meta.outputs).find(
    ([path]) => path.endsWith(outfile.split('/').pop()!) && !path.endsWith('.map'),
  )?.[1];
  const byPackage = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    // Group by package: node_modules/@scope/name or node_modules/name; project files by folder.
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const key = m ? m[1]! : path.split('/').slice(0, 2).join('/');
    byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
  }
  return [...byPackage.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([path, bytes]) => ({ path, bytes }));
};

/** Bundles each entry as CDK would, into `outDir/<name>/index.mjs` (plus the metafile, for profiling). */
export const buildBundles = async (names: readonly BundleName[], outDir: string): Promise<Bundle[]> => {
  const options = await cdkBundleOptions();
  const bundles: Bundle[] = [];
  for (const name of names) {
    const dir = join(outDir, name);
    mkdirSync(dir, { recursive: true });
    const outfile = join(dir, 'index.mjs');
    // The metafile is an extra output only; it does not change the bundle.
    const result = await build({ ...options, entryPoints: [entryOf(name)], outfile, metafile: true });
    writeFileSync(join(dir, 'meta.json'), JSON.stringify(result.metafile));
    bundles.push({
      name,
      file: outfile,
      bytes: statSync(outfile).size,
      topInputs: topInputs(result.metafile, relative(PROJECT_ROOT, outfile)),
    });
  }
  return bundles;
};
