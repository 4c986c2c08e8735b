// Lint: strict TypeScript everywhere; workflow and decision-core code must stay deterministic.
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      '.data/**',
      '.cache/**',
      'db/migrations/**',
      'coverage/**',
      'web/dist/**',
      'web/src/api/schema.d.ts',
      'test-results/**',
      'playwright-report/**',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js', 'workers/failure-converter.cjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  prettier,
  {
    // The console (web/, its own tsconfig for DOM and JSX): React's rules of hooks on top of the strict TS rules.
    files: ['web/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    // Tests read JSON answers whose shape the assertions themselves check.
    files: ['tests/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  // Shared operations (outbox signals, channel status, agent tasks, strategy store, links) live once in lib/,
  // below both entry layers: api/ and activities/ never import each other, and lib/ imports neither.
  {
    files: ['api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)activities(/|$)',
              message: 'api/ never imports activities/: shared operations live in lib/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['activities/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '(^|/)api(/|$)', message: 'activities/ never imports api/: shared operations live in lib/.' },
          ],
        },
      ],
    },
  },
  {
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)(api|activities|workers)(/|$)',
              message:
                'lib/ sits below api/, activities/ and workers/: it imports only db/, strategies/ and workflow messages.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['workflows/**/*.ts', 'strategies/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: 'Workflow and decision-core code must be deterministic: no Node built-ins.',
          })),
          patterns: [
            {
              // activities/whatsapp/task-queue is pure by design: workflows name a number's task queue with it.
              regex: '(^|/)(db|api|workers)(/|$)|(^|/)activities($|/(?!whatsapp/task-queue$))',
              allowTypeImports: true,
              message: 'Only type imports from db/, api/, activities/ in deterministic code.',
            },
            {
              group: [
                'date-holidays',
                'liquidjs',
                'postgres',
                'drizzle-orm',
                'drizzle-orm/*',
                'resend',
                '@whiskeysockets/*',
              ],
              message: 'Keep heavy or I/O libraries out of deterministic code.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'No process in deterministic code.' },
        { name: 'setTimeout', message: 'Use Temporal sleep.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Nothing random outside Temporal APIs.' },
      ],
    },
  },
);
