// Bug: with `carnet.server.path` in the User settings and carnet not on
// PATH, the first window of a fresh profile said "carnet was not found" in
// 4 of 7 tries (seen in code-server; Remote-SSH, WSL and dev containers are
// remote windows too). The extension looked once, at activation, and
// reported the miss at once, although settings can reach a remote
// extension host after activation. Here the setting arrives late on
// purpose: the window starts without it, and it is written to the
// workspace settings once the extension has activated (code-server does
// not notice a User settings file changed on disk; it does notice these).
'use strict';

module.exports = {
  title: 'a carnet.server.path that arrives after activation starts carnet without an error',
  async run({ wb, sc, say }) {
    await wb.until('the carnet extension to activate', () => /_doActivateExtension carnet\.carnet/.test(wb.extHostLog()), 120000);
    wb.workspaceBase = { 'carnet.server.path': sc.carnet };
    wb.workspaceSettings({});
    const errors = [];
    await wb.until(`carnet started from ${sc.carnet}`, async () => {
      errors.push(...(await wb.notifications()).filter((m) => /carnet/i.test(m)));
      return wb.carnetLog().includes(`Starting ${sc.carnet}`);
    }, 60000);
    errors.push(...(await wb.notifications()).filter((m) => /carnet/i.test(m)));
    if (errors.length > 0) {
      throw new Error(`the extension reported an error although the setting names carnet: ${errors[0]}`);
    }
    await wb.openNote(sc.source);
    await wb.ready();
    say(`started from the setting, no error shown; links drawn in ${sc.source}`);
    await wb.closeAll();
  },
};
