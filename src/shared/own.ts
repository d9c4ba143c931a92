/**
 * The value stored under `key` in `table` itself, never one it inherits: a key that came from
 * outside (a `meta` field, a channel name, a message type) is data, and "toString",
 * "constructor" or "__proto__" must read as "not in the table", not as Object.prototype's.
 */
export const own = <T>(table: Readonly<Record<string, T>>, key: string): T | undefined => (Object.hasOwn(table, key) ? table[key] : undefined);
