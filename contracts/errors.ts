/** A usage or setup problem: the CLI prints the message on one line and exits 2. */
export class SetupError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'SetupError';
  }
}
