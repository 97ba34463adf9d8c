/**
 * Appends `items` to `target` in place. `target.push(...items)` passes every item as an argument
 * and overflows the stack (RangeError) past ~100,000 of them: a large feed's tick once took the
 * server down that way.
 */
export function appendAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}
