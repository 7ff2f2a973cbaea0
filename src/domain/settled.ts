/** Waiting for concurrent work without leaving any of it running behind a failure. */

/**
 * Like `Promise.all`, but waits until every promise has settled before it throws the first rejection (in
 * argument order): concurrent work on a database must not still be running when the caller closes it.
 */
export async function allSettledOrThrow<T extends readonly unknown[]>(
  promises: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results: readonly PromiseSettledResult<unknown>[] = await Promise.allSettled(promises);
  for (const r of results) if (r.status === "rejected") throw r.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}
