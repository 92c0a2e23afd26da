/**
 * The Rappel engine: `createRappel`, its options and results, the in-memory data source, the webhook sink and the
 * test kit.
 *
 * @packageDocumentation
 */
export { createRappel, monthOf } from "./createRappel.js";
export type { MemoryDataSource } from "./memoryData.js";
export { createMemoryDataSource } from "./memoryData.js";
export type { TestKit } from "./testKit.js";
export { createTestKit } from "./testKit.js";
export type {
  WebhookInboundEvent,
  WebhookSink,
  WebhookSinkOptions,
  WebhookStatusEvent,
} from "./twilioSink.js";
export { createWebhookSink } from "./twilioSink.js";
export type {
  AccountRecord,
  EngineTransports,
  MaybePromise,
  PlanSummary,
  PricingOptions,
  ProviderStatusInput,
  Rappel,
  RappelDataSource,
  RappelOptions,
  RappelScope,
  RetryOptions,
  RunDueResult,
  Scheduler,
  SignatureRecord,
  TemplateResolver,
  UsageReport,
} from "./types.js";
