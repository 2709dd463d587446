/**
 * Writes the partner API's OpenAPI document to docs/openapi.json, walked from the route table, the
 * operation declarations and the problem catalogue (scripts/openapi-document.ts).
 *
 *   npx tsx scripts/openapi.ts           regenerate docs/openapi.json
 *   npx tsx scripts/openapi.ts --check   exit 1 when the committed file is not what would be generated (CI)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { buildOpenApiDocument, type OpenApiDocument } from './openapi-document';

export const OPENAPI_FILE = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));

/**
 * The file's exact text. Formatted with the project's Prettier settings so that `npm run format`
 * leaves the generated file as it is, and `--check` does not fail after a formatting run.
 */
export const renderOpenApi = async (document: OpenApiDocument = buildOpenApiDocument()): Promise<string> => {
  const options = (await prettier.resolveConfig(OPENAPI_FILE)) ?? {};
  return prettier.format(JSON.stringify(document), { ...options, parser: 'json', filepath: OPENAPI_FILE });
};

const committed = (): string | undefined => {
  try {
    return readFileSync(OPENAPI_FILE, 'utf8');
  } catch {
    return undefined;
  }
};

const main = async (args: readonly string[]): Promise<number> => {
  const generated = await renderOpenApi();
  if (args.includes('--check')) {
    if (committed() === generated) return 0;
    console.error(
      'docs/openapi.json is not what the code generates: run `npx tsx scripts/openapi.ts` and commit the result.',
    );
    return 1;
  }
  writeFileSync(OPENAPI_FILE, generated);
  console.log(`wrote ${OPENAPI_FILE}`);
  return 0;
};

// Run only as a script, so the test can import renderOpenApi without writing anything.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
