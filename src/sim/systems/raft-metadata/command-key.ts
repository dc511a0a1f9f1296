// One number per client command: its session (the client id a MetaCommand carries: an endpoint
// index, below 2^20) and its seq (below 2^32), exact in a double. Shared by the session check
// (outcomes by command), the history recorder (the command each op sent) and the run's account
// of committed commands (applied-commands.ts), so that all three name a command alike.
export function commandKey(client: number, seq: number): number {
  return client * 4_294_967_296 + seq;
}
