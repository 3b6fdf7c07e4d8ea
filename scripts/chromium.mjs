// `npm test` runs this first (pretest): the browser tests need Debian's Chromium at
// /usr/bin/chromium. When it is missing, root installs it with apt-get; anyone else is told the
// one command to run, and the tests do not start (they are never skipped silently).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
const INSTALL = 'apt-get install -y chromium';

function run(command, args) {
  return spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
}

if (!existsSync(CHROMIUM)) {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const apt = existsSync('/usr/bin/apt-get');
  if (root && apt) {
    console.log(`The browser tests need Chromium, which is missing: ${INSTALL}`);
    // A fresh machine may have no package lists yet.
    if (!run('apt-get', ['install', '-y', 'chromium']) && !(run('apt-get', ['update']) && run('apt-get', ['install', '-y', 'chromium']))) {
      console.error(`Installing Chromium failed (see above). Install it, then run npm test again: ${INSTALL}`);
      process.exit(1);
    }
  } else {
    console.error(`The browser tests need Debian's Chromium at ${CHROMIUM}. Install it, then run npm test again:\n  sudo ${INSTALL}`);
    process.exit(1);
  }
}
