/**
 * The one HTML page; the front end (local/console/web) draws everything in it. The session token is
 * in the page, which another origin cannot read, and the script sends it in a header.
 */
export function pageHtml(token: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="console-token" content="${token}">
<title>firehose-loader console</title>
<link rel="stylesheet" href="/app.css">
</head>
<body>
<header><a href="#/" class="brand">firehose-loader console</a><nav><a href="#/">Runs</a><a href="#/new">Start a run</a></nav></header>
<main id="app"></main>
<script src="/app.js"></script>
</body>
</html>
`;
}
