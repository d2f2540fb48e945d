import type { Hono } from 'hono';
import type { ApiDeps } from '../app.js';
import { readBody } from '../body.js';
import { createTargetBody, trustHostKeyBody } from '../schemas.js';

export function targetRoutes(app: Hono, { orchestrator }: ApiDeps) {
  const { reads } = orchestrator;
  app.get('/api/targets', (c) => {
    const load = reads.targetLoad();
    return c.json({
      targets: reads.listTargets().map((target) => ({ ...target, used: load[target.id] ?? 0 })),
    });
  });
  app.post('/api/targets', async (c) => {
    const body = await readBody(c, createTargetBody);
    const registered = await orchestrator.registerTarget({
      name: body.name,
      kind: body.kind,
      host: body.host ?? null,
      user: body.user ?? null,
      port: body.port ?? body.ssh_port ?? null,
      identityFile: body.identity_file ?? body.identityFile ?? null,
      workRoot: (body.work_root ?? body.workRoot)!,
      capacitySessions: body.capacity_sessions ?? body.capacitySessions ?? 4,
      bootstrap: body.bootstrap ?? null,
      memoryFloorBytes: body.memory_floor_bytes ?? null,
      diskFloorBytes: body.disk_floor_bytes ?? null,
    });
    return c.json(registered, 201);
  });
  app.post('/api/targets/:id/doctor', async (c) =>
    c.json(await orchestrator.doctorTarget(c.req.param('id'))),
  );
  app.post('/api/targets/:id/trust-host-key', async (c) => {
    const body = await readBody(c, trustHostKeyBody);
    return c.json(await orchestrator.trustHostKey(c.req.param('id'), body.fingerprint));
  });
  for (const [action, status] of [
    ['drain', 'draining'],
    ['disable', 'disabled'],
    ['enable', 'online'],
  ] as const) {
    app.post(`/api/targets/:id/${action}`, (c) =>
      c.json({ target: orchestrator.setTargetStatus(c.req.param('id'), status) }),
    );
  }
}
