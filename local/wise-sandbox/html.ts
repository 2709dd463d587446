import { escapeHtml } from './http';

/** One plain page layout for every simulator page: readable, no scripts, labelled inputs. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Wise sandbox (simulator)</title>
<style>
body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#0e0f0c}
h1{font-size:1.5rem}label{display:block;margin:.75rem 0 .25rem}
input[type=email],input[type=password],input[type=text]{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}
button{margin:1rem .5rem 0 0;padding:.6rem 1.2rem;font-size:1rem;cursor:pointer}
.error{color:#a8200d}.note{color:#454745;font-size:.9rem}fieldset{border:1px solid #ccc;padding:.5rem 1rem}
</style>
</head>
<body>
<p class="note">Wise sandbox simulator — not the real Wise.</p>
${body}
</body>
</html>`;
}

export function errorPage(title: string, message: string): string {
  return page(title, `<h1>${escapeHtml(title)}</h1><p class="error" role="alert">${escapeHtml(message)}</p>`);
}

export function hidden(fields: Record<string, string | undefined>): string {
  return Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v as string)}">`)
    .join('\n');
}
