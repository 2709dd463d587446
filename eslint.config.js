import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The product's code takes zod from shared/zod.ts (zod/mini): one classic `zod` import puts all of zod back into a bundle. */
const zodOnlyFromShared = {
  regex: '^zod(/.*)?$',
  message: 'Import zod from shared/zod.ts (zod/mini, with its English messages).',
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'cdk.out/**',
      '.local/**',
      'coverage/**',
      'test-results/**',
      'local/quickstart/public/**/*.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-console': 'off',
    },
  },
  {
    // Plain Node scripts (the benchmark's fresh-process child).
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['functions/**/*.ts', 'shared/**/*.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['functions/**/*.ts', 'shared/**/*.ts'],
    ignores: ['shared/zod.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [zodOnlyFromShared] }] },
  },
  {
    // Domain rules are pure: no AWS, no middy, no HTTP (ENGINEERING.md, "Layout").
    files: ['shared/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@aws-sdk/*', '@aws-lambda-powertools/*'],
              message: 'Domain rules import no AWS code: use a port.',
            },
            { group: ['@middy/*'], message: 'Domain rules know nothing of the handler stack.' },
            {
              group: ['node:http', 'node:https', 'http', 'https', '**/http/*'],
              message: 'Domain rules know nothing of HTTP.',
            },
            {
              group: ['**/adapters/*', '**/adapters/**', '**/store/*'],
              message: 'Domain rules import ports, never adapters.',
            },
            zodOnlyFromShared,
          ],
        },
      ],
    },
  },
  {
    // Functions reach AWS only through ports and their adapters under shared/adapters.
    files: ['functions/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@aws-sdk/*'], message: 'Functions import no AWS SDK: use a port from shared/ports.' },
            zodOnlyFromShared,
          ],
        },
      ],
    },
  },
);
