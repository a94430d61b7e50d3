/**
 * Build the JSON of an object with fields added at its end from the JSON of the object before
 * and of those fields alone, without encoding the object again.
 */

/**
 * `objectJson` (a JSON object) with the members of `fieldsJson` (another) after its own: the
 * encoding of the object once those fields are added as its last keys, when none of them was
 * a key of it before and both were encoded by the same rules.
 */
export function appendJsonFields(objectJson: string, fieldsJson: string): string {
  if (fieldsJson === '{}') return objectJson;
  if (objectJson === '{}') return fieldsJson;
  return `${objectJson.slice(0, -1)},${fieldsJson.slice(1)}`;
}
