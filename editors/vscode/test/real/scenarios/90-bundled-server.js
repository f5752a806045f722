// The platform-specific .vsix carries carnet: with no carnet.server.path and
// carnet not on PATH, the extension starts the one it carries. Last, since
// it replaces the installed extension.
'use strict';

module.exports = {
  title: 'the linux-x64 .vsix starts the carnet it carries',
  async run({ wb, sc, say }) {
    await wb.installExtension(sc.vscode.vsix_platform);
    wb.workspaceBase = {};
    wb.workspaceSettings({});
    await wb.command('Developer: Reload Window');
    await wb.waitForWorkbench();
    const started = await wb.until('carnet started from the extension folder', () =>
      /Starting (\S+\/extensions\/carnet\.carnet-[^/\s]+\/server\/carnet)$/m.exec(wb.carnetLog()),
    120000);
    await wb.openNote(sc.source);
    await wb.ready();
    say(`started ${started[1]}; links drawn`);
    await wb.closeAll();
  },
};
