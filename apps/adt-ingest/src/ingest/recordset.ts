/**
 * Rows sent to PostgreSQL as one jsonb array and read back with `jsonb_to_recordset`: the column
 * names and types are written once, here, and the rows are plain objects keyed by column, so a
 * statement takes one parameter per table however many columns it has.
 */
export type Columns<Row> = { readonly [Column in keyof Row]-?: string };

/** `jsonb_to_recordset(source) AS alias(column type, ...)`. */
export const recordset = <Row>(source: string, alias: string, columns: Columns<Row>): string =>
  `jsonb_to_recordset(${source}) AS ${alias}(${Object.entries(columns)
    .map(([name, type]) => `${name} ${String(type)}`)
    .join(', ')})`;

/** The column names, in the order of the description. */
export const columnNames = <Row>(columns: Columns<Row>): string => Object.keys(columns).join(', ');
