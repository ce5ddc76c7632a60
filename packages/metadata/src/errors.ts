/**
 * Every failure this package raises is one of these named classes, so callers can branch on
 * `instanceof` (or `name`) rather than on message text.
 */

/** Base of every error raised by @sluice/metadata. */
export class MetadataError extends Error {
  override readonly name: string = 'MetadataError';
}

/** Bytes that are not a well-formed metadata record; `position` is the absolute byte offset. */
export class CorruptMetadataRecordError extends MetadataError {
  override readonly name: string = 'CorruptMetadataRecordError';

  constructor(
    readonly reason: string,
    readonly position: number,
  ) {
    super(`corrupt metadata record: ${reason} at byte ${position}`);
  }
}

/** A record frame whose type id this build does not know. */
export class UnknownRecordTypeError extends MetadataError {
  override readonly name: string = 'UnknownRecordTypeError';

  constructor(
    readonly typeId: number,
    readonly position: number,
  ) {
    super(`unknown metadata record type id ${typeId} at byte ${position}`);
  }
}

/** A record version this build cannot read or write for that record type. */
export class UnsupportedRecordVersionError extends MetadataError {
  override readonly name: string = 'UnsupportedRecordVersionError';

  constructor(
    readonly recordType: string,
    readonly version: number,
    readonly position: number,
    detail = '',
  ) {
    super(
      `unsupported version ${version} of ${recordType}` +
        (position >= 0 ? ` at byte ${position}` : '') +
        (detail ? `: ${detail}` : ''),
    );
  }
}

/** A record value that cannot be encoded (out-of-range integer, oversized string, ...). */
export class InvalidMetadataRecordError extends MetadataError {
  override readonly name: string = 'InvalidMetadataRecordError';
}

/** A topic id that is not a 22-character URL-safe base64 encoding of 16 bytes. */
export class InvalidUuidError extends MetadataError {
  override readonly name: string = 'InvalidUuidError';
}

/**
 * A well-formed record that cannot be applied to the current metadata state. Replay throws
 * before mutating anything, so the delta is unchanged and may continue to be used.
 */
export class MetadataValidationError extends MetadataError {
  override readonly name: string = 'MetadataValidationError';
}

export class UnknownBrokerError extends MetadataValidationError {
  override readonly name: string = 'UnknownBrokerError';
}

/** A broker record carrying an epoch other than the registered one (principle 4: epochs fence). */
export class StaleBrokerEpochError extends MetadataValidationError {
  override readonly name: string = 'StaleBrokerEpochError';
}

export class UnknownTopicError extends MetadataValidationError {
  override readonly name: string = 'UnknownTopicError';
}

export class InvalidTopicIdError extends MetadataValidationError {
  override readonly name: string = 'InvalidTopicIdError';
}

export class DuplicateTopicIdError extends MetadataValidationError {
  override readonly name: string = 'DuplicateTopicIdError';
}

export class DuplicateTopicNameError extends MetadataValidationError {
  override readonly name: string = 'DuplicateTopicNameError';
}

export class InvalidTopicNameError extends MetadataValidationError {
  override readonly name: string = 'InvalidTopicNameError';
}

export class UnknownPartitionError extends MetadataValidationError {
  override readonly name: string = 'UnknownPartitionError';
}

/** A Partition record for a partition that already exists. */
export class DuplicatePartitionError extends MetadataValidationError {
  override readonly name: string = 'DuplicatePartitionError';
}

/** Partitions are created densely, 0..n-1 in order, as Kafka's controller does. */
export class NonContiguousPartitionError extends MetadataValidationError {
  override readonly name: string = 'NonContiguousPartitionError';
}

/** A partition state that breaks an invariant (leader outside the ISR, duplicate replica, ...). */
export class InvalidPartitionStateError extends MetadataValidationError {
  override readonly name: string = 'InvalidPartitionStateError';
}

export class InvalidConfigRecordError extends MetadataValidationError {
  override readonly name: string = 'InvalidConfigRecordError';
}

export class ProducerIdRegressionError extends MetadataValidationError {
  override readonly name: string = 'ProducerIdRegressionError';
}

export class InvalidFeatureLevelError extends MetadataValidationError {
  override readonly name: string = 'InvalidFeatureLevelError';
}

/** A record replayed at a log position not after the previous one. */
export class ProvenanceRegressionError extends MetadataValidationError {
  override readonly name: string = 'ProvenanceRegressionError';
}

/** A snapshot whose bytes fail a check; `position` is the absolute byte offset in the snapshot. */
export class CorruptSnapshotError extends MetadataError {
  override readonly name: string = 'CorruptSnapshotError';

  constructor(
    readonly reason: string,
    readonly position: number,
  ) {
    super(`corrupt metadata snapshot: ${reason} at byte ${position}`);
  }
}

export class UnsupportedSnapshotVersionError extends MetadataError {
  override readonly name: string = 'UnsupportedSnapshotVersionError';

  constructor(readonly formatVersion: number) {
    super(`unsupported metadata snapshot format version ${formatVersion}`);
  }
}

/** An ACL the authorizer cannot hold (unknown type, empty name, malformed principal, ...). */
export class InvalidAclError extends MetadataValidationError {
  override readonly name: string = 'InvalidAclError';
}

/** A RemoveAccessControlEntry for an id the image does not hold, or a second entry with an id in use. */
export class AclIdError extends MetadataValidationError {
  override readonly name: string = 'AclIdError';
}
