/**
 * The part of a `denque` (package `denque`) the connection's command queues
 * use. Typed here, not as `Denque<T>`, so the published .d.ts files never
 * import denque's `export =` declaration: a consumer compiling without
 * `esModuleInterop` rejects that default import (the packed node10 test).
 */
export interface CommandQueue<T> {
  readonly length: number;
  push(item: T): number;
  unshift(item: T): number;
  pop(): T | undefined;
  shift(): T | undefined;
  peekFront(): T | undefined;
  peekAt(index: number): T | undefined;
  clear(): void;
  toArray(): T[];
}
