import { describeIssues, OrchaError } from '@orcha/model';
import type { z } from 'zod';

/**
 * Validates a tool call's raw arguments against its input schema. Unlike a plain parse, an unknown or
 * misspelled key is refused by name, with the closest known name: a model that wrote `dependson` learns
 * that it meant `dependsOn` instead of believing it set a dependency.
 */
export function parseToolArguments<Input extends z.ZodObject>(
  tool: string,
  input: Input,
  raw: unknown,
): z.output<Input> {
  const value = raw ?? {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw new OrchaError('invalid_argument', `the arguments of ${tool} must be a JSON object`);
  const known = Object.keys(input.shape);
  const unknown = Object.keys(value).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    const hints = unknown.map((key) => {
      const closest = closestName(key, known);
      return closest ? `"${key}" (did you mean "${closest}"?)` : `"${key}"`;
    });
    const accepted = known.length > 0 ? `it takes ${known.join(', ')}` : 'it takes no arguments';
    throw new OrchaError('invalid_argument', `${tool} has no argument ${hints.join(', ')}; ${accepted}`, {
      unknown,
      known,
    });
  }
  const parsed = input.safeParse(value);
  if (!parsed.success) throw new OrchaError('invalid_argument', describeIssues(parsed.error.issues));
  return parsed.data;
}

/** The known name nearest to `name` (case-insensitive edit distance), if one is near enough to be a typo. */
export function closestName(name: string, known: readonly string[]): string | null {
  let best: { name: string; distance: number } | null = null;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { name: candidate, distance };
  }
  if (!best) return null;
  return best.distance <= Math.max(2, Math.floor(best.name.length / 3)) ? best.name : null;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}
