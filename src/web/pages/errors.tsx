/** Error pages and the sign-in form (under --auth-reads): HTML for people, with the status the API would give. */
import { Layout } from '../components/layout.js';

export function ErrorPage(props: { status: number; title: string; detail: string }) {
  return (
    <Layout title={props.title} section="none">
      <h1>{props.title}</h1>
      <p>{props.detail}</p>
      <p>
        <a href="/">Back to the overview</a>
      </p>
    </Layout>
  );
}

export function SignInPage(props: { next: string; failed?: boolean }) {
  return (
    <Layout title="Sign in" section="none">
      <h1>Sign in</h1>
      <p>This server needs a token with the read scope for its pages (it runs with --auth-reads).</p>
      {props.failed ? (
        <p class="notice error" role="alert">
          That token is not valid or lacks the read scope.
        </p>
      ) : null}
      <form method="post" action="/login" class="filters">
        <input type="hidden" name="next" value={props.next} />
        <label for="token">
          Token
          <input id="token" name="token" type="password" autocomplete="current-password" required />
        </label>
        <button type="submit">Sign in</button>
      </form>
    </Layout>
  );
}
