/** Waiting for concurrent work without leaving any of it running behind a failure. */

type Settled<T extends readonly unknown[]> = {
  -readonly [K in keyof T]: PromiseSettledResult<Awaited<T[K]>>;
};

/**
 * Like `Promise.all`, but waits until every promise has settled before it throws the first rejection (in
 * argument order): concurrent work on a database must not still be running when the caller closes it.
 */
export async function allSettledOrThrow<T extends readonly unknown[]>(
  promises: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const results = (await Promise.allSettled(promises)) as Settled<T>;
  const list = results as readonly PromiseSettledResult<unknown>[];
  for (const r of list) if (r.status === "rejected") throw r.reason;
  return list.map((r) => (r as PromiseFulfilledResult<unknown>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}
