/** class-transformer transforms for settings written as lists in one environment variable. */

/** `a, b,c` -> ['a', 'b', 'c'] */
export const commaList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.split(',').map((item) => item.trim()).filter((item) => item.length > 0) : value;

/** `LGH=America/Chicago,NSH=America/New_York` -> { LGH: 'America/Chicago', NSH: 'America/New_York' } */
export const keyValueList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? Object.fromEntries(
        value
          .split(',')
          .map((pair) => pair.trim())
          .filter((pair) => pair.length > 0)
          .map((pair) => pair.split('=').map((part) => part.trim())),
      )
    : value;
