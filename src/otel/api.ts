// Loads @opentelemetry/api, ledis's optional peer dependency, for ledis/otel
// alone: the main entry never reaches this file. Without the package the
// import of ledis/otel fails here with an error that says what to install
// (instead of Node's "Cannot find module" with a require stack).
import type * as OtelApi from '@opentelemetry/api';

function load(): typeof OtelApi {
  try {
    return require('@opentelemetry/api') as typeof OtelApi;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if ((e.code === 'MODULE_NOT_FOUND' || e.code === 'ERR_MODULE_NOT_FOUND') && String(e.message).includes('@opentelemetry/api')) {
      throw new Error(
        'ledis/otel needs the package @opentelemetry/api (an optional peer dependency of ledis, not installed): npm install @opentelemetry/api',
        { cause: err },
      );
    }
    throw err;
  }
}

/** The @opentelemetry/api module the application uses (its one global registry of providers). */
export const api: typeof OtelApi = load();
