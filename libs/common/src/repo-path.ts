import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * A path inside the repository, found by walking up to package.json: the same answer from
 * TypeScript sources (tests) and from dist/ (built services), for non-code files like migrations.
 */
export function repoPath(...parts: string[]): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`package.json not found above ${__dirname}`);
    dir = parent;
  }
  return path.join(dir, ...parts);
}
