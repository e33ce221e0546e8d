/** ajv and ajv-formats are CommonJS; under ESM the class and the plugin may sit on `.default`. */
import AjvModule, { type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';

type AjvClass = typeof AjvModule.default;
const AjvCtor: AjvClass = ((AjvModule as unknown as { default?: AjvClass }).default ?? AjvModule) as AjvClass;
type AddFormats = typeof addFormatsModule.default;
const addFormats: AddFormats = ((addFormatsModule as unknown as { default?: AddFormats }).default ?? addFormatsModule) as AddFormats;

export type Ajv = InstanceType<AjvClass>;

/** A draft-07 validator; `checkFormats: false` leaves `format` unchecked, as Python's jsonschema.validate does by default. */
export function newAjv(options: Options & { checkFormats?: boolean } = {}): Ajv {
  const { checkFormats = true, ...rest } = options;
  const ajv = new AjvCtor({ strict: false, allErrors: true, ...(checkFormats ? {} : { validateFormats: false }), ...rest });
  if (checkFormats) addFormats(ajv);
  return ajv;
}
