/** An error a page answers with its own status and message (rendered as an HTML page, not problem+json). */
export class WebError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 409 | 422 | 500 | 501 | 502,
    readonly title: string,
    detail: string,
  ) {
    super(detail);
    this.name = 'WebError';
  }
}
