import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
          ],
        },
      ],
    },
  },
);
