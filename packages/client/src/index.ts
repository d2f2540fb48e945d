export type {
  ArtifactSummary,
  Dashboard,
  FeedFrame,
  HistoryPage,
  NewObjective,
  NewTarget,
  Notification,
  ObjectiveRow,
  Replica,
  Schemas,
  SessionDetail,
  SessionRow,
  TargetRegistration,
  TargetWithLoad,
  TranscriptFrame,
} from './client.js';
export {
  createOrchaClient,
  OrchaApiError,
  type OrchaClient,
  type OrchaClientOptions,
  result,
} from './client.js';
export type { components, operations, paths } from './generated/openapi.js';
export { type EventStreamOptions, readEventStream } from './sse.js';
