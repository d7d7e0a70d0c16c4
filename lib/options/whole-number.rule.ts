import { ValidateBy } from 'class-validator';
import { isWholeNumber } from '../utils/whole-number.js';

/**
 * A class-validator rule: the option is a whole number from `low` to `high` (counted in
 * `unit`, e.g. `milliseconds`), with the one message every such option gives.
 */
export function IsWholeNumberIn(low: number, high: number, unit: string): PropertyDecorator {
  const message = `must be a whole number of ${unit} from ${low} to ${high}`;
  return ValidateBy({
    name: 'isWholeNumberIn',
    constraints: [low, high],
    validator: {
      validate: (value: unknown) => isWholeNumber(value, low, high),
      defaultMessage: () => message,
    },
  });
}
