import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ListToolsRequestSchema,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { closestName, type ManagerTool } from '@orcha/core';
import { isOrchaError, OrchaError } from '@orcha/model';
import { z } from 'zod';
import type { ApiDeps } from './app.js';
import type { App } from './route.js';
import { bearerToken } from './security.js';

/**
 * The largest MCP request read. It holds any call whose arguments are within the tools' own stated limits
 * (create_artifact's content at worst as JSON escapes, six bytes a character), so a tool's limit is the one
 * a caller meets, with the tool's own clear error.
 */
export const maxMcpBodyBytes = 8 * 1024 * 1024;

/**
 * Lets every `tools/call` through to the SDK's own check, which answers a missing `name` or non-object
 * `arguments` with -32602 (invalid params); parsed by the strict schema first, it would be -32603.
 */
const anyToolCall = z.looseObject({ method: z.literal('tools/call') });

/**
 * The MCP endpoint of each session, stateless: every POST is a fresh server over the session's tools. It
 * offers no standalone stream (GET answers 405) and no list changes (the tool set is fixed per session).
 */
export function mcpRoutes(app: App, { orchestrator, info }: ApiDeps) {
  app.post('/mcp/:sessionId', async (c) => {
    const token = bearerToken(c);
    if (!token) throw new OrchaError('unauthorized', 'a bearer token is required');
    const server = mcpServer(orchestrator.toolsFor(c.req.param('sessionId'), token), info.version);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      maxRequestBodySize: maxMcpBodyBytes,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      void server.close();
    }
  });
  app.all('/mcp/:sessionId', () => {
    throw new OrchaError(
      'method_not_allowed',
      'this MCP endpoint takes POST only: it has no standalone stream',
      {
        allow: 'POST',
      },
    );
  });
  app.all('/mcp/*', () => {
    throw new OrchaError('not_found', 'no such MCP endpoint; agents use /mcp/<sessionId>');
  });
}

/** One JSON Schema validator for every request's server: the SDK would compile a new Ajv for each. */
const jsonSchemaValidator = new AjvJsonSchemaValidator();

function mcpServer(tools: readonly ManagerTool[], version: string): Server {
  const server = new Server({ name: 'orcha', version }, { capabilities: { tools: {} }, jsonSchemaValidator });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: tools.map(describeTool) }));
  server.setRequestHandler(anyToolCall, async (request): Promise<CallToolResult> => {
    // The SDK has checked the request's shape by now; `arguments` are still exactly as sent.
    const { name, arguments: args } = CallToolRequestSchema.parse(request).params;
    const tool = tools.find((candidate) => candidate.name === name);
    try {
      if (!tool) {
        const closest = closestName(
          name,
          tools.map((candidate) => candidate.name),
        );
        throw new OrchaError(
          'not_found',
          `no tool ${name} for this session${closest ? ` (did you mean ${closest}?)` : ''}`,
        );
      }
      const value = await tool.run(args ?? {});
      const structured = tool.output ? (value as Record<string, unknown>) : undefined;
      return {
        content: [{ type: 'text', text: JSON.stringify(value ?? null) }],
        ...(structured ? { structuredContent: structured } : {}),
      };
    } catch (error) {
      const code = isOrchaError(error) ? error.code : 'internal';
      const message = error instanceof Error ? error.message : String(error);
      return {
        isError: true,
        content: [{ type: 'text', text: JSON.stringify({ error: { code, message } }) }],
      };
    }
  });
  return server;
}

function describeTool(tool: ManagerTool): Tool {
  return {
    name: tool.name,
    description: tool.description,
    inputSchema: jsonSchema(tool.input, 'input'),
    ...(tool.output ? { outputSchema: jsonSchema(tool.output, 'output') } : {}),
    annotations: tool.annotations,
  };
}

/** Converted once per schema: core's table keeps the same schema objects for every request. */
const jsonSchemas = {
  input: new WeakMap<z.ZodObject, Tool['inputSchema']>(),
  output: new WeakMap<z.ZodObject, Tool['inputSchema']>(),
};

/** A tool's JSON Schema (an object schema: the MCP root type), without the `$schema` line. */
function jsonSchema(schema: z.ZodObject, io: 'input' | 'output'): Tool['inputSchema'] {
  const known = jsonSchemas[io].get(schema);
  if (known) return known;
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' });
  const converted = { ...rest, type: 'object' } as Tool['inputSchema'];
  jsonSchemas[io].set(schema, converted);
  return converted;
}
