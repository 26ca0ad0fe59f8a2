/**
 * `ledis/otel`: OpenTelemetry spans and database-client metrics for ledis,
 * built on its diagnostics channels (docs/opentelemetry.md). Needs
 * `@opentelemetry/api`, an optional peer dependency of ledis: importing this
 * entry without it throws an error naming the package to install. The main
 * entry `ledis` never loads this file.
 *
 * ```ts
 * import { registerInstrumentations } from '@opentelemetry/instrumentation';
 * import { LedisInstrumentation } from 'ledis/otel';
 * registerInstrumentations({ instrumentations: [new LedisInstrumentation()] });
 * ```
 * @module ledis/otel
 */
export {
  LedisInstrumentation,
  INSTRUMENTATION_NAME,
  INSTRUMENTATION_VERSION,
  type LedisInstrumentationConfig,
  type LedisRequestHookInformation,
  type DbStatementSerializer,
} from './instrumentation.js';
export { DB_SYSTEM_NAME_LEDISDB, DURATION_BUCKETS } from './semconv.js';
