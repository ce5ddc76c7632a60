export * from './active-tracer';
export * from './links';
export * from './record-contexts';
export * from './sampled-scan';
export * from './semconv';
export * from './traceparent';
