import { describe, expect, it } from 'vitest';
import { branchSchema, repoSchema, sessionSchema } from './entities.js';
import { createIdGenerator, idSchema } from './ids.js';

describe('ids', () => {
  it('are prefixed and sort in creation order, even within one millisecond', () => {
    let time = 1_700_000_000_000;
    let seed = 7;
    const ids = createIdGenerator(
      () => time,
      () => (seed = (seed * 31 + 11) % 32),
    );
    const made: string[] = [];
    for (let i = 0; i < 200; i++) {
      if (i % 50 === 0) time += 1;
      made.push(ids('session'));
    }
    expect(made[0]).toMatch(/^ses_[0-9A-Z]{26}$/);
    expect([...made].sort()).toEqual(made);
    expect(new Set(made).size).toBe(made.length);
    expect(idSchema('session').safeParse(made[0]).success).toBe(true);
    expect(idSchema('objective').safeParse(made[0]).success).toBe(false);
  });
});

describe('entity schemas', () => {
  it('reject hostile repository and branch names', () => {
    expect(repoSchema.safeParse('https://github.com/acme/app.git').success).toBe(true);
    expect(repoSchema.safeParse('acme/app').success).toBe(true);
    expect(repoSchema.safeParse('git@github.com:acme/app.git').success).toBe(true);
    expect(repoSchema.safeParse('https://x/$(rm -rf /)').success).toBe(false);
    expect(repoSchema.safeParse('a; rm -rf /').success).toBe(false);
    expect(branchSchema.safeParse('orcha/01abc-fix-login').success).toBe(true);
    expect(branchSchema.safeParse('-rf').success).toBe(false);
    expect(branchSchema.safeParse('a..b').success).toBe(false);
    expect(branchSchema.safeParse('main.lock').success).toBe(false);
    expect(branchSchema.safeParse('x y').success).toBe(false);
  });

  it('describe a session completely', () => {
    expect(Object.keys(sessionSchema.shape)).toEqual(
      expect.arrayContaining(['status', 'dependsOn', 'providerSessionId', 'attachCommand']),
    );
  });
});
