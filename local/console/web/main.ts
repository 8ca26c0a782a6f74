import { formView } from './form-view';
import { runView } from './run-view';
import { runsView } from './runs-view';

/** The console's pages by address: #/ (runs), #/new (start a run), #/runs/<id> (a run). */
const root = document.getElementById('app') as HTMLElement;
let leave: () => void = () => undefined;

function route(): void {
  leave();
  const hash = location.hash.replace(/^#/, '') || '/';
  const run = /^\/runs\/(run-[A-Za-z0-9-]+)$/.exec(hash);
  if (run?.[1]) leave = runView(root, run[1]);
  else if (hash === '/new') leave = formView(root);
  else leave = runsView(root);
}

window.addEventListener('hashchange', route);
route();
