/**
 * The one HTML page; the front end (local/console/web) draws everything in it. The session token is
 * in the page, which another origin cannot read, and the script sends it in a header.
 */
export function pageHtml(token: string, mode: 'local' | 'aws' = 'local'): string {
  // With --aws the console only reads: no start form.
  const nav =
    mode === 'aws'
      ? '<a href="#/">Executions on AWS (read-only)</a>'
      : '<a href="#/">Runs</a><a href="#/new">Start a run</a>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="console-token" content="${token}">
<meta name="console-mode" content="${mode}">
<title>firehose-loader console</title>
<link rel="stylesheet" href="/app.css">
</head>
<body>
<header><a href="#/" class="brand">firehose-loader console</a><nav>${nav}</nav></header>
<main id="app"></main>
<script src="/app.js"></script>
</body>
</html>
`;
}
