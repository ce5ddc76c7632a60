/** The server-side assignors of KIP-848 consumer groups, by name. */

import type { AssignorName, PartitionAssignor } from '../assignor';
import { RangeAssignor } from './range-assignor';
import { UniformAssignor } from './uniform-assignor';

export { RangeAssignor } from './range-assignor';
export { UniformAssignor } from './uniform-assignor';

/** Valid group.remote.assignor names, the default (uniform) first. */
export const ASSIGNOR_NAMES: readonly AssignorName[] = ['uniform', 'range'];

/** The assignor of that name; a RangeError naming the valid ones for any other. */
export function assignorByName(name: AssignorName): PartitionAssignor {
  switch (name) {
    case 'uniform':
      return new UniformAssignor();
    case 'range':
      return new RangeAssignor();
    default:
      throw new RangeError(`unknown assignor ${JSON.stringify(name)}; valid names: ${ASSIGNOR_NAMES.join(', ')}`);
  }
}
