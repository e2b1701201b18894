// A failure the user can act on: `code` for programs and tests, the message for people.
export class FlashError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
