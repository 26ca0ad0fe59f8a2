// The OpenTelemetry semantic-convention names ledis/otel emits (database
// client spans and metrics, semantic conventions 1.3x: db spans and the
// db.client.operation.duration metric are Stable, the connection metrics are
// Development). Written out rather than imported from
// @opentelemetry/semantic-conventions: a dozen strings do not justify a
// second peer dependency.

export const ATTR_DB_SYSTEM_NAME = 'db.system.name';
export const ATTR_DB_OPERATION_NAME = 'db.operation.name';
export const ATTR_DB_NAMESPACE = 'db.namespace';
export const ATTR_DB_QUERY_TEXT = 'db.query.text';
export const ATTR_DB_OPERATION_BATCH_SIZE = 'db.operation.batch.size';
export const ATTR_DB_RESPONSE_STATUS_CODE = 'db.response.status_code';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_ERROR_TYPE = 'error.type';
export const ATTR_DB_CLIENT_CONNECTION_STATE = 'db.client.connection.state';
export const ATTR_DB_CLIENT_CONNECTION_POOL_NAME = 'db.client.connection.pool.name';

export const METRIC_DB_CLIENT_OPERATION_DURATION = 'db.client.operation.duration';
export const METRIC_DB_CLIENT_CONNECTION_COUNT = 'db.client.connection.count';
export const METRIC_DB_CLIENT_CONNECTION_CREATE_TIME = 'db.client.connection.create_time';
export const METRIC_DB_CLIENT_CONNECTION_PENDING_REQUESTS = 'db.client.connection.pending_requests';

/**
 * The bucket boundaries (seconds) the conventions recommend for
 * db.client.operation.duration (ExplicitBucketBoundaries advice).
 */
export const DURATION_BUCKETS: readonly number[] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

/**
 * The db.system.name ledis/otel reports by default. LedisDB has no value
 * registered in the conventions' db.system.name list; "ledisdb" is the
 * project's own name in lower case, as the registered values are (the
 * conventions allow a custom value when none is registered). Set
 * `dbSystemName: 'redis'` to have backends show it as Redis.
 */
export const DB_SYSTEM_NAME_LEDISDB = 'ledisdb';
