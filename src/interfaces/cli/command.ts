/** The shape of a CLI subcommand and the error for a wrong invocation. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

export class CliUsageError extends Error {}

/** Connection settings for commands that talk to a running hub. */
export function hubConnection(values: { url?: string | undefined; key?: string | undefined }): { url: string; key: string } {
  const url = (values.url ?? process.env.CROSSDOCK_URL ?? `http://127.0.0.1:${process.env.PORT || 8080}`).replace(/\/$/, '');
  const key = values.key ?? process.env.CROSSDOCK_API_KEY ?? process.env.CROSSDOCK_ADMIN_KEY;
  if (!key) throw new CliUsageError('no API key: pass --key or set CROSSDOCK_API_KEY');
  return { url, key };
}
