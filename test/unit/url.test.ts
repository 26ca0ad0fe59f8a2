import { describe, expect, it } from 'vitest';
import { BlockingConnectionPool, ConnectionPool, DataError, Ledis, fromUrl, parseUrl } from '../../src/index.js';

describe('URLs, as ledis-py documents them', () => {
  it('ledis://localhost:6380/0 gives host, port and db', () => {
    expect(parseUrl('ledis://localhost:6380/0')).toMatchObject({ host: 'localhost', port: 6380, db: 0 });
  });

  it('the port defaults to 6380 and the db to 0', () => {
    expect(parseUrl('ledis://example.test')).toMatchObject({ host: 'example.test', port: 6380, db: 0 });
  });

  it('unix:///path/to/socket.sock?db=0 gives a unix socket path and db', () => {
    const o = parseUrl('unix:///path/to/socket.sock?db=3');
    expect(o).toMatchObject({ unixSocketPath: '/path/to/socket.sock', db: 3 });
    expect(o).not.toHaveProperty('host');
  });

  it('takes the db from the query string first, then the path, then the argument, else 0', () => {
    expect(parseUrl('ledis://localhost/2?db=5', { db: 7 }).db).toBe(5);
    expect(parseUrl('ledis://localhost/2', { db: 7 }).db).toBe(2);
    expect(parseUrl('ledis://localhost', { db: 7 }).db).toBe(7);
    expect(parseUrl('ledis://localhost').db).toBe(0);
    expect(parseUrl('unix:///tmp/s.sock', { db: 4 }).db).toBe(4);
  });

  it('passes query-string options along, and they win over arguments', () => {
    const o = parseUrl('ledis://:pw@localhost:7000?socketTimeout=250&connections=3&socket_timeout=300', {
      socketTimeout: 100,
      connectTimeout: 50,
    });
    expect(o).toMatchObject({ host: 'localhost', port: 7000, password: 'pw', socketTimeout: 300, connections: 3, connectTimeout: 50 });
  });

  it('refuses bad URLs with a clear DataError', () => {
    expect(() => parseUrl('not a url')).toThrow(DataError);
    // Every accepted scheme is named, so a redis:// user learns that redis:// and rediss:// work too.
    for (const bad of ['http://localhost', 'not a url']) {
      for (const scheme of ['ledis://', 'redis://', 'ledis+tls://', 'rediss://', 'unix://']) expect(() => parseUrl(bad)).toThrow(scheme);
    }
    expect(() => parseUrl('http://localhost')).toThrow(/"http:" is not one of/);
    expect(() => parseUrl('ledis://localhost/abc')).toThrow(/db number/);
    expect(() => parseUrl('ledis://localhost?db=x')).toThrow(/db must be a number/);
    expect(() => parseUrl('ledis://localhost?lazyConnect=maybe')).toThrow(/true or false/);
  });

  it('Ledis.fromUrl, fromUrl and the pools build clients and pools from a URL', () => {
    const a = Ledis.fromUrl('ledis://127.0.0.1:6399/4', { lazyConnect: true });
    expect(a.connectionPool.connectionOptions).toMatchObject({ host: '127.0.0.1', port: 6399, db: 4 });
    const b = fromUrl('ledis://127.0.0.1:6399?db=2&lazyConnect=true');
    expect(b.connectionPool.connectionOptions).toMatchObject({ db: 2, lazyConnect: true });
    const pool = ConnectionPool.fromUrl('ledis://127.0.0.1:6399/1?maxConnections=3&lazyConnect=true');
    expect(pool.maxConnections).toBe(3);
    const blocking = BlockingConnectionPool.fromUrl('unix:///tmp/x.sock?timeout=5&lazyConnect=true');
    expect(blocking.timeout).toBe(5);
    for (const c of [a, b]) c.disconnect();
    pool.disconnect();
    blocking.disconnect();
  });
});
