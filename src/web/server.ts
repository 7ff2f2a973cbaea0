/** Runs the workbench on Node's HTTP server (@hono/node-server). */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createApp, type WebOptions } from "./app.ts";

export interface RunningServer {
  /** http://host:port */
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections, ends open ones and releases the database. */
  close(): Promise<void>;
}

export interface ListenOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** Default 127.0.0.1: put a TLS reverse proxy in front to serve other machines. */
  readonly host?: string;
}

export async function startServer(options: WebOptions, listen: ListenOptions): Promise<RunningServer> {
  const { app, close } = createApp(options);
  const host = listen.host ?? "127.0.0.1";
  const info = await new Promise<{ server: ReturnType<typeof serve>; address: AddressInfo }>(
    (resolve, reject) => {
      const server = serve({ fetch: app.fetch, port: listen.port, hostname: host }, (address) =>
        resolve({ server, address }),
      );
      server.once("error", reject);
    },
  );
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${info.address.port}`,
    port: info.address.port,
    close: async () => {
      await new Promise<void>((resolve) => {
        info.server.close(() => resolve());
        if ("closeAllConnections" in info.server) info.server.closeAllConnections();
      });
      await close();
      await options.db.close();
    },
  };
}
