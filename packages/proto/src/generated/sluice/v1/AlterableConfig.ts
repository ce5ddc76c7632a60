// Original file: proto/sluice/v1/controller.proto


export interface AlterableConfig {
  'name'?: (string);
  /**
   * SET, DELETE (Kafka's incremental AlterConfigs operations).
   */
  'operation'?: (string);
  'value'?: (string);
}

export interface AlterableConfig__Output {
  'name': (string);
  /**
   * SET, DELETE (Kafka's incremental AlterConfigs operations).
   */
  'operation': (string);
  'value': (string);
}
