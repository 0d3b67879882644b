/** The one logger interface: the output channel in the host, anything with these three in a test or a server. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
