// Original file: proto/sluice/v1/coordinator.proto


export interface ConsumerGroupWakeupsRequest {
  'groupId'?: (string);
  'memberId'?: (string);
}

export interface ConsumerGroupWakeupsRequest__Output {
  'groupId': (string);
  'memberId': (string);
}
