/**
 * The product's zod: `zod/mini`, the functional API on zod's core, which esbuild tree-shakes to
 * what the schemas use (about 60 KiB less per bundle than classic `zod`, and a shorter cold start:
 * BENCHMARKS.md, "zod/mini: before and after"). Every schema in functions/ and shared/ imports zod
 * from here (eslint forbids `zod` and `zod/mini` elsewhere in them), so that one classic import
 * cannot bring the whole API back into a bundle, and so that English messages are always set.
 *
 * @example
 * import * as z from '../zod';
 * const code = z.string().check(z.trim(), z.minLength(1, 'is required'));
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// Classic zod sets English on its first schema; mini leaves every message at "Invalid input".
// The partner reads these messages in a 400's `errors[]`.
config(en());

export * from 'zod/mini';
