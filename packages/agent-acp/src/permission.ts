import type * as acp from '@agentclientprotocol/sdk';

/**
 * What an agent may do when it asks (`session/request_permission`): `allow` picks its allow-once option,
 * `deny` its reject-once option, `ask` puts the question to a person (`AgentSpec.askPermission`;
 * without one, the answer is a refusal).
 */
export type PermissionPolicy = 'allow' | 'deny' | 'ask';

/**
 * The answer to a permission request: the agent's own option of the wanted kind, once-only preferred
 * (an "always" answer would outlive this decision). No such option: the request is cancelled.
 */
export function pickOption(options: acp.PermissionOption[], allow: boolean): acp.RequestPermissionResponse {
  const kinds: acp.PermissionOptionKind[] = allow
    ? ['allow_once', 'allow_always']
    : ['reject_once', 'reject_always'];
  for (const kind of kinds) {
    const option = options.find((candidate) => candidate.kind === kind);
    if (option) return { outcome: { outcome: 'selected', optionId: option.optionId } };
  }
  return { outcome: { outcome: 'cancelled' } };
}
