import { createLocalExecutor } from '@orcha/exec';
import { describe, expect, it } from 'vitest';
import { claudeAsRootCheck, claudeAsRootWarning, claudeRefusesRoot } from './claude-as-root.js';

describe('claude as root', () => {
  it('is refused only for root without IS_SANDBOX=1, and the warning names both fixes', () => {
    expect(claudeRefusesRoot(0, undefined)).toBe(true);
    expect(claudeRefusesRoot(0, '')).toBe(true);
    expect(claudeRefusesRoot(0, '1')).toBe(false);
    expect(claudeRefusesRoot(1000, undefined)).toBe(false);
    expect(claudeAsRootWarning).not.toContain('\n');
    expect(claudeAsRootWarning).toMatch(/run orcha as a normal user/);
    expect(claudeAsRootWarning).toMatch(/IS_SANDBOX=1/);
  });

  it("the doctor's check reads the user on the target and IS_SANDBOX as claude would get it", async () => {
    const root = process.getuid?.() === 0;
    const local = createLocalExecutor();
    const bare = await claudeAsRootCheck(local, { IS_SANDBOX: '' });
    expect(bare).toMatchObject({ name: 'claude as root', ok: !root, required: false });
    expect(bare.fix).toBe(root ? claudeAsRootWarning : null);
    const sandboxed = await claudeAsRootCheck(local, { IS_SANDBOX: '1' });
    expect(sandboxed).toMatchObject({
      ok: true,
      fix: null,
      detail: root ? 'root, with IS_SANDBOX=1' : 'not root',
    });
  });
});
