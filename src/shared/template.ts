/**
 * Fills `{{name}}` slots in a prompt template. A replacement function, never a replacement
 * string: text from a customer containing `$&` or `$'` is put in as it is, not expanded.
 */
export const fillTemplate = (template: string, vars: Readonly<Record<string, string>>) => template.replace(/\{\{(\w+)\}\}/g, (slot, name: string) => (Object.hasOwn(vars, name) ? vars[name]! : slot));
