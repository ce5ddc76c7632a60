// Original file: proto/sluice/v1/common.proto


/**
 * A named endpoint of a broker or controller (Kafka's listener: name, host, port).
 */
export interface Listener {
  'name'?: (string);
  'host'?: (string);
  'port'?: (number);
}

/**
 * A named endpoint of a broker or controller (Kafka's listener: name, host, port).
 */
export interface Listener__Output {
  'name': (string);
  'host': (string);
  'port': (number);
}
