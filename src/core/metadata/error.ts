/** The input is not an image the metadata codecs can edit, or is damaged. */
export class MetadataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MetadataError';
  }
}

/** A strict container walk's damage handler: throws `Damaged <format>: <why>.` */
export function damagedIn(format: string): (why: string) => never {
  return (why) => {
    throw new MetadataError(`Damaged ${format}: ${why}.`);
  };
}
