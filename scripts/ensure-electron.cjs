// Makes sure Electron's binary is here before `npm start` and `npm run dev` launch it.
//
// Electron (45 and later) has no install script: its binary is downloaded the first time
// `require('electron')` runs in Node (node_modules/electron/index.js runs its install.js, with
// Electron's own download variables: ELECTRON_MIRROR, electron_config_cache,
// electron_use_remote_checksums, …). electron-vite's `preview` and `dev` only read
// node_modules/electron/path.txt, which that download writes, so they ask first.
try {
  require('electron');
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  console.error(
    "porthole: Electron's binary could not be downloaded (the reason is above). It comes from " +
      'GitHub, or from ELECTRON_MIRROR if set. Without Electron, `npm run web` runs the viewer in a browser.',
  );
  process.exit(1);
}
