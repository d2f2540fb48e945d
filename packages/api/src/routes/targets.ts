import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import type { ApiDeps } from '../app.js';
import { type App, body, bodyErrors, errors, json } from '../route.js';
import {
  createTargetBody,
  Target,
  TargetRegistration,
  TargetWithLoad,
  TrustedHostKey,
  targetParams,
  trustHostKeyBody,
} from '../schemas.js';

const tags = ['Targets'];

export const listTargets = createRoute({
  method: 'get',
  path: '/api/targets',
  operationId: 'listTargets',
  tags,
  summary: 'List targets',
  description: 'Every target with the slots it has in use.',
  responses: { 200: json(z.object({ targets: z.array(TargetWithLoad) }), 'The targets.'), ...errors() },
});

export const createTarget = createRoute({
  method: 'post',
  path: '/api/targets',
  operationId: 'createTarget',
  tags,
  summary: 'Register a machine',
  description:
    'Registers a target: runs its bootstrap, then its doctor; it is online only if every required check passes.',
  request: { body: body(createTargetBody, 'The machine.') },
  responses: { 201: json(TargetRegistration, 'Registered.'), ...bodyErrors(409, 503) },
});

export const doctorTarget = createRoute({
  method: 'post',
  path: '/api/targets/{id}/doctor',
  operationId: 'doctorTarget',
  tags,
  summary: "Re-run a target's doctor",
  description: "Runs the target's doctor again and records its report.",
  request: { params: targetParams },
  responses: { 200: json(TargetRegistration, 'The report.'), ...errors(404, 503) },
});

export const trustHostKey = createRoute({
  method: 'post',
  path: '/api/targets/{id}/trust-host-key',
  operationId: 'trustHostKey',
  tags,
  summary: "Trust an SSH target's host key",
  description:
    'Trusts the host key a person compared: the host is contacted again and must present exactly this key; then the doctor re-runs.',
  request: { params: targetParams, body: body(trustHostKeyBody, 'The fingerprint.') },
  responses: { 200: json(TrustedHostKey, 'Trusted.'), ...bodyErrors(404, 409, 503) },
});

const statusActions = [
  ['drain', 'draining', 'drainTarget', 'Drain a target', 'Takes no new sessions; running ones finish.'],
  ['disable', 'disabled', 'disableTarget', 'Disable a target', 'Takes the target out of rotation.'],
  ['enable', 'online', 'enableTarget', 'Enable a target', 'Puts the target back online.'],
] as const;

export const targetStatusRoutes = statusActions.map(
  ([action, status, operationId, summary, description]) => ({
    status,
    route: createRoute({
      method: 'post',
      path: `/api/targets/{id}/${action}`,
      operationId,
      tags,
      summary,
      description,
      request: { params: targetParams },
      responses: { 200: json(z.object({ target: Target }), 'The target.'), ...errors(404, 409) },
    }),
  }),
);

export function targetRoutes(app: App, { orchestrator }: ApiDeps) {
  const { reads } = orchestrator;
  app.openapi(listTargets, (c) => {
    const load = reads.targetLoad();
    return c.json(
      { targets: reads.listTargets().map((target) => ({ ...target, used: load[target.id] ?? 0 })) },
      200,
    );
  });
  app.openapi(createTarget, async (c) => {
    const input = c.req.valid('json');
    const registered = await orchestrator.registerTarget({
      name: input.name,
      kind: input.kind ?? 'ssh',
      host: input.host ?? null,
      user: input.user ?? null,
      port: input.port ?? null,
      identityFile: input.identityFile ?? null,
      workRoot: input.workRoot,
      capacitySessions: input.capacitySessions ?? 4,
      bootstrap: input.bootstrap ?? null,
      memoryFloorBytes: input.memoryFloorBytes ?? null,
      diskFloorBytes: input.diskFloorBytes ?? null,
    });
    return c.json(registered, 201);
  });
  app.openapi(doctorTarget, async (c) =>
    c.json(await orchestrator.doctorTarget(c.req.valid('param').id), 200),
  );
  app.openapi(trustHostKey, async (c) =>
    c.json(await orchestrator.trustHostKey(c.req.valid('param').id, c.req.valid('json').fingerprint), 200),
  );
  for (const { status, route } of targetStatusRoutes) {
    app.openapi(route, (c) =>
      c.json({ target: orchestrator.setTargetStatus(c.req.valid('param').id, status) }, 200),
    );
  }
}
