export * from './active-tracer';
export * from './links';
export * from './record-contexts';
export * from './semconv';
export * from './traceparent';
