/**
 * Headers on every answer of the public callback: nothing cached (the URL carried a code and a
 * state), and no Referer leaks the callback URL to wherever the customer goes next.
 */
export const callbackHeaders: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
};

const pages = {
  invalid_state: {
    status: 400,
    title: 'This link cannot be used',
    message:
      'This Wise link is unknown, was already used, or has expired. Go back to the app and start linking again.',
  },
  not_finished: {
    status: 400,
    title: 'Linking was not finished',
    message:
      'Wise did not finish linking your account. Go back to the app: you can start linking again from there.',
  },
  // The state could not be read (the store throttled or failed): nothing was used up, so reloading
  // this page in a moment finishes the link; 503 with Retry-After, as every route answers then.
  failed: {
    status: 503,
    title: 'Please try again in a moment',
    message:
      'We could not finish linking your Wise account just now. Reload this page in a moment; if that does not help, go back to the app and start linking again.',
  },
} as const;

export type CallbackPage = keyof typeof pages;

/**
 * A small, self-contained page for when there is nowhere safe to send the customer back to. It
 * echoes nothing from the request (the texts are fixed), loads nothing, and runs nothing.
 */
export const callbackPage = <K extends CallbackPage>(
  kind: K,
): { status: (typeof pages)[K]['status']; headers: Record<string, string>; rawBody: string } => {
  const { status, title, message } = pages[kind];
  return {
    status,
    headers: {
      ...callbackHeaders,
      ...(status === 503 ? { 'Retry-After': '5' } : {}),
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy':
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
      'X-Content-Type-Options': 'nosniff',
    },
    rawBody: `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex"><title>${title}</title></head>
<body>
<main>
<h1>${title}</h1>
<p>${message}</p>
</main>
</body>
</html>
`,
  };
};

/** The 302 back to the partner's app. No body: the Location is the whole answer. */
export const redirectTo = (
  location: string,
): { status: 302; headers: Record<string, string>; rawBody: string } => ({
  status: 302,
  headers: { ...callbackHeaders, Location: location },
  rawBody: '',
});
