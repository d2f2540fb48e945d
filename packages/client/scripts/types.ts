import { openApiDocument } from '@orcha/api/openapi';
import openapiTS, { astToString } from 'openapi-typescript';

/** The TypeScript of the API's OpenAPI document, as openapi-typescript writes it. */
export async function generatedTypes(): Promise<string> {
  const document = openApiDocument('generated');
  const ast = await openapiTS(JSON.stringify(document));
  return `// Generated from @orcha/api's route declarations by scripts/generate.ts: do not edit.\n\n${astToString(ast)}`;
}
